// Correct but too slow: gcd of every pair, O(n^2 log A).
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<int> a(n);
    for (auto& x : a) scanf("%d", &x);
    long long total = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) total += std::gcd(a[i], a[j]) == 1;
    printf("%lld\n", total);
}
