// Input validator: reads one test on stdin, exits 0 iff it is valid (strict format).
#include <bits/stdc++.h>
using namespace std;

static string in;
static size_t at = 0;

[[noreturn]] static void fail(const string& why) {
    fprintf(stderr, "invalid input at byte %zu: %s\n", at, why.c_str());
    exit(1);
}

static long long readInt(long long lo, long long hi, const char* what) {
    size_t start = at;
    bool neg = at < in.size() && in[at] == '-';
    if (neg) at++;
    size_t digits = at;
    while (at < in.size() && isdigit((unsigned char)in[at])) at++;
    size_t len = at - digits;
    if (len == 0 || len > 18) fail(string(what) + ": integer expected");
    if (in[digits] == '0' && (len > 1 || neg)) fail(string(what) + ": bad leading zero");
    long long v = stoll(in.substr(start, at - start));
    if (v < lo || v > hi) fail(string(what) + " = " + to_string(v) + " out of range");
    return v;
}

static void readChar(char c) {
    if (at >= in.size() || in[at] != c) fail(c == '\n' ? "newline expected" : "space expected");
    at++;
}

static void readEof() {
    if (at != in.size()) fail("extra data after the test");
}

static void readAll() {
    std::ostringstream ss;
    ss << cin.rdbuf();
    in = ss.str();
}

int main() {
    readAll();
    int n = readInt(2, 100000, "n");
    readChar(' ');
    int m = readInt(0, 100000, "m");
    readChar('\n');
    for (int j = 0; j < m; j++) {
        int u = readInt(1, n, "u_j");
        readChar(' ');
        int v = readInt(1, n, "v_j");
        readChar(' ');
        readInt(1, 1000000000, "w_j");
        readChar('\n');
        if (u == v) fail("a road joins a town with itself");
    }
    readEof();
    return 0;
}
