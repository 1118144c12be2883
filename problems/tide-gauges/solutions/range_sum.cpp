// Wrong in general: answers the sum of the whole range with a Fenwick tree. Right only when no
// reading is negative (then taking everything is best).
#include "gauges.h"

#include <vector>

static int n;
static std::vector<long long> fw, val;

static void add(int i, long long d) {
    for (i++; i <= n; i += i & -i) fw[i] += d;
}
static long long pref(int i) {  // sum of val[0..i-1]
    long long s = 0;
    for (; i > 0; i -= i & -i) s += fw[i];
    return s;
}
void init(int N, std::vector<int> A) {
    n = N;
    fw.assign(n + 1, 0);
    val.assign(n, 0);
    for (int i = 0; i < n; i++) { val[i] = A[i]; add(i, A[i]); }
}
void update(int i, int x) { add(i, x - val[i]); val[i] = x; }
long long best(int l, int r) { return pref(r + 1) - pref(l); }
