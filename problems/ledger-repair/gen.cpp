// gen N maxV mode seed : one input of "ledger-repair" (N, ledger A, ledger B) on stdout.
// Entries are uniform in [0, maxV]. The changed entry is random (mode 0), the first (mode 1),
// or the last (mode 2); mode 3 changes a random entry by +-1 only.
#include <bits/stdc++.h>
using namespace std;
int main(int argc, char** argv) {
    if (argc < 5) { fprintf(stderr, "usage: gen N maxV mode seed\n"); return 1; }
    int n = atoi(argv[1]), mode = atoi(argv[3]);
    long long maxV = atoll(argv[2]);
    mt19937_64 rng(atoll(argv[4]) * 1000000009ULL + n * 7 + maxV * 3 + mode);
    auto rnd = [&](long long lo, long long hi) { return lo + (long long)(rng() % (hi - lo + 1)); };
    vector<long long> a(n);
    for (auto& x : a) x = rnd(0, maxV);
    vector<long long> b = a;
    int p = mode == 1 ? 0 : mode == 2 ? n - 1 : (int)rnd(0, n - 1);
    if (mode == 3 && maxV > 0) {
        b[p] = a[p] == 0 ? 1 : a[p] == maxV ? maxV - 1 : a[p] + (rng() % 2 ? 1 : -1);
    } else {
        do b[p] = rnd(0, maxV); while (b[p] == a[p]);
    }
    printf("%d\n", n);
    for (int i = 0; i < n; i++) printf("%lld%c", a[i], i + 1 == n ? '\n' : ' ');
    for (int i = 0; i < n; i++) printf("%lld%c", b[i], i + 1 == n ? '\n' : ' ');
}
