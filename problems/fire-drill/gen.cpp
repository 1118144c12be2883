// gen H W mode seed K [wallPct fires exits] : one input of "fire-drill" on stdout.
// mode 0: random walls (wallPct %), `fires` fire cells, `exits` exits, S at a random cell;
// mode 1: a serpentine corridor; the fire starts at one end, the exit is the other end and S
// sits in the middle (answers are large); mode 2: like 0, but the fire sits next to the
// straight route between S and an exit.
#include <bits/stdc++.h>
using namespace std;
int main(int argc, char** argv) {
    if (argc < 6) { fprintf(stderr, "usage: gen H W mode seed K [wallPct fires exits]\n"); return 1; }
    int h = atoi(argv[1]), w = atoi(argv[2]), mode = atoi(argv[3]);
    long long k = atoll(argv[5]);
    int wallPct = argc > 6 ? atoi(argv[6]) : 0, fires = argc > 7 ? atoi(argv[7]) : 1;
    int exits = argc > 8 ? atoi(argv[8]) : 1;
    mt19937_64 rng(atoll(argv[4]) * 1000000007ULL + h * 31 + w * 37 + mode * 41 + k);
    auto rnd = [&](long long lo, long long hi) { return lo + (long long)(rng() % (hi - lo + 1)); };
    vector<string> g(h, string(w, '.'));
    if (mode == 1) {
        vector<pair<int, int>> path;
        for (int r = 0; r < h; r++) {
            if (r % 2 == 1) {
                g[r] = string(w, '#');
                int c = (r / 2) % 2 == 0 ? w - 1 : 0;
                g[r][c] = '.';
                path.push_back({r, c});
            } else {
                for (int j = 0; j < w; j++) path.push_back({r, (r / 2) % 2 == 0 ? j : w - 1 - j});
            }
        }
        if (h % 2 == 0) {  // the last row is a wall row with one opening: a dead end, fine
        }
        auto [fr, fc] = path.front();
        auto [er, ec] = path.back();
        auto [sr, sc] = path[path.size() / 2];
        g[fr][fc] = 'F';
        g[er][ec] = 'E';
        g[sr][sc] = 'S';
    } else {
        for (auto& row : g)
            for (auto& c : row) c = (int)rnd(0, 99) < wallPct ? '#' : '.';
        int cells = h * w;
        vector<int> ids;
        set<int> used;
        int want = 1 + fires + exits;
        while ((int)ids.size() < min(want, cells)) {
            int id = (int)rnd(0, cells - 1);
            if (used.insert(id).second) ids.push_back(id);
        }
        g[ids[0] / w][ids[0] % w] = 'S';
        for (int i = 1; i < (int)ids.size(); i++) g[ids[i] / w][ids[i] % w] = i <= exits ? 'E' : 'F';
        if (mode == 2) {  // clear the row of S up to the first exit, put fire beside its middle
            int sr = ids[0] / w, sc = ids[0] % w, ec = ids[1] % w;
            g[ids[1] / w][ec] = '.';
            g[sr][ec] = 'E';
            for (int c = min(sc, ec) + 1; c < max(sc, ec); c++) g[sr][c] = '.';
            int mid = (sc + ec) / 2, fr = sr > 0 ? sr - 1 : sr + 1;
            if (fr < h && mid != sc && mid != ec) g[fr][mid] = 'F';
        }
    }
    printf("%d %d %lld\n", h, w, k);
    for (auto& row : g) printf("%s\n", row.c_str());
}
