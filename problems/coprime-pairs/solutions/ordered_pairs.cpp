// Wrong: sums mu(d) cnt[d]^2 over ordered pairs and halves it; the pairs (i, i) with a_i = 1 are
// coprime too, so every 1 in the input adds half a pair.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    const int A = 1000000;
    vector<int> freq(A + 1, 0);
    for (int i = 0; i < n; i++) {
        int x;
        scanf("%d", &x);
        freq[x]++;
    }
    vector<int> mu(A + 1, 1), smallest(A + 1, 0);
    for (int i = 2; i <= A; i++)
        if (!smallest[i])
            for (int m = i; m <= A; m += i) {
                if (!smallest[m]) smallest[m] = i;
                mu[m] = (m / i) % i == 0 ? 0 : -mu[m];
            }
    long long total = 0;
    for (int d = 1; d <= A; d++) {
        if (!mu[d]) continue;
        long long c = 0;
        for (int m = d; m <= A; m += d) c += freq[m];
        total += mu[d] * c * c;
    }
    printf("%lld\n", total / 2);
}
