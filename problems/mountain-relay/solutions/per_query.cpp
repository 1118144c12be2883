// Correct but slow: for every question, add trails from the lowest until s and t meet.
// O(Q * M) after one sort.
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
    std::vector<int> dsu(N), ans(S.size());
    auto find = [&](int x) {
        while (dsu[x] != x) x = dsu[x] = dsu[dsu[x]];
        return x;
    };
    for (size_t i = 0; i < S.size(); i++) {
        if (S[i] == T[i]) { ans[i] = 0; continue; }
        std::iota(dsu.begin(), dsu.end(), 0);
        ans[i] = -1;
        for (int j : order) {
            dsu[find(U[j])] = find(V[j]);
            if (find(S[i]) == find(T[i])) { ans[i] = H[j]; break; }
        }
    }
    return ans;
}
