// Wrong: asks 40 evenly spread positions and answers the smallest value seen, which need not be
// smaller than its neighbours.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    int q = min(n, 40), best = -1, bestv = INT_MAX;
    for (int j = 0; j < q; j++) {
        int i = 1 + (long long)j * n / q;
        printf("? %d\n", i);
        fflush(stdout);
        int v;
        scanf("%d", &v);
        if (v < bestv) bestv = v, best = i;
    }
    printf("! %d\n", best);
    fflush(stdout);
}
