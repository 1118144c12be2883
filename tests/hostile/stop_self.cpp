// Stops itself (SIGSTOP) so that it never exits. Expected: TLE by the wall clock.
#include <csignal>
int main() {
    raise(SIGSTOP);
    return 0;
}
