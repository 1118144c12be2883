// Binary search on a range [lo, hi] that always holds a local minimum: compare p[mid] with
// p[mid+1] and keep the half on the smaller side. 2 questions a step, 34 at most for n = 1e5.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    map<int, int> seen;
    auto ask = [&](int i) {
        auto it = seen.find(i);
        if (it != seen.end()) return it->second;
        printf("? %d\n", i);
        fflush(stdout);
        int v;
        scanf("%d", &v);
        return seen[i] = v;
    };
    int lo = 1, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ask(mid) < ask(mid + 1)) hi = mid;
        else lo = mid + 1;
    }
    printf("! %d\n", lo);
    fflush(stdout);
}
