// Correct but too slow: after sorting, best[i] = 1 + max best[j] over frames j that fit inside
// frame i. O(n^2).
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<int, int>> f(n);
    for (auto& [a, b] : f) scanf("%d %d", &a, &b);
    sort(f.begin(), f.end());
    vector<int> best(n, 1);
    int ans = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++)
            if (f[j].first < f[i].first && f[j].second < f[i].second) best[i] = max(best[i], best[j] + 1);
        ans = max(ans, best[i]);
    }
    printf("%d\n", ans);
}
