// Starts threads until the system refuses. Expected: RE (thread creation fails at once).
#include <thread>
#include <vector>
#include <unistd.h>
int main() {
    std::vector<std::thread> threads;
    for (;;) threads.emplace_back([] { pause(); });
}
