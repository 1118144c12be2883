// Grader of "mountain-relay": reads the map and the questions, calls lowest_ceilings once and
// prints its answers, one per line.
#include "relay.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static int readInt() {
    int c = getchar();
    while (c != '-' && (c < '0' || c > '9')) c = getchar();
    bool neg = c == '-';
    if (neg) c = getchar();
    int x = 0;
    while (c >= '0' && c <= '9') { x = x * 10 + (c - '0'); c = getchar(); }
    return neg ? -x : x;
}

int main() {
    int n = readInt(), m = readInt();
    std::vector<int> u(m), v(m), h(m);
    for (int j = 0; j < m; j++) { u[j] = readInt(); v[j] = readInt(); h[j] = readInt(); }
    int q = readInt();
    std::vector<int> s(q), t(q);
    for (int k = 0; k < q; k++) { s[k] = readInt(); t[k] = readInt(); }
    std::vector<int> ans = lowest_ceilings(n, u, v, h, s, t);
    if ((int)ans.size() != q) {
        fprintf(stderr, "lowest_ceilings returned %zu answers, expected %d\n", ans.size(), q);
        return 3;
    }
    std::string buf;
    char tmp[24];
    for (int a : ans) { snprintf(tmp, sizeof tmp, "%d\n", a); buf += tmp; }
    fwrite(buf.data(), 1, buf.size(), stdout);
    return 0;
}
