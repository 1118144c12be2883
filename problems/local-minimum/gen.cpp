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

// gen SEED N MODE: a permutation of 1..N
//   random:     uniformly random
//   increasing: 1 2 ... N (the only local minimum is position 1)
//   decreasing: N ... 2 1 (the only local minimum is position N)
//   valley:     decreasing then increasing, the bottom at a random position (the only local
//               minimum)
//   farvalley:  a valley whose bottom is within the last 1% of positions
int main(int argc, char** argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: gen SEED N MODE\n");
        return 1;
    }
    seedFrom(argc, argv);
    int n = atoi(argv[2]);
    string mode = argv[3];
    vector<int> p(n);
    iota(p.begin(), p.end(), 1);
    if (mode == "random") {
        shuffle(p.begin(), p.end(), rng);
    } else if (mode == "decreasing") {
        reverse(p.begin(), p.end());
    } else if (mode == "valley" || mode == "farvalley") {
        int k = mode == "valley" ? rnd(0, n - 1) : n - 1 - rnd(0, max(0, n / 100));
        // value 1 at k; the other values split at random between the two sides
        vector<int> rest(p.begin() + 1, p.end());
        shuffle(rest.begin(), rest.end(), rng);
        vector<int> left(rest.begin(), rest.begin() + k), right(rest.begin() + k, rest.end());
        sort(left.rbegin(), left.rend());
        sort(right.begin(), right.end());
        p = left;
        p.push_back(1);
        p.insert(p.end(), right.begin(), right.end());
    } else if (mode != "increasing") {
        fprintf(stderr, "unknown mode %s\n", mode.c_str());
        return 1;
    }
    printf("%d\n", n);
    for (int i = 0; i < n; i++) printf("%d%c", p[i], i + 1 == n ? '\n' : ' ');
}
