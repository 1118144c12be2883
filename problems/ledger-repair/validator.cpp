// validator [maxN [maxV]]: exit 0 iff stdin is a valid "ledger-repair" test: N, then ledgers A
// and B of N entries in [0, maxV] (default 2^20 - 1) that differ in exactly one entry.
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
    long long maxN = argc > 1 ? atoll(argv[1]) : 100000, maxV = argc > 2 ? atoll(argv[2]) : (1 << 20) - 1;
    long long n;
    if (!readInt(n) || !expect('\n') || n < 1 || n > maxN) return 1;
    vector<long long> led[2];
    for (auto& v : led) {
        v.resize(n);
        for (long long i = 0; i < n; i++) {
            if (!readInt(v[i]) || !expect(i + 1 == n ? '\n' : ' ')) return 1;
            if (v[i] < 0 || v[i] > maxV) return 1;
        }
    }
    int diff = 0;
    for (long long i = 0; i < n; i++) diff += led[0][i] != led[1][i];
    if (diff != 1) return 1;
    return getchar() == EOF ? 0 : 1;
}
