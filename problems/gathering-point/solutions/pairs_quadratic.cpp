// Correct but too slow: on a line, intervals that meet pairwise all share a point, so the answer
// is the largest over pairs of |x_i - x_j| / (v_i + v_j). O(n^2) pairs.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<long long> x(n), v(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &x[i], &v[i]);
    double best = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            best = max(best, (double)llabs(x[i] - x[j]) / (double)(v[i] + v[j]));
    printf("%.9f\n", best);
}
