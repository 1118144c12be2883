// Only for short streets: the best reach per coordinate in a fixed array of 200001 cells.
// Longer streets write far outside the array (a runtime error on the full subtask).
#include <bits/stdc++.h>
using namespace std;
static int best[200001], who[200001];
int main() {
    int n;
    long long L;
    scanf("%d %lld", &n, &L);
    for (int i = 1; i <= n; i++) {
        long long a, b;
        scanf("%lld %lld", &a, &b);
        if (b > best[a]) { best[a] = (int)b; who[a] = i; }  // no bounds check, on purpose
    }
    vector<int> pick;
    long long reach = 0, far = 0, pos = 0;
    int cand = -1;
    while (reach < L) {
        for (; pos <= reach; pos++)
            if (best[pos] > far) { far = best[pos]; cand = who[pos]; }
        if (far <= reach) { puts("-1"); return 0; }
        pick.push_back(cand);
        reach = far;
    }
    printf("%zu\n", pick.size());
    for (size_t j = 0; j < pick.size(); j++) printf("%d%c", pick[j], j + 1 == pick.size() ? '\n' : ' ');
}
