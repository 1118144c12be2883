// Writes to stdout without end. Expected: OLE.
#include <cstring>
#include <unistd.h>
int main() {
    static char buf[1 << 16];
    memset(buf, 'o', sizeof buf);
    for (;;)
        if (write(1, buf, sizeof buf) < 0) return 1;
}
