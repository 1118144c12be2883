// Correct but too slow: Bellman-Ford relaxes every road until nothing changes, O(n m) when the
// shortest route has many roads listed in an unlucky order.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<array<long long, 3>> e(m);
    for (auto& [u, v, w] : e) scanf("%lld %lld %lld", &u, &v, &w);
    const long long INF = LLONG_MAX / 2;
    vector<long long> dist(n + 1, INF);
    vector<int> from(n + 1, 0);
    dist[1] = 0;
    for (bool changed = true; changed;) {
        changed = false;
        for (auto [u, v, w] : e) {
            if (dist[u] + w < dist[v]) dist[v] = dist[u] + w, from[v] = u, changed = true;
            if (dist[v] + w < dist[u]) dist[u] = dist[v] + w, from[u] = v, changed = true;
        }
    }
    if (dist[n] >= INF) {
        puts("-1");
        return 0;
    }
    vector<int> route;
    for (int v = n; v != 0; v = from[v]) route.push_back(v);
    reverse(route.begin(), route.end());
    printf("%lld %zu\n", dist[n], route.size());
    for (size_t i = 0; i < route.size(); i++) printf("%d%c", route[i], i + 1 == route.size() ? '\n' : ' ');
}
