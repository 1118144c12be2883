// Manager of "ledger-repair" (CMS communication convention).
// argv: from_user_0 to_user_0 from_user_1 to_user_1 (instance 0 plays Alice, instance 1 Bob).
// Reads the test (N, Alice's ledger A, Bob's ledger B) on stdin, sends "0 N A" to Alice, reads
// her bit string, sends "1 N B L bits" to Bob, reads his "position value" and prints the score
// in [0, 1] on stdout and a message on stderr.
#include <bits/stdc++.h>
#include <fcntl.h>
#include <unistd.h>
using namespace std;

static const long long MAX_BITS = 1 << 21;

[[noreturn]] static void finish(double score, const string& msg) {
    printf("%.6f\n", score);
    fflush(stdout);
    fprintf(stderr, "%s\n", msg.c_str());
    exit(0);
}

struct Channel {
    FILE* in;   // what the instance writes
    FILE* out;  // what the instance reads
};

// Opens an instance's FIFOs in the CMS order: first the instance's input (blocks until the
// instance's side has opened its stdin), then its output. The instance cannot start reading
// before a writer is there, so it never sees a premature end of file.
static Channel openChannel(const char* fromUser, const char* toUser) {
    int wfd = open(toUser, O_WRONLY);
    int rfd = open(fromUser, O_RDONLY);
    if (rfd < 0 || wfd < 0) finish(0, "manager could not open the FIFOs");
    return {fdopen(rfd, "r"), fdopen(wfd, "w")};
}

static void send(Channel& c, const string& s) {
    if (fwrite(s.data(), 1, s.size(), c.out) != s.size() || fflush(c.out) != 0)
        finish(0, "the program stopped reading");
}

static string joined(const vector<long long>& v) {
    string s;
    for (size_t i = 0; i < v.size(); i++) {
        s += to_string(v[i]);
        s += i + 1 == v.size() ? '\n' : ' ';
    }
    return s;
}

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc < 5) finish(0, "manager needs 4 FIFO paths");
    int n;
    if (scanf("%d", &n) != 1) finish(0, "bad test input");
    vector<long long> a(n), b(n);
    for (auto& x : a) if (scanf("%lld", &x) != 1) finish(0, "bad test input");
    for (auto& x : b) if (scanf("%lld", &x) != 1) finish(0, "bad test input");
    int pos = -1;
    for (int i = 0; i < n; i++) if (a[i] != b[i]) pos = i;

    Channel alice = openChannel(argv[1], argv[2]);
    Channel bob = openChannel(argv[3], argv[4]);
    send(alice, "0\n" + to_string(n) + "\n" + joined(a));
    fclose(alice.out);
    string bits;
    int ch;
    while ((ch = fgetc(alice.in)) != EOF && isspace(ch)) {}
    while (ch == '0' || ch == '1') {
        bits += (char)ch;
        if ((long long)bits.size() > MAX_BITS) finish(0, "Alice's message is longer than 2^21 bits");
        ch = fgetc(alice.in);
    }
    if (bits.empty()) finish(0, "Alice sent no message");
    if (ch != '\n' && ch != EOF && !isspace(ch)) finish(0, "Alice's message holds a character other than 0 and 1");
    send(bob, "1\n" + to_string(n) + "\n" + joined(b) + to_string(bits.size()) + "\n" + bits + "\n");
    fclose(bob.out);
    long long p, v;
    if (fscanf(bob.in, "%lld %lld", &p, &v) != 2) finish(0, "Bob did not answer two integers");
    if (p != pos + 1 || v != a[pos]) finish(0, "Bob repaired the wrong entry or with the wrong value");
    long long L = bits.size();
    string m = "correct with " + to_string(L) + " bits";
    if (L <= 42) finish(1.0, m);
    if (L <= 64) finish(0.7, m);
    if (L <= 128) finish(0.4, m);
    finish(0.15, m);
}
