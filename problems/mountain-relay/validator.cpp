// validator [maxN [maxM [maxQ [chain]]]]: exit 0 iff stdin is a valid "mountain-relay" input
// (with chain = 1: M = N-1 and trail j joins huts j and j+1, in input order).
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
    long long maxN = argc > 1 ? atoll(argv[1]) : 200000, maxM = argc > 2 ? atoll(argv[2]) : 200000;
    long long maxQ = argc > 3 ? atoll(argv[3]) : 200000;
    bool chain = argc > 4 && atoi(argv[4]) == 1;
    long long n, m, q;
    if (!readInt(n) || !expect(' ') || !readInt(m) || !expect('\n')) return 1;
    if (n < 2 || n > maxN || m < 1 || m > maxM) return 1;
    if (chain && m != n - 1) return 1;
    for (long long j = 0; j < m; j++) {
        long long u, v, h;
        if (!readInt(u) || !expect(' ') || !readInt(v) || !expect(' ') || !readInt(h) || !expect('\n')) return 1;
        if (u < 0 || u >= n || v < 0 || v >= n || u == v || h < 1 || h > 1000000000) return 1;
        if (chain && !((u == j && v == j + 1) || (u == j + 1 && v == j))) return 1;
    }
    if (!readInt(q) || !expect('\n') || q < 1 || q > maxQ) return 1;
    for (long long k = 0; k < q; k++) {
        long long s, t;
        if (!readInt(s) || !expect(' ') || !readInt(t) || !expect('\n')) return 1;
        if (s < 0 || s >= n || t < 0 || t >= n) return 1;
    }
    return getchar() == EOF ? 0 : 1;
}
