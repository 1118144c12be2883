// Two BFS and a formula: t = max over exits E of f(E) - d(E) - 1 (capped by f(S) - 1), where d
// is the plain distance from S. Exact when K = 1 (the fire then reaches E no later than
// through any burning cell of a shortest route), wrong for K > 1.
#include <bits/stdc++.h>
using namespace std;
int h, w;
long long K;
vector<char> g;
vector<long long> fire;
vector<int> dist, q;
const long long INF = LLONG_MAX / 4;

bool escapes(long long t, int s) {
    if (t >= fire[s]) return false;
    fill(dist.begin(), dist.end(), -1);
    int head = 0, tail = 0;
    q[tail++] = s;
    dist[s] = 0;
    while (head < tail) {
        int x = q[head++];
        if (g[x] == 'E') return true;
        int r = x / w, c = x % w;
        int nb[4] = {r > 0 ? x - w : -1, r + 1 < h ? x + w : -1, c > 0 ? x - 1 : -1, c + 1 < w ? x + 1 : -1};
        for (int y : nb)
            if (y >= 0 && g[y] != '#' && dist[y] < 0 && t + dist[x] + 1 < fire[y]) {
                dist[y] = dist[x] + 1;
                q[tail++] = y;
            }
    }
    return false;
}

int main() {
    scanf("%d %d %lld", &h, &w, &K);
    g.resize((size_t)h * w);
    static char row[1100000];
    int s = 0;
    for (int r = 0; r < h; r++) {
        scanf("%s", row);
        for (int c = 0; c < w; c++) {
            g[r * w + c] = row[c];
            if (row[c] == 'S') s = r * w + c;
        }
    }
    int n = h * w;
    fire.assign(n, INF);
    dist.assign(n, -1);
    q.assign(n, 0);
    int head = 0, tail = 0;
    for (int x = 0; x < n; x++) if (g[x] == 'F') { fire[x] = 0; q[tail++] = x; }
    while (head < tail) {
        int x = q[head++];
        int r = x / w, c = x % w;
        int nb[4] = {r > 0 ? x - w : -1, r + 1 < h ? x + w : -1, c > 0 ? x - 1 : -1, c + 1 < w ? x + 1 : -1};
        for (int y : nb)
            if (y >= 0 && g[y] != '#' && fire[y] == INF) { fire[y] = fire[x] + K; q[tail++] = y; }
    }
    // Wrong for K > 1: along a shortest route to an exit E, the fire can reach a middle cell
    // before it reaches E, so "t < f(E) - d(E)" does not make the whole route safe.
    vector<int> d(n, -1);
    head = tail = 0;
    q[tail++] = s;
    d[s] = 0;
    long long best = -1;
    bool forever = false;
    while (head < tail) {
        int x = q[head++];
        if (g[x] == 'E') {
            if (fire[x] == INF && fire[s] == INF) forever = true;
            best = max(best, min(fire[s] - 1, fire[x] - d[x] - 1));
        }
        int r = x / w, c = x % w;
        int nb[4] = {r > 0 ? x - w : -1, r + 1 < h ? x + w : -1, c > 0 ? x - 1 : -1, c + 1 < w ? x + 1 : -1};
        for (int y : nb)
            if (y >= 0 && g[y] != '#' && g[y] != 'F' && d[y] < 0) { d[y] = d[x] + 1; q[tail++] = y; }
    }
    if (forever) puts("forever");
    else printf("%lld\n", best < 0 ? -1LL : best);
}
