// Correct but too slow: the right comparison, sorted by insertion, O(n^2) on shuffled input.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<long long, long long>> job(n);
    for (auto& [t, c] : job) scanf("%lld %lld", &t, &c);
    for (int i = 1; i < n; i++) {
        auto x = job[i];
        int j = i - 1;
        while (j >= 0 && x.first * job[j].second < job[j].first * x.second) {
            job[j + 1] = job[j];
            j--;
        }
        job[j + 1] = x;
    }
    long long now = 0, total = 0;
    for (auto [t, c] : job) now += t, total += c * now;
    printf("%lld\n", total);
}
