// Partial (64 bits, score 0.7): the same idea with two 32-bit numbers, sum mod 2^32 and
// sum i*A[i] modulo the prime 2^31 - 1.
#include <bits/stdc++.h>
using namespace std;
const long long Q = 2147483647LL;
long long power(long long b, long long e) {
    long long r = 1;
    for (b %= Q; e; e >>= 1, b = b * b % Q) if (e & 1) r = r * b % Q;
    return r;
}
int main(int argc, char** argv) {
    // fifo_io: argv[1] is the pipe from the manager, argv[2] the pipe to it
    if (argc < 3 || !freopen(argv[1], "r", stdin) || !freopen(argv[2], "w", stdout)) return 1;
    int role, n;
    scanf("%d %d", &role, &n);
    vector<long long> v(n + 1);
    uint32_t s1 = 0;
    long long s2 = 0;
    for (int i = 1; i <= n; i++) {
        scanf("%lld", &v[i]);
        s1 += (uint32_t)v[i];
        s2 = (s2 + i * v[i]) % Q;
    }
    if (role == 0) {
        string bits;
        for (int k = 31; k >= 0; k--) bits += char('0' + ((s1 >> k) & 1));
        for (int k = 31; k >= 0; k--) bits += char('0' + ((s2 >> k) & 1));
        printf("%s\n", bits.c_str());
        return 0;
    }
    int len;
    static char buf[1 << 22];
    scanf("%d %s", &len, buf);
    uint32_t a1 = 0;
    long long a2 = 0;
    for (int k = 0; k < 32; k++) a1 = a1 * 2 + (buf[k] - '0');
    for (int k = 32; k < 64; k++) a2 = a2 * 2 + (buf[k] - '0');
    long long d = (int32_t)(a1 - s1);
    long long c = ((a2 - s2) % Q + Q) % Q;
    long long p = c * power((d % Q + Q) % Q, Q - 2) % Q;
    printf("%lld %lld\n", p, v[p] + d);
}
