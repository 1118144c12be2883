// Wrong: breadth-first search finds the route with the fewest roads, not the shortest time.
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
    vector<int> from(n + 1, -1);
    vector<long long> dist(n + 1, 0);
    from[1] = 0;
    queue<int> q;
    q.push(1);
    while (!q.empty()) {
        int u = q.front();
        q.pop();
        for (auto [v, w] : adj[u])
            if (from[v] == -1) {
                from[v] = u;
                dist[v] = dist[u] + w;
                q.push(v);
            }
    }
    if (from[n] == -1) {
        puts("-1");
        return 0;
    }
    vector<int> route;
    for (int v = n; v != 0; v = from[v]) route.push_back(v);
    reverse(route.begin(), route.end());
    printf("%lld %zu\n", dist[n], route.size());
    for (size_t i = 0; i < route.size(); i++) printf("%d%c", route[i], i + 1 == route.size() ? '\n' : ' ');
}
