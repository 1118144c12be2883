// Wrong: Alice sends only the sum (21 bits); Bob learns the change but guesses its position
// as the first entry where the corrected value would stay in range.
#include <bits/stdc++.h>
using namespace std;
const long long M1 = 1 << 21, MAXV = (1 << 20) - 1;
int main(int argc, char** argv) {
    // fifo_io: argv[1] is the pipe from the manager, argv[2] the pipe to it
    if (argc < 3 || !freopen(argv[1], "r", stdin) || !freopen(argv[2], "w", stdout)) return 1;
    int role, n;
    scanf("%d %d", &role, &n);
    vector<long long> v(n + 1);
    long long s1 = 0;
    for (int i = 1; i <= n; i++) { scanf("%lld", &v[i]); s1 = (s1 + v[i]) % M1; }
    if (role == 0) {
        for (int k = 20; k >= 0; k--) putchar('0' + ((s1 >> k) & 1));
        putchar('\n');
        return 0;
    }
    int len;
    static char buf[1 << 22];
    scanf("%d %s", &len, buf);
    long long a1 = 0;
    for (int k = 0; k < 21; k++) a1 = a1 * 2 + (buf[k] - '0');
    long long d = ((a1 - s1) % M1 + M1) % M1;
    if (d >= M1 / 2) d -= M1;
    for (int i = 1; i <= n; i++)
        if (v[i] + d >= 0 && v[i] + d <= MAXV) { printf("%d %lld\n", i, v[i] + d); return 0; }
    printf("1 %lld\n", v[1] + d);
}
