// Grader of "tide-gauges": reads the test, calls init once, then update/best per operation,
// and prints the answer of every best() call on its own line.
#include "gauges.h"

#include <cstdio>
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
    int n = readInt(), q = readInt();
    std::vector<int> a(n);
    for (int& v : a) v = readInt();
    init(n, a);
    std::vector<long long> out;
    for (int k = 0; k < q; k++) {
        int t = readInt(), x = readInt(), y = readInt();
        if (t == 1) update(x, y);
        else out.push_back(best(x, y));
    }
    std::string buf;
    char tmp[32];
    for (long long v : out) { snprintf(tmp, sizeof tmp, "%lld\n", v); buf += tmp; }
    fwrite(buf.data(), 1, buf.size(), stdout);
    return 0;
}
