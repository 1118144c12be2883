// Double-forks a setsid daemon that tries to outlive the run and plant files in the work
// directories of the runs that follow (w<N+1>, w<N+2>, ... beside its own). Expected: AC for
// the run itself; the next run sees no daemon and no planted file.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
int main() {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return 1;
    std::string dir(cwd);
    size_t slash = dir.rfind('/');
    std::string parent = dir.substr(0, slash);
    long self = std::atol(dir.c_str() + slash + 2);  // work dirs are named w<N>
    if (fork() != 0) return 0;
    setsid();
    if (fork() != 0) _exit(0);
    close(0);
    close(1);
    close(2);
    for (int round = 0; round < 3000; round++) {
        for (long k = 1; k <= 20; k++) {
            std::string path = parent + "/w" + std::to_string(self + k) + "/PWNED";
            FILE *f = std::fopen(path.c_str(), "w");
            if (f) std::fclose(f);
        }
        usleep(10000);
    }
    return 0;
}
