// Solves only D = 0: the best hike stays at one altitude, so it sums the beauties per altitude.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long d;
    scanf("%d %lld", &n, &d);
    unordered_map<long long, long long> total;
    total.reserve(2 * n);
    long long ans = 0;
    for (int i = 0; i < n; i++) {
        long long h, v;
        scanf("%lld %lld", &h, &v);
        ans = max(ans, total[h] += v);
    }
    printf("%lld\n", ans);
}
