// Sort by width increasing and, among equal widths, height decreasing; then a strictly
// increasing subsequence of heights is exactly a nested stack (equal widths can never both be
// in it). Longest increasing subsequence with patience sorting, O(n log n).
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<int, int>> f(n);
    for (auto& [a, b] : f) scanf("%d %d", &a, &b);
    sort(f.begin(), f.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first < y.first : x.second > y.second;
    });
    vector<int> tails;  // tails[k]: the smallest height ending a stack of k + 1 frames
    for (auto [a, b] : f) {
        auto it = lower_bound(tails.begin(), tails.end(), b);
        if (it == tails.end()) tails.push_back(b);
        else *it = b;
    }
    printf("%zu\n", tails.size());
}
