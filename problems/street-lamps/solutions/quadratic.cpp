// Correct but slow: every step scans all lamps for the one reaching furthest (O(N * answer)).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long L;
    scanf("%d %lld", &n, &L);
    vector<long long> a(n), b(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &a[i], &b[i]);
    vector<int> pick;
    long long reach = 0;
    while (reach < L) {
        long long far = reach;
        int who = -1;
        for (int i = 0; i < n; i++)
            if (a[i] <= reach && b[i] > far) { far = b[i]; who = i + 1; }
        if (who < 0) { puts("-1"); return 0; }
        pick.push_back(who);
        reach = far;
    }
    printf("%zu\n", pick.size());
    for (size_t j = 0; j < pick.size(); j++) printf("%d%c", pick[j], j + 1 == pick.size() ? '\n' : ' ');
}
