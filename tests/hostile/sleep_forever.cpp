// Uses no CPU and never ends. Expected: TLE by the wall clock.
#include <unistd.h>
int main() {
    for (;;) pause();
}
