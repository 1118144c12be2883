// validator [maxN [maxQ [nonneg]]]: exit 0 iff stdin is a valid "tide-gauges" input
// (with nonneg = 1: every reading, initial or updated, is >= 0).
#include <bits/stdc++.h>
using namespace std;
static bool readInt(long long& x) {
    int c = getchar();
    bool neg = false;
    if (c == '-') { neg = true; c = getchar(); }
    if (c < '0' || c > '9') return false;
    x = 0;
    int digits = 0;
    while (c >= '0' && c <= '9') { x = x * 10 + (c - '0'); if (++digits > 18) return false; c = getchar(); }
    ungetc(c, stdin);
    if (neg) x = -x;
    return true;
}
static bool expect(int ch) { return getchar() == ch; }
int main(int argc, char** argv) {
    long long maxN = argc > 1 ? atoll(argv[1]) : 200000, maxQ = argc > 2 ? atoll(argv[2]) : 200000;
    bool nonneg = argc > 3 && atoi(argv[3]) == 1;
    long long lo = nonneg ? 0 : -1000000000, hi = 1000000000;
    long long n, q;
    if (!readInt(n) || !expect(' ') || !readInt(q) || !expect('\n')) return 1;
    if (n < 1 || n > maxN || q < 1 || q > maxQ) return 1;
    for (long long i = 0; i < n; i++) {
        long long v;
        if (!readInt(v) || !expect(i + 1 == n ? '\n' : ' ')) return 1;
        if (v < lo || v > hi) return 1;
    }
    bool anyQuery = false;
    for (long long k = 0; k < q; k++) {
        long long t, x, y;
        if (!readInt(t) || !expect(' ') || !readInt(x) || !expect(' ') || !readInt(y) || !expect('\n')) return 1;
        if (t == 1) {
            if (x < 0 || x >= n || y < lo || y > hi) return 1;
        } else if (t == 2) {
            if (x < 0 || x > y || y >= n) return 1;
            anyQuery = true;
        } else {
            return 1;
        }
    }
    if (!anyQuery) return 1;
    return getchar() == EOF ? 0 : 1;
}
