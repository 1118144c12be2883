// Interactor (testlib convention): interactor INPUT OUTPUT ANSWER. Reads the hidden permutation
// from INPUT, talks to the program on stdin/stdout, writes a one-line summary to OUTPUT.
// Exit 0: a local minimum was found; 1: wrong answer (wrong position, too many questions, no
// answer); 2: protocol violation (malformed line, position out of range).
#include <bits/stdc++.h>
using namespace std;

static const int MAX_QUESTIONS = 40;
static FILE* tout = nullptr;

[[noreturn]] static void verdict(int code, const string& msg) {
    const char* what = code == 0 ? "ok" : code == 1 ? "wrong answer" : code == 2 ? "protocol violation" : "FAIL";
    fprintf(stderr, "%s %s\n", what, msg.c_str());
    if (tout) fprintf(tout, "%s %s\n", what, msg.c_str()), fclose(tout);
    exit(code);
}

// reads a whole integer token; a protocol violation when there is none
static long long readPosition(const char* cmd) {
    char buf[32];
    if (scanf("%31s", buf) != 1) verdict(2, string("'") + cmd + "' without a position");
    size_t len = strlen(buf);
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)buf[i]) && !(i == 0 && buf[i] == '-' && len > 1))
            verdict(2, string("'") + cmd + "' with a malformed position '" + buf + "'");
    if (len > 18) verdict(2, "position too long");
    return atoll(buf);
}

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);  // a program that exits early must not kill the interactor
    if (argc < 3) verdict(3, "usage: interactor input output answer");
    FILE* in = fopen(argv[1], "r");
    if (!in) verdict(3, "cannot read the input file");
    tout = fopen(argv[2], "w");
    int n;
    if (fscanf(in, "%d", &n) != 1) verdict(3, "bad input file");
    vector<long long> p(n + 2, LLONG_MAX);
    for (int i = 1; i <= n; i++)
        if (fscanf(in, "%lld", &p[i]) != 1) verdict(3, "bad input file");
    fclose(in);
    printf("%d\n", n);
    fflush(stdout);
    int asked = 0;
    char cmd[8];
    while (true) {
        if (scanf("%7s", cmd) != 1) verdict(1, "the program ended without an answer");
        if (strcmp(cmd, "?") == 0) {
            long long i = readPosition("?");
            if (i < 1 || i > n) verdict(2, "question about position " + to_string(i) + " outside [1, n]");
            if (++asked > MAX_QUESTIONS) verdict(1, "more than " + to_string(MAX_QUESTIONS) + " questions");
            printf("%lld\n", p[i]);
            fflush(stdout);
        } else if (strcmp(cmd, "!") == 0) {
            long long k = readPosition("!");
            if (k < 1 || k > n) verdict(1, "answer " + to_string(k) + " outside [1, n]");
            if (p[k] < p[k - 1] && p[k] < p[k + 1])
                verdict(0, "found local minimum " + to_string(k) + " in " + to_string(asked) + " questions");
            verdict(1, "position " + to_string(k) + " is not a local minimum");
        } else {
            verdict(2, string("unknown command '") + cmd + "'");
        }
    }
}
