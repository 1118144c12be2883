// gen N L mode seed : one input of "street-lamps" on stdout.
// mode 0: random intervals (lengths up to 2L/N*8); mode 1: a hidden covering chain plus noise;
// mode 2: like 1 but with a short stretch left dark (answer -1); mode 3: nested long intervals.
#include <bits/stdc++.h>
using namespace std;
int main(int argc, char** argv) {
    if (argc < 5) { fprintf(stderr, "usage: gen N L mode seed\n"); return 1; }
    long long n = atoll(argv[1]), L = atoll(argv[2]);
    int mode = atoi(argv[3]);
    mt19937_64 rng(atoll(argv[4]) * 1000003ULL + n * 31 + L * 7 + mode);
    auto rnd = [&](long long lo, long long hi) { return lo + (long long)(rng() % (hi - lo + 1)); };
    vector<pair<long long, long long>> iv;
    long long k0 = max(1LL, min(n / 3, L / 2));
    if (mode == 1 || mode == 2) {
        set<long long> pts = {0, L};
        while ((long long)pts.size() < k0 + 1) pts.insert(rnd(1, L - 1));
        vector<long long> p(pts.begin(), pts.end());
        for (size_t i = 1; i < p.size(); i++) {
            long long a = p[i - 1], b = p[i];
            long long ext = max(0LL, (b - a) / 3);
            iv.push_back({max(0LL, a - rnd(0, ext)), min(L, b)});
        }
    }
    long long avg = max(1LL, 2 * L / max(1LL, k0));
    if (mode == 0) avg = max(1LL, 8 * L / n);
    while ((long long)iv.size() < n) {
        long long len = mode == 3 ? rnd(L / 2, L) : rnd(1, avg);
        len = min(len, L);
        long long a = rnd(0, L - len);
        iv.push_back({a, a + len});
    }
    if (mode == 2 && L >= 3) {  // keep the open gap (x, x+1) dark: cut every lamp across it
        long long x = rnd(1, L - 2);
        for (auto& [a, b] : iv) {
            if (!(a <= x && b >= x + 1)) continue;
            if (a < x && (x - a >= b - x - 1 || b == x + 1)) b = x;
            else if (b > x + 1) a = x + 1;
            else { a = 0; b = 1; }
        }
    }
    shuffle(iv.begin(), iv.end(), rng);
    printf("%lld %lld\n", n, L);
    for (auto& [a, b] : iv) printf("%lld %lld\n", a, b);
}
