// Binary search on the time T: everybody can reach a common point within T exactly when the
// intervals [x_i - v_i T, x_i + v_i T] share a point, i.e. max of left ends <= min of right ends.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 1;
    vector<long double> x(n), v(n);
    for (int i = 0; i < n; i++) {
        long long a, b;
        scanf("%lld %lld", &a, &b);
        x[i] = a;
        v[i] = b;
    }
    auto feasible = [&](long double t) {
        long double lo = -1e30L, hi = 1e30L;
        for (int i = 0; i < n; i++) {
            lo = max(lo, x[i] - v[i] * t);
            hi = min(hi, x[i] + v[i] * t);
        }
        return lo <= hi;
    };
    long double lo = 0, hi = 2.1e9L;
    for (int it = 0; it < 100; it++) {
        long double mid = (lo + hi) / 2;
        if (feasible(mid)) hi = mid;
        else lo = mid;
    }
    printf("%.9Lf\n", hi);
}
