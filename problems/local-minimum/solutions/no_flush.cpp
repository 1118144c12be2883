// Wrong: the right algorithm, but it never flushes its questions, so they sit in its buffer and
// both sides wait for each other until the time runs out.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    auto ask = [&](int i) {
        printf("? %d\n", i);
        int v;
        scanf("%d", &v);
        return v;
    };
    int lo = 1, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ask(mid) < ask(mid + 1)) hi = mid;
        else lo = mid + 1;
    }
    printf("! %d\n", lo);
}
