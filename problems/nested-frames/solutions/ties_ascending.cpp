// Wrong: longest increasing subsequence of heights after sorting by (width, height) ascending,
// which stacks frames of equal width inside each other.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<int, int>> f(n);
    for (auto& [a, b] : f) scanf("%d %d", &a, &b);
    sort(f.begin(), f.end());
    vector<int> tails;
    for (auto [a, b] : f) {
        auto it = lower_bound(tails.begin(), tails.end(), b);
        if (it == tails.end()) tails.push_back(b);
        else *it = b;
    }
    printf("%zu\n", tails.size());
}
