// Wrong greedy: sort by size and take every frame that still fits around the last one taken.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<int, int>> f(n);
    for (auto& [a, b] : f) scanf("%d %d", &a, &b);
    sort(f.begin(), f.end());
    int count = 0, la = 0, lb = 0;
    for (auto [a, b] : f)
        if (a > la && b > lb) count++, la = a, lb = b;
    printf("%d\n", count);
}
