// validator [maxCells [maxK]]: exit 0 iff stdin is a valid "fire-drill" input: H W K, then H
// rows of W characters from ".#SEF", exactly one S and at least one E.
#include <bits/stdc++.h>
using namespace std;
static bool readInt(long long& x) {
    int c = getchar();
    if (c < '0' || c > '9') return false;
    x = 0;
    int digits = 0;
    while (c >= '0' && c <= '9') { x = x * 10 + (c - '0'); if (++digits > 18) return false; c = getchar(); }
    ungetc(c, stdin);
    return true;
}
static bool expect(int ch) { return getchar() == ch; }
int main(int argc, char** argv) {
    long long maxCells = argc > 1 ? atoll(argv[1]) : 1000000, maxK = argc > 2 ? atoll(argv[2]) : 100;
    long long h, w, k;
    if (!readInt(h) || !expect(' ') || !readInt(w) || !expect(' ') || !readInt(k) || !expect('\n')) return 1;
    if (h < 1 || w < 1 || h * w > maxCells || h * w < 2 || k < 1 || k > maxK) return 1;
    long long s = 0, e = 0;
    for (long long r = 0; r < h; r++) {
        for (long long c = 0; c < w; c++) {
            int ch = getchar();
            if (!strchr(".#SEF", ch) || ch == 0) return 1;
            s += ch == 'S';
            e += ch == 'E';
        }
        if (!expect('\n')) return 1;
    }
    if (s != 1 || e < 1) return 1;
    return getchar() == EOF ? 0 : 1;
}
