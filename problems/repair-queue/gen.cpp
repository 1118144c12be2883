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

// gen SEED N MAXT MAXC MODE
//   random:     t in [1, MAXT], c in [1, MAXC]
//   max:        every t = MAXT and c = MAXC, but for a few random ones (largest answers)
//   equalratio: all t / c equal (every order is optimal)
//   tradeoff:   long costly jobs against short cheap ones, where both simple greedies go wrong
//   closeratio: ratios t / c packed close together around 1
int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: gen SEED N MAXT MAXC MODE\n");
        return 1;
    }
    seedFrom(argc, argv);
    int n = atoi(argv[2]);
    long long mt = atoll(argv[3]), mc = atoll(argv[4]);
    string mode = argv[5];
    long long bt = rnd(1, 100), bc = rnd(1, 100);
    printf("%d\n", n);
    for (int i = 0; i < n; i++) {
        long long t = rnd(1, mt), c = rnd(1, mc);
        if (mode == "max" && rnd(0, 99) > 0) t = mt, c = mc;
        if (mode == "equalratio") {
            long long k = rnd(1, min(mt / bt, mc / bc));
            t = bt * k, c = bc * k;
        }
        if (mode == "tradeoff") {
            if (rnd(0, 1)) t = rnd(mt / 2, mt), c = rnd(mc / 2, mc);
            else t = rnd(1, mt / 20 + 1), c = rnd(1, mc / 40 + 1);
        }
        if (mode == "closeratio") {
            t = rnd(mt / 2, mt);
            c = max(1LL, min(mc, t + rnd(-3, 3)));
        }
        printf("%lld %lld\n", t, c);
    }
}
