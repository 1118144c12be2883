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

// gen SEED N MAXA MODE
//   random: values uniform in [1, MAXA]
//   ones:   about a tenth of the values are 1, the rest random
//   smooth: products of primes below 30 (many common factors)
//   primes: random primes up to MAXA (nearly every pair is coprime)
//   even:   even values only, plus a few ones
int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: gen SEED N MAXA MODE\n");
        return 1;
    }
    seedFrom(argc, argv);
    int n = atoi(argv[2]);
    long long ma = atoll(argv[3]);
    string mode = argv[4];
    vector<long long> primes;
    vector<bool> comp(ma + 1, false);
    for (long long i = 2; i <= ma; i++)
        if (!comp[i]) {
            primes.push_back(i);
            for (long long m = i * i; m <= ma; m += i) comp[m] = true;
        }
    const int small[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
    printf("%d\n", n);
    for (int i = 0; i < n; i++) {
        long long x = rnd(1, ma);
        if (mode == "ones" && rnd(0, 9) == 0) x = 1;
        if (mode == "smooth") {
            x = 1;
            for (int k = 0; k < 20; k++) {
                long long p = small[rnd(0, 9)];
                if (x * p <= ma) x *= p;
            }
        }
        if (mode == "primes" && !primes.empty()) x = primes[rnd(0, primes.size() - 1)];
        if (mode == "even") x = rnd(0, 99) == 0 ? 1 : 2 * rnd(1, max(1LL, ma / 2));
        printf("%lld%c", x, i + 1 == n ? '\n' : ' ');
    }
}
