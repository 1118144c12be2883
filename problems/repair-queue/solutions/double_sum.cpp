// Wrong: the right order, but the total is summed in a double, which cannot hold every integer
// above 2^53, so the last digits of large answers are lost.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<pair<double, double>> job(n);
    for (auto& [t, c] : job) scanf("%lf %lf", &t, &c);
    sort(job.begin(), job.end(), [](const auto& a, const auto& b) {
        return a.first / a.second < b.first / b.second;
    });
    double now = 0, total = 0;
    for (auto [t, c] : job) now += t, total += c * now;
    printf("%.0f\n", total);
}
