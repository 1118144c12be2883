// Wrong: meets at the middle of the leftmost and rightmost friend, ignoring the speeds.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<long long> x(n), v(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &x[i], &v[i]);
    long double p = ((long double)*min_element(x.begin(), x.end()) +
                     *max_element(x.begin(), x.end())) / 2;
    long double t = 0;
    for (int i = 0; i < n; i++) t = max(t, fabsl(x[i] - p) / v[i]);
    printf("%.9Lf\n", t);
}
