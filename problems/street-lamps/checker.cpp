// CMS checker: checker input correct_output contestant_output
// Prints a score in [0,1] on stdout and a message on stderr. A valid cover with k lamps when
// the fewest possible is k* earns 1 if k == k*, else 0.5 * k* / k.
#include <bits/stdc++.h>
using namespace std;
static void verdict(double s, const string& msg) {
    printf("%.6f\n", s);
    fprintf(stderr, "%s\n", msg.c_str());
    exit(0);
}
int main(int argc, char** argv) {
    if (argc < 4) { fprintf(stderr, "usage: checker input correct contestant\n"); return 1; }
    ifstream in(argv[1]), cor(argv[2]), out(argv[3]);
    long long n, L;
    in >> n >> L;
    vector<long long> a(n + 1), b(n + 1);
    for (long long i = 1; i <= n; i++) in >> a[i] >> b[i];
    long long best;
    if (!(cor >> best)) verdict(0, "judge error: no correct answer");
    string tok;
    if (!(out >> tok)) verdict(0, "empty output");
    long long k;
    try { size_t pos; k = stoll(tok, &pos); if (pos != tok.size()) throw 1; } catch (...) { verdict(0, "first token is not an integer"); }
    if (k == -1) verdict(best == -1 ? 1 : 0, best == -1 ? "correctly impossible" : "a cover exists");
    if (best == -1) verdict(0, "no cover exists but one was claimed");
    if (k < 1 || k > n) verdict(0, "lamp count out of range");
    vector<pair<long long, long long>> ch;
    vector<char> used(n + 1, 0);
    for (long long i = 0; i < k; i++) {
        if (!(out >> tok)) verdict(0, "fewer indices than announced");
        long long id;
        try { size_t pos; id = stoll(tok, &pos); if (pos != tok.size()) throw 1; } catch (...) { verdict(0, "index is not an integer"); }
        if (id < 1 || id > n) verdict(0, "index out of range");
        if (used[id]) verdict(0, "index repeated");
        used[id] = 1;
        ch.push_back({a[id], b[id]});
    }
    if (out >> tok) verdict(0, "extra output");
    sort(ch.begin(), ch.end());
    long long reach = 0;
    for (auto& [x, y] : ch) {
        if (x > reach) verdict(0, "point " + to_string(reach) + " stays dark");
        reach = max(reach, y);
    }
    if (reach < L) verdict(0, "the street end stays dark");
    if (k == best) verdict(1, "optimal");
    verdict(0.5 * best / k, "valid but " + to_string(k) + " lamps, " + to_string(best) + " suffice");
}
