// Wrong: walks from the left while the values go down; far too many questions when the only
// local minimum is far to the right.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    int prev = INT_MAX, i = 1;
    for (; i <= n; i++) {
        printf("? %d\n", i);
        fflush(stdout);
        int v;
        scanf("%d", &v);
        if (v > prev) break;
        prev = v;
    }
    printf("! %d\n", i - 1);
    fflush(stdout);
}
