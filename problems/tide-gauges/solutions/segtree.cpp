// Full solution: segment tree whose nodes keep (sum, best prefix, best suffix, best inside).
#include "gauges.h"

#include <algorithm>
#include <vector>

namespace {
struct Node {
    long long sum, pre, suf, in;
};
Node leaf(long long v) { return {v, v, v, v}; }
Node join(const Node& a, const Node& b) {
    return {a.sum + b.sum, std::max(a.pre, a.sum + b.pre), std::max(b.suf, b.sum + a.suf),
            std::max({a.in, b.in, a.suf + b.pre})};
}
int n;
std::vector<Node> t;
void build(int v, int lo, int hi, const std::vector<int>& a) {
    if (lo == hi) { t[v] = leaf(a[lo]); return; }
    int mid = (lo + hi) / 2;
    build(2 * v, lo, mid, a);
    build(2 * v + 1, mid + 1, hi, a);
    t[v] = join(t[2 * v], t[2 * v + 1]);
}
void set(int v, int lo, int hi, int i, int x) {
    if (lo == hi) { t[v] = leaf(x); return; }
    int mid = (lo + hi) / 2;
    if (i <= mid) set(2 * v, lo, mid, i, x);
    else set(2 * v + 1, mid + 1, hi, i, x);
    t[v] = join(t[2 * v], t[2 * v + 1]);
}
Node get(int v, int lo, int hi, int l, int r) {
    if (l <= lo && hi <= r) return t[v];
    int mid = (lo + hi) / 2;
    if (r <= mid) return get(2 * v, lo, mid, l, r);
    if (l > mid) return get(2 * v + 1, mid + 1, hi, l, r);
    return join(get(2 * v, lo, mid, l, r), get(2 * v + 1, mid + 1, hi, l, r));
}
}  // namespace

void init(int N, std::vector<int> A) {
    n = N;
    t.assign(4 * n, Node{});
    build(1, 0, n - 1, A);
}
void update(int i, int x) { set(1, 0, n - 1, i, x); }
long long best(int l, int r) { return get(1, 0, n - 1, l, r).in; }
