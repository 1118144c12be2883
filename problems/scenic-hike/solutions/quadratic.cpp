// Correct but slow: the same recurrence, scanning every earlier checkpoint (O(N^2)).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long d;
    scanf("%d %lld", &n, &d);
    vector<long long> h(n), v(n), best(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &h[i], &v[i]);
    long long ans = 0;
    for (int i = 0; i < n; i++) {
        long long b = 0;
        for (int j = 0; j < i; j++)
            if (llabs(h[j] - h[i]) <= d && best[j] > b) b = best[j];
        best[i] = b + v[i];
        ans = max(ans, best[i]);
    }
    printf("%lld\n", ans);
}
