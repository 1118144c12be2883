// Brute force: Alice sends her whole ledger, 20 bits per entry. Full score only when N <= 2.
#include <bits/stdc++.h>
using namespace std;
int main(int argc, char** argv) {
    // fifo_io: argv[1] is the pipe from the manager, argv[2] the pipe to it
    if (argc < 3 || !freopen(argv[1], "r", stdin) || !freopen(argv[2], "w", stdout)) return 1;
    int role, n;
    scanf("%d %d", &role, &n);
    vector<long long> v(n);
    for (auto& x : v) scanf("%lld", &x);
    if (role == 0) {
        string bits;
        for (long long x : v)
            for (int k = 19; k >= 0; k--) bits += char('0' + ((x >> k) & 1));
        printf("%s\n", bits.c_str());
        return 0;
    }
    int len;
    static char buf[1 << 22];
    scanf("%d %s", &len, buf);
    for (int i = 0; i < n; i++) {
        long long a = 0;
        for (int k = 0; k < 20; k++) a = a * 2 + (buf[20 * i + k] - '0');
        if (a != v[i]) { printf("%d %lld\n", i + 1, a); return 0; }
    }
    printf("1 %lld\n", v[0]);
}
