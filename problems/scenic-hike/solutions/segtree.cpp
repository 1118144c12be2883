// Full solution: best[i] = v[i] + max best[j] over earlier j with |h[j] - h[i]| <= D. Altitudes
// are compressed and a segment tree over them answers the range maximum: O(N log N).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long d;
    scanf("%d %lld", &n, &d);
    vector<long long> h(n), v(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &h[i], &v[i]);
    vector<long long> xs(h);
    sort(xs.begin(), xs.end());
    xs.erase(unique(xs.begin(), xs.end()), xs.end());
    int m = xs.size(), size = 1;
    while (size < m) size *= 2;
    vector<long long> t(2 * size, 0);
    long long ans = 0;
    for (int i = 0; i < n; i++) {
        int lo = lower_bound(xs.begin(), xs.end(), h[i] - d) - xs.begin() + size;
        int hi = upper_bound(xs.begin(), xs.end(), h[i] + d) - xs.begin() - 1 + size;
        long long best = 0;
        for (; lo <= hi; lo = (lo + 1) / 2, hi = (hi - 1) / 2) {
            if (lo & 1) best = max(best, t[lo]);
            if (!(hi & 1)) best = max(best, t[hi]);
        }
        long long cur = best + v[i];
        ans = max(ans, cur);
        int p = lower_bound(xs.begin(), xs.end(), h[i]) - xs.begin() + size;
        for (t[p] = max(t[p], cur), p /= 2; p; p /= 2) t[p] = max(t[2 * p], t[2 * p + 1]);
    }
    printf("%lld\n", ans);
}
