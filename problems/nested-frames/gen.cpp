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

// gen SEED N MAXV MODE
//   random:     a, b uniform in [1, MAXV]
//   samewidth:  one width for every frame (answer 1)
//   columns:    few distinct widths, each with many heights (traps ties sorted the wrong way)
//   diagonal:   a = b, many repeated
//   noisychain: a long nested chain hidden among random frames, shuffled
int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: gen SEED N MAXV MODE\n");
        return 1;
    }
    seedFrom(argc, argv);
    int n = atoi(argv[2]);
    long long mv = atoll(argv[3]);
    string mode = argv[4];
    vector<pair<long long, long long>> f;
    long long w = rnd(1, mv);
    int cols = max(2, (int)sqrt((double)n) / 4);
    for (int i = 0; i < n; i++) {
        long long a = rnd(1, mv), b = rnd(1, mv);
        if (mode == "samewidth") a = w;
        if (mode == "columns") a = 1 + (mv - 1) * rnd(0, cols - 1) / cols;
        if (mode == "diagonal") a = b = rnd(1, min(mv, (long long)n / 3 + 1)) * (mv / (n / 3 + 1));
        if (mode == "noisychain" && i < n / 2) {
            // steps of 1 to 4000 in both sizes: a strictly nested chain of about n/2 frames
            long long step = mv / (n / 2 + 1);
            a = 1 + (long long)i * step + rnd(0, step / 2);
            b = 1 + (long long)i * step + rnd(0, step / 2);
        }
        f.push_back({max(1LL, a), max(1LL, b)});
    }
    shuffle(f.begin(), f.end(), rng);
    printf("%d\n", n);
    for (auto [a, b] : f) printf("%lld %lld\n", a, b);
}
