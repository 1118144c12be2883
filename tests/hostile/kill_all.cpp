// Signals everything it can reach: kill(-1), its parent, pid 1. Expected: AC ("alive"), and the
// sandbox keeps working.
#include <csignal>
#include <cstdio>
#include <unistd.h>
int main() {
    kill(-1, SIGKILL);
    kill(getppid(), SIGKILL);
    kill(getppid(), SIGSTOP);
    kill(1, SIGKILL);
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);  // its own process group: only itself, and it ignores SIGTERM
    std::puts("alive");
    return 0;
}
