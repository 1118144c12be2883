// Wrong greedy: walks the trail and stops at every checkpoint it is allowed to (within D of the
// last stop), starting from the most beautiful checkpoint among the first ten.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long d;
    scanf("%d %lld", &n, &d);
    vector<long long> h(n), v(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &h[i], &v[i]);
    int start = 0;
    for (int i = 1; i < min(n, 10); i++) if (v[i] > v[start]) start = i;
    long long sum = v[start], last = h[start];
    for (int i = start + 1; i < n; i++)
        if (llabs(h[i] - last) <= d) { sum += v[i]; last = h[i]; }
    printf("%lld\n", sum);
}
