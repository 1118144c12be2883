// Checker (testlib convention): checker INPUT OUTPUT ANSWER, where OUTPUT is the contestant's
// output and ANSWER the jury's. Exit 0: accepted, 1: wrong answer, 2: presentation error,
// 3: the jury's answer is wrong (the contestant found a shorter route).
// Accepts any route from 1 to n whose roads exist, whose total time is the printed d, and whose
// d equals the jury's.
#include <bits/stdc++.h>
using namespace std;

[[noreturn]] static void verdict(int code, const string& msg) {
    fprintf(stderr, "%s %s\n", code == 0 ? "ok" : code == 1 ? "wrong answer" : code == 2 ? "presentation error" : "FAIL", msg.c_str());
    exit(code);
}

struct Tokens {
    vector<string> t;
    size_t i = 0;
    explicit Tokens(const char* path) {
        ifstream f(path);
        string s;
        while (f >> s) t.push_back(s);
    }
    bool done() const { return i == t.size(); }
    // a whole integer token, or a presentation error (a failure, for the jury's files)
    long long next(const char* what, int errcode) {
        if (i == t.size()) verdict(errcode, string("unexpected end of file, expected ") + what);
        const string& s = t[i++];
        size_t k = s[0] == '-' ? 1 : 0;
        bool ok = s.size() > k && s.size() - k <= 18;
        for (size_t j = k; ok && j < s.size(); j++) ok = isdigit((unsigned char)s[j]);
        if (!ok) verdict(errcode, string("expected an integer for ") + what + ", got '" + s.substr(0, 30) + "'");
        return stoll(s);
    }
};

int main(int argc, char** argv) {
    if (argc < 4) verdict(3, "usage: checker input output answer");
    Tokens in(argv[1]), out(argv[2]), ans(argv[3]);
    long long n = in.next("n", 3), m = in.next("m", 3);
    // cheapest road between each pair of towns
    map<pair<long long, long long>, long long> best;
    for (long long j = 0; j < m; j++) {
        long long u = in.next("u", 3), v = in.next("v", 3), w = in.next("w", 3);
        auto key = make_pair(min(u, v), max(u, v));
        auto it = best.find(key);
        if (it == best.end() || w < it->second) best[key] = w;
    }
    long long jury = ans.next("jury d", 3);
    long long d = out.next("d", 2);
    if (d == -1) {
        if (!out.done()) verdict(1, "extra output after -1");
        if (jury != -1) verdict(1, "printed -1 but town n is reachable");
        verdict(0, "unreachable");
    }
    if (jury == -1) verdict(1, "town n is unreachable but a route was printed");
    long long k = out.next("k", 2);
    if (k < 2 || k > n) verdict(1, "k = " + to_string(k) + " is not a possible route length");
    vector<long long> route(k);
    for (auto& c : route) c = out.next("town", 2);
    if (!out.done()) verdict(1, "extra output after the route");
    if (route.front() != 1 || route.back() != n) verdict(1, "the route must start at 1 and end at n");
    long long total = 0;
    for (long long i = 0; i + 1 < k; i++) {
        long long a = route[i], b = route[i + 1];
        if (a < 1 || a > n || b < 1 || b > n) verdict(1, "town number out of range");
        auto it = best.find({min(a, b), max(a, b)});
        if (it == best.end())
            verdict(1, "no road between " + to_string(a) + " and " + to_string(b));
        total += it->second;
    }
    if (total != d) verdict(1, "the route takes " + to_string(total) + " minutes, not " + to_string(d));
    if (d > jury) verdict(1, "route of " + to_string(d) + " minutes, the shortest takes " + to_string(jury));
    if (d < jury) verdict(3, "the contestant's route is shorter than the jury's");
    verdict(0, "shortest route of " + to_string(d) + " minutes, " + to_string(k) + " towns");
}
