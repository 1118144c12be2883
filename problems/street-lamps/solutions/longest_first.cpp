// Wrong greedy: among lamps that start in the lit part and reach past it, take the LONGEST one
// (not the one reaching furthest). Always a valid cover, often with too many lamps.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long L;
    scanf("%d %lld", &n, &L);
    vector<array<long long, 3>> v(n);
    for (int i = 0; i < n; i++) { scanf("%lld %lld", &v[i][0], &v[i][1]); v[i][2] = i + 1; }
    sort(v.begin(), v.end());
    priority_queue<array<long long, 3>> pq;  // (length, end, id)
    vector<long long> pick;
    long long reach = 0;
    int i = 0;
    while (reach < L) {
        while (i < n && v[i][0] <= reach) { pq.push({v[i][1] - v[i][0], v[i][1], v[i][2]}); i++; }
        while (!pq.empty() && pq.top()[1] <= reach) pq.pop();
        if (pq.empty()) { puts("-1"); return 0; }
        pick.push_back(pq.top()[2]);
        reach = pq.top()[1];
        pq.pop();
    }
    printf("%zu\n", pick.size());
    for (size_t j = 0; j < pick.size(); j++) printf("%lld%c", pick[j], j + 1 == pick.size() ? '\n' : ' ');
}
