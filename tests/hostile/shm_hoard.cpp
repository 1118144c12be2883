// Keeps 512 MiB in detached SysV shared memory segments (under a 256 MB limit) and looks for the
// segments a previous run left. Expected: a verdict, and no later run finds a segment.
#include <cstdio>
#include <cstring>
#include <sys/ipc.h>
#include <sys/shm.h>
int main() {
    const int parts = 8;
    const size_t size = 64u << 20;
    for (int i = 0; i < parts; i++)
        if (shmget(0x5ca1ab1e + i, 0, 0) >= 0) std::printf("LEAKED segment %d\n", i);
    int kept = 0;
    for (int i = 0; i < parts; i++) {
        int id = shmget(0x5ca1ab1e + i, size, IPC_CREAT | 0600);
        if (id < 0) break;
        void *p = shmat(id, nullptr, 0);
        if (p == (void *)-1) break;
        std::memset(p, 1, size);
        shmdt(p);
        kept++;
    }
    std::printf("kept %d MiB\n", kept * 64);
    return 0;
}
