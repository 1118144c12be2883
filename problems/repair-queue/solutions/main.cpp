// Exchange argument: swapping neighbours i, j (i first) helps exactly when t_j c_i < t_i c_j, so
// the best order sorts by t/c increasing; compared as cross products, exactly, in 64 bits.
// The total is at most (sum c)(sum t) <= 4e18 < 2^63.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<long long, long long>> job(n);
    for (auto& [t, c] : job) scanf("%lld %lld", &t, &c);
    sort(job.begin(), job.end(), [](const auto& a, const auto& b) {
        return a.first * b.second < b.first * a.second;
    });
    long long now = 0, total = 0;
    for (auto [t, c] : job) {
        now += t;
        total += c * now;
    }
    printf("%lld\n", total);
}
