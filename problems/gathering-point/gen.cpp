#include <bits/stdc++.h>
using namespace std;

// Deterministic in its arguments: the seed of the generator is a hash of all of them.
static mt19937_64 rng;
static void seedFrom(int argc, char** argv) {
    unsigned long long h = 1469598103934665603ULL;
    for (int i = 1; i < argc; i++)
        for (const char* p = argv[i]; ; p++) {
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
            if (!*p) break;
        }
    rng.seed(h);
}
static long long rnd(long long lo, long long hi) {  // uniform in [lo, hi]
    return lo + (long long)(rng() % (unsigned long long)(hi - lo + 1));
}

// gen SEED N MAXX MAXV MODE
//   random:   x uniform in [-MAXX, MAXX], v uniform in [1, MAXV]
//   same:     everybody at one point (answer 0)
//   fastslow: a few slow walkers far apart, the rest fast
//   clusters: two tight groups far apart with different speeds
//   extremes: positions at the ends of the range, speeds 1 and MAXV mixed
int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: gen SEED N MAXX MAXV MODE\n");
        return 1;
    }
    seedFrom(argc, argv);
    int n = atoi(argv[2]);
    long long mx = atoll(argv[3]), mv = atoll(argv[4]);
    string mode = argv[5];
    printf("%d\n", n);
    long long same = rnd(-mx, mx);
    long long c1 = rnd(-mx, -mx / 2), c2 = rnd(mx / 2, mx);
    for (int i = 0; i < n; i++) {
        long long x = rnd(-mx, mx), v = rnd(1, mv);
        if (mode == "same") x = same;
        if (mode == "fastslow" && rnd(0, 99) >= 3) v = rnd(max(1LL, mv / 2), mv);
        if (mode == "fastslow" && v < mv / 2) v = rnd(1, 10);
        if (mode == "clusters") {
            bool left = rnd(0, 1);
            x = (left ? c1 : c2) + rnd(-1000, 1000);
            x = max(-mx, min(mx, x));
            v = left ? rnd(1, 5) : rnd(max(1LL, mv / 2), mv);
        }
        if (mode == "extremes") {
            x = rnd(0, 1) ? mx - rnd(0, 3) : -mx + rnd(0, 3);
            v = rnd(0, 1) ? 1 : mv;
        }
        printf("%lld %lld\n", x, v);
    }
}
