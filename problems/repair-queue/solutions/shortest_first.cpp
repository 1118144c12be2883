// Wrong greedy: shortest repair first, ignoring the costs.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<long long, long long>> job(n);
    for (auto& [t, c] : job) scanf("%lld %lld", &t, &c);
    sort(job.begin(), job.end());
    long long now = 0, total = 0;
    for (auto [t, c] : job) now += t, total += c * now;
    printf("%lld\n", total);
}
