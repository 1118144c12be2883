// validator [maxN [maxD]]: exit 0 iff stdin is a valid "scenic-hike" input.
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
    long long maxN = argc > 1 ? atoll(argv[1]) : 200000, maxD = argc > 2 ? atoll(argv[2]) : 1000000000;
    long long n, d;
    if (!readInt(n) || !expect(' ') || !readInt(d) || !expect('\n')) return 1;
    if (n < 1 || n > maxN || d < 0 || d > maxD) return 1;
    for (long long i = 0; i < n; i++) {
        long long h, v;
        if (!readInt(h) || !expect(' ') || !readInt(v) || !expect('\n')) return 1;
        if (h < 0 || h > 1000000000 || v < 1 || v > 1000000000) return 1;
    }
    return getchar() == EOF ? 0 : 1;
}
