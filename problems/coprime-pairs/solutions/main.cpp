// Moebius inversion: the pairs whose gcd is a multiple of d number C(cnt[d], 2), where cnt[d]
// counts the values divisible by d; so the coprime pairs are sum over d of mu(d) C(cnt[d], 2).
// Linear sieve for mu, O(A log A) over the multiples. About 10 MB.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    int A = 1;
    vector<int> a(n);
    for (auto& x : a) scanf("%d", &x), A = max(A, x);
    vector<int> freq(A + 1, 0);
    for (int x : a) freq[x]++;
    vector<signed char> mu(A + 1, 0);
    vector<bool> composite(A + 1, false);
    vector<int> primes;
    mu[1] = 1;
    for (int i = 2; i <= A; i++) {
        if (!composite[i]) primes.push_back(i), mu[i] = -1;
        for (int p : primes) {
            if ((long long)i * p > A) break;
            composite[i * p] = true;
            if (i % p == 0) {
                mu[i * p] = 0;
                break;
            }
            mu[i * p] = -mu[i];
        }
    }
    long long total = 0;
    for (int d = 1; d <= A; d++) {
        if (mu[d] == 0) continue;
        long long c = 0;
        for (int m = d; m <= A; m += d) c += freq[m];
        total += mu[d] * (c * (c - 1) / 2);
    }
    printf("%lld\n", total);
}
