// Forks without end: every child forks too. Expected: TLE, and no process survives the run.
#include <unistd.h>
int main() {
    for (;;) fork();
}
