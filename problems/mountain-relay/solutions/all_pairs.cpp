// Too much memory: tabulates the answer for every pair of huts (an N x N table), filling one
// row per hut with a Prim-like sweep. Fine for N <= 1000, far beyond the memory limit for
// N = 200000.
#include "relay.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <vector>

std::vector<int> lowest_ceilings(int N, std::vector<int> U, std::vector<int> V,
                                 std::vector<int> H, std::vector<int> S, std::vector<int> T) {
    std::vector<std::vector<int>> table(N, std::vector<int>(N, -1));
    std::vector<std::vector<std::pair<int, int>>> adj(N);
    for (size_t j = 0; j < U.size(); j++) {
        adj[U[j]].push_back({V[j], H[j]});
        adj[V[j]].push_back({U[j], H[j]});
    }
    for (int s = 0; s < N; s++) {
        std::vector<int>& row = table[s];
        std::priority_queue<std::pair<int, int>, std::vector<std::pair<int, int>>,
                            std::greater<>> pq;
        pq.push({0, s});
        while (!pq.empty()) {
            auto [c, x] = pq.top();
            pq.pop();
            if (row[x] >= 0) continue;
            row[x] = c;
            for (auto [y, h] : adj[x])
                if (row[y] < 0) pq.push({std::max(c, h), y});
        }
    }
    std::vector<int> ans(S.size());
    for (size_t i = 0; i < S.size(); i++) ans[i] = table[S[i]][T[i]];
    return ans;
}
