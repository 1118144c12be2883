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

// gen SEED N M MAXW MODE
//   random: M random roads with times in [1, MAXW]
//   chain:  one long route 1 -> ... -> N of N-1 slow roads (times in [MAXW/2, MAXW]), listed in
//           random order (M is ignored)
//   trap:   a long route of quick roads, plus slow shortcuts that use fewer roads, plus random
//           slow roads up to M in all
//   split:  towns 1 and N in different halves with no road between the halves (answer -1)
int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: gen SEED N M MAXW MODE\n");
        return 1;
    }
    seedFrom(argc, argv);
    int n = atoi(argv[2]), m = atoi(argv[3]);
    long long mw = atoll(argv[4]);
    string mode = argv[5];
    // order[0] = 1, order[n-1] = n, the rest shuffled: the backbone of chain and trap
    vector<int> order(n);
    iota(order.begin(), order.end(), 1);
    shuffle(order.begin() + 1, order.end() - 1, rng);
    vector<array<long long, 3>> e;
    auto road = [&](int u, int v, long long w) {
        if (rnd(0, 1)) swap(u, v);
        e.push_back({u, v, w});
    };
    if (mode == "random") {
        for (int j = 0; j < m; j++) {
            int u = rnd(1, n), v = rnd(1, n - 1);
            if (v >= u) v++;
            road(u, v, rnd(1, mw));
        }
    } else if (mode == "chain") {
        for (int i = 0; i + 1 < n; i++) road(order[i], order[i + 1], rnd(max(1LL, mw / 2), mw));
    } else if (mode == "trap") {
        for (int i = 0; i + 1 < n && (int)e.size() < m; i++) road(order[i], order[i + 1], rnd(1, 10));
        for (int i = 0; i + 2 < n && (int)e.size() < m; i += rnd(1, 3)) {
            int j = min(n - 1, i + (int)rnd(2, 50));
            road(order[i], order[j], rnd(mw / 2, mw));
        }
        while ((int)e.size() < m) {
            int u = rnd(1, n), v = rnd(1, n - 1);
            if (v >= u) v++;
            road(u, v, mw);
        }
    } else if (mode == "split") {
        vector<int> side(n + 1);
        for (int v = 1; v <= n; v++) side[v] = rnd(0, 1);
        side[1] = 0;
        side[n] = 1;
        vector<int> half[2];
        for (int v = 1; v <= n; v++) half[side[v]].push_back(v);
        for (int j = 0; j < m; j++) {
            auto& h = half[rnd(0, 1)];
            if (h.size() < 2) continue;
            int a = rnd(0, h.size() - 1), b = rnd(0, h.size() - 2);
            if (b >= a) b++;
            road(h[a], h[b], rnd(1, mw));
        }
    } else {
        fprintf(stderr, "unknown mode %s\n", mode.c_str());
        return 1;
    }
    shuffle(e.begin(), e.end(), rng);
    printf("%d %zu\n", n, e.size());
    for (auto [u, v, w] : e) printf("%lld %lld %lld\n", u, v, w);
}
