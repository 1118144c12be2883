// gen N M Q mode seed : one input of "mountain-relay" on stdout.
// mode 0: connected map (random tree plus extra trails); mode 1: a chain, trail j joins huts j
// and j+1 (M must be N-1); mode 2: several separate regions; mode 3: like 0 with altitudes in
// [1, 10] (many ties); mode 4: like 0, but short routes cross a high ridge while long routes
// stay low.
#include <bits/stdc++.h>
using namespace std;
int main(int argc, char** argv) {
    if (argc < 6) { fprintf(stderr, "usage: gen N M Q mode seed\n"); return 1; }
    int n = atoi(argv[1]), m = atoi(argv[2]), q = atoi(argv[3]), mode = atoi(argv[4]);
    mt19937_64 rng(atoll(argv[5]) * 1000000007ULL + n * 3 + m * 5 + q * 7 + mode);
    auto rnd = [&](long long lo, long long hi) { return lo + (long long)(rng() % (hi - lo + 1)); };
    int hmax = mode == 3 ? 10 : 1000000000;
    vector<array<long long, 3>> e;
    vector<int> label(n);
    iota(label.begin(), label.end(), 0);
    if (mode == 1) {
        for (int j = 0; j + 1 < n; j++) e.push_back({j, j + 1, rnd(1, hmax)});
    } else {
        shuffle(label.begin(), label.end(), rng);
        int regions = mode == 2 ? max(2, n / 50) : 1;
        for (int v = 1; v < n; v++) {
            if (v % (n / regions + 1) == 0 && mode == 2) continue;  // start a new region
            int p = mode == 4 ? v - 1 : (int)rnd(max(0, v - 1 - (int)rnd(0, 50)), v - 1);
            if (mode == 2) p = (int)rnd(v - v % (n / regions + 1), v - 1);
            e.push_back({label[p], label[v], mode == 4 ? rnd(1, 1000) : rnd(1, hmax)});
        }
        while ((int)e.size() < m) {
            int a = (int)rnd(0, n - 1), b = (int)rnd(0, n - 1);
            if (a == b) continue;
            if (mode == 2 && a / (n / regions + 1) != b / (n / regions + 1)) continue;
            long long h = mode == 4 ? rnd(500000000, hmax) : rnd(1, hmax);
            e.push_back({label[a], label[b], h});
        }
    }
    if (mode != 1) shuffle(e.begin(), e.end(), rng);  // a chain keeps trail j = (j, j+1)
    printf("%d %d\n", n, (int)e.size());
    for (auto& [a, b, h] : e) printf("%lld %lld %lld\n", a, b, h);
    printf("%d\n", q);
    for (int k = 0; k < q; k++) {
        long long s = rnd(0, n - 1), t = rng() % 50 == 0 ? s : rnd(0, n - 1);
        printf("%lld %lld\n", s, t);
    }
}
