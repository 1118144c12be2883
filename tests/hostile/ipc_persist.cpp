// Leaves state where a later run could find it: a SysV shared memory segment, files in /dev/shm
// and /tmp. Expected: AC; the next run finds none of it.
#include <cstdio>
#include <sys/ipc.h>
#include <sys/shm.h>
int main() {
    int id = shmget(0x2badf00d, 4096, IPC_CREAT | 0666);
    std::printf("shm %s\n", id >= 0 ? "created" : "refused");
    const char *paths[] = {"/dev/shm/cpsolve-persist", "/tmp/cpsolve-persist"};
    for (const char *path : paths) {
        FILE *f = std::fopen(path, "w");
        std::printf("%s %s\n", path, f ? "written" : "refused");
        if (f) std::fclose(f);
    }
    return 0;
}
