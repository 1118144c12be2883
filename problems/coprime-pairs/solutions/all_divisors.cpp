// Wrong on memory: lists every divisor of every number up to 10^6 (about 14 million ints in a
// million vectors) before counting, far beyond the 64 MB limit.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    const int A = 1000000;
    vector<vector<int>> divisors(A + 1);
    for (int d = 1; d <= A; d++)
        for (int m = d; m <= A; m += d) divisors[m].push_back(d);
    vector<int> mu(A + 1, 0);
    mu[1] = 1;
    for (int i = 1; i <= A; i++)
        for (int d : divisors[i])
            if (d < i) mu[i] -= mu[d];
    vector<long long> cnt(A + 1, 0);
    for (int i = 0; i < n; i++) {
        int x;
        scanf("%d", &x);
        for (int d : divisors[x]) cnt[d]++;
    }
    long long total = 0;
    for (int d = 1; d <= A; d++) total += mu[d] * (cnt[d] * (cnt[d] - 1) / 2);
    printf("%lld\n", total);
}
