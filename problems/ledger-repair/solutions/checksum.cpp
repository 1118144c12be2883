// Full solution (42 bits). Alice sends s1 = sum A[i] mod 2^21 and s2 = sum i*A[i] mod P with
// P = 2097143, a prime below 2^21. Bob gets d = A[p] - B[p] from s1 (|d| < 2^20) and then
// p = (s2 - sum i*B[i]) / d mod P, which is unique because P is a prime larger than N and |d|.
#include <bits/stdc++.h>
using namespace std;
const long long M1 = 1 << 21, P = 2097143;
long long power(long long b, long long e) {
    long long r = 1;
    for (b %= P; e; e >>= 1, b = b * b % P) if (e & 1) r = r * b % P;
    return r;
}
int main(int argc, char** argv) {
    // fifo_io: argv[1] is the pipe from the manager, argv[2] the pipe to it
    if (argc < 3 || !freopen(argv[1], "r", stdin) || !freopen(argv[2], "w", stdout)) return 1;
    int role, n;
    scanf("%d %d", &role, &n);
    vector<long long> v(n + 1);
    long long s1 = 0, s2 = 0;
    for (int i = 1; i <= n; i++) {
        scanf("%lld", &v[i]);
        s1 = (s1 + v[i]) % M1;
        s2 = (s2 + i * v[i]) % P;
    }
    if (role == 0) {
        string bits;
        for (int k = 20; k >= 0; k--) bits += char('0' + ((s1 >> k) & 1));
        for (int k = 20; k >= 0; k--) bits += char('0' + ((s2 >> k) & 1));
        printf("%s\n", bits.c_str());
        return 0;
    }
    int len;
    static char buf[1 << 22];
    scanf("%d %s", &len, buf);
    long long a1 = 0, a2 = 0;
    for (int k = 0; k < 21; k++) a1 = a1 * 2 + (buf[k] - '0');
    for (int k = 21; k < 42; k++) a2 = a2 * 2 + (buf[k] - '0');
    long long d = ((a1 - s1) % M1 + M1) % M1;
    if (d >= M1 / 2) d -= M1;
    long long c = ((a2 - s2) % P + P) % P;
    long long p = c * power((d % P + P) % P, P - 2) % P;
    printf("%lld %lld\n", p, v[p] + d);
}
