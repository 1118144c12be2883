// Wrong: Dijkstra whose "infinity" is 1e9, less than a long route takes: far towns look unreachable.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<vector<pair<int, long long>>> adj(n + 1);
    for (int j = 0; j < m; j++) {
        int u, v;
        long long w;
        scanf("%d %d %lld", &u, &v, &w);
        adj[u].push_back({v, w});
        adj[v].push_back({u, w});
    }
    const long long INF = 1000000000;
    vector<long long> dist(n + 1, INF);
    vector<int> from(n + 1, 0);
    priority_queue<pair<long long, int>, vector<pair<long long, int>>, greater<>> pq;
    dist[1] = 0;
    pq.push({0, 1});
    while (!pq.empty()) {
        auto [d, u] = pq.top();
        pq.pop();
        if (d != dist[u]) continue;
        for (auto [v, w] : adj[u])
            if (d + w < dist[v]) {
                dist[v] = d + w;
                from[v] = u;
                pq.push({dist[v], v});
            }
    }
    if (dist[n] == INF) {
        puts("-1");
        return 0;
    }
    vector<int> route;
    for (int v = n; v != 0; v = from[v]) route.push_back(v);
    reverse(route.begin(), route.end());
    printf("%lld %zu\n", dist[n], route.size());
    for (size_t i = 0; i < route.size(); i++) printf("%d%c", route[i], i + 1 == route.size() ? '\n' : ' ');
}
