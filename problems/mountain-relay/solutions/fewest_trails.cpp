// Wrong: follows a route with the fewest trails (BFS) and reports its highest trail. Right on a
// chain of huts (the route is unique) but too slow there, and wrong on general maps.
#include "relay.h"

#include <algorithm>
#include <vector>

std::vector<int> lowest_ceilings(int N, std::vector<int> U, std::vector<int> V,
                                 std::vector<int> H, std::vector<int> S, std::vector<int> T) {
    std::vector<std::vector<std::pair<int, int>>> adj(N);
    for (size_t j = 0; j < U.size(); j++) {
        adj[U[j]].push_back({V[j], H[j]});
        adj[V[j]].push_back({U[j], H[j]});
    }
    std::vector<int> dist(N), high(N), ans(S.size()), queue(N);
    for (size_t i = 0; i < S.size(); i++) {
        std::fill(dist.begin(), dist.end(), -1);
        dist[S[i]] = 0;
        high[S[i]] = 0;
        int head = 0, tail = 0;
        queue[tail++] = S[i];
        while (head < tail && dist[T[i]] < 0) {
            int x = queue[head++];
            for (auto [y, h] : adj[x])
                if (dist[y] < 0) {
                    dist[y] = dist[x] + 1;
                    high[y] = std::max(high[x], h);
                    queue[tail++] = y;
                }
        }
        ans[i] = dist[T[i]] < 0 ? -1 : high[T[i]];
    }
    return ans;
}
