// gen N Q mode seed : one input of "tide-gauges" on stdout.
// mode 0: readings in [-1e9, 1e9]; mode 1: readings >= 0 only; mode 2: mostly negative readings
// (ranges of only negative readings are common); mode 3: tiny readings in [-3, 3].
// About a third of the operations are updates; query ranges are long on average.
#include <bits/stdc++.h>
using namespace std;
int main(int argc, char** argv) {
    if (argc < 5) { fprintf(stderr, "usage: gen N Q mode seed\n"); return 1; }
    int n = atoi(argv[1]), q = atoi(argv[2]), mode = atoi(argv[3]);
    mt19937_64 rng(atoll(argv[4]) * 998244353ULL + n * 17 + q * 13 + mode);
    auto rnd = [&](long long lo, long long hi) { return lo + (long long)(rng() % (hi - lo + 1)); };
    auto value = [&]() -> long long {
        if (mode == 1) return rnd(0, 1000000000);
        if (mode == 2) return rng() % 10 == 0 ? rnd(0, 1000000000) : rnd(-1000000000, -1);
        if (mode == 3) return rnd(-3, 3);
        return rnd(-1000000000, 1000000000);
    };
    printf("%d %d\n", n, q);
    for (int i = 0; i < n; i++) printf("%lld%c", value(), i + 1 == n ? '\n' : ' ');
    for (int k = 0; k < q; k++) {
        if (rng() % 3 == 0) {
            printf("1 %lld %lld\n", rnd(0, n - 1), value());
        } else {
            long long l = rnd(0, n - 1), r = rnd(0, n - 1);
            if (l > r) swap(l, r);
            if (rng() % 4 == 0) { long long len = rnd(0, 5); r = min<long long>(n - 1, l + len); }
            printf("2 %lld %lld\n", l, r);
        }
    }
}
