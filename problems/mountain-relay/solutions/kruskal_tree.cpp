// Full solution: Kruskal reconstruction tree. Adding trails from the lowest, each union creates
// a new node whose value is the trail's altitude; the answer for (s, t) is the value of their
// lowest common ancestor (binary lifting). O((M + Q) log).
#include "relay.h"

#include <algorithm>
#include <numeric>
#include <vector>

std::vector<int> lowest_ceilings(int N, std::vector<int> U, std::vector<int> V,
                                 std::vector<int> H, std::vector<int> S, std::vector<int> T) {
    int m = U.size();
    std::vector<int> order(m);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return H[a] < H[b]; });
    std::vector<int> dsu(2 * N), par(2 * N, -1), val(2 * N, 0);
    std::iota(dsu.begin(), dsu.end(), 0);
    auto find = [&](int x) {
        while (dsu[x] != x) x = dsu[x] = dsu[dsu[x]];
        return x;
    };
    int nodes = N;
    for (int j : order) {
        int a = find(U[j]), b = find(V[j]);
        if (a == b) continue;
        int c = nodes++;
        val[c] = H[j];
        par[a] = par[b] = c;
        dsu[a] = dsu[b] = c;
    }
    int LOG = 1;
    while ((1 << LOG) < nodes) LOG++;
    std::vector<std::vector<int>> up(LOG, std::vector<int>(nodes));
    std::vector<int> depth(nodes, 0);
    for (int v = nodes - 1; v >= 0; v--) {  // a parent always has a larger index
        up[0][v] = par[v] < 0 ? v : par[v];
        depth[v] = par[v] < 0 ? 0 : depth[par[v]] + 1;
    }
    for (int k = 1; k < LOG; k++)
        for (int v = 0; v < nodes; v++) up[k][v] = up[k - 1][up[k - 1][v]];
    std::vector<int> ans(S.size());
    for (size_t i = 0; i < S.size(); i++) {
        int a = S[i], b = T[i];
        if (a == b) { ans[i] = 0; continue; }
        if (find(a) != find(b)) { ans[i] = -1; continue; }
        if (depth[a] < depth[b]) std::swap(a, b);
        for (int k = LOG - 1; k >= 0; k--)
            if (depth[a] - (1 << k) >= depth[b]) a = up[k][a];
        for (int k = LOG - 1; k >= 0; k--)
            if (up[k][a] != up[k][b]) { a = up[k][a]; b = up[k][b]; }
        ans[i] = val[up[0][a]];
    }
    return ans;
}
