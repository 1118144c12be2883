// gen N D maxH mode seed : one input of "scenic-hike" on stdout.
// mode 0: altitudes uniform in [0, maxH], beauties in [1, 10^9]; mode 1: altitudes follow a
// random walk with steps up to 2D; mode 2: like 0 with beauties in [1, 10].
#include <bits/stdc++.h>
using namespace std;
int main(int argc, char** argv) {
    if (argc < 6) { fprintf(stderr, "usage: gen N D maxH mode seed\n"); return 1; }
    int n = atoi(argv[1]), mode = atoi(argv[4]);
    long long d = atoll(argv[2]), maxH = atoll(argv[3]);
    mt19937_64 rng(atoll(argv[5]) * 1000000007ULL + n * 11 + d * 13 + maxH * 17 + mode);
    auto rnd = [&](long long lo, long long hi) { return lo + (long long)(rng() % (hi - lo + 1)); };
    printf("%d %lld\n", n, d);
    long long h = rnd(0, maxH);
    for (int i = 0; i < n; i++) {
        if (mode == 1) h = min(maxH, max(0LL, h + rnd(-2 * d - 1, 2 * d + 1)));
        else h = rnd(0, maxH);
        long long v = mode == 2 ? rnd(1, 10) : rnd(1, 1000000000);
        printf("%lld %lld\n", h, v);
    }
}
