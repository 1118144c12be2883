// Full solution: sort by left end; from the current reach take the lamp that reaches furthest.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long L;
    scanf("%d %lld", &n, &L);
    vector<array<long long, 3>> v(n);
    for (int i = 0; i < n; i++) { scanf("%lld %lld", &v[i][0], &v[i][1]); v[i][2] = i + 1; }
    sort(v.begin(), v.end());
    vector<long long> pick;
    long long reach = 0;
    int i = 0;
    while (reach < L) {
        long long far = reach, who = -1;
        while (i < n && v[i][0] <= reach) {
            if (v[i][1] > far) { far = v[i][1]; who = v[i][2]; }
            i++;
        }
        if (who < 0) { puts("-1"); return 0; }
        pick.push_back(who);
        reach = far;
    }
    printf("%zu\n", pick.size());
    for (size_t j = 0; j < pick.size(); j++) printf("%lld%c", pick[j], j + 1 == pick.size() ? '\n' : ' ');
}
