// Correct but slow: Kadane's scan over [l, r] on every query (O(N) per query).
#include "gauges.h"

#include <algorithm>
#include <vector>

static std::vector<long long> a;

void init(int N, std::vector<int> A) { a.assign(A.begin(), A.end()); (void)N; }
void update(int i, int x) { a[i] = x; }
long long best(int l, int r) {
    long long cur = a[l], ans = a[l];
    for (int i = l + 1; i <= r; i++) {
        cur = std::max(cur + a[i], a[i]);
        ans = std::max(ans, cur);
    }
    return ans;
}
