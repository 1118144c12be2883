// Writes to stderr without end. Expected: OLE.
#include <cstring>
#include <unistd.h>
int main() {
    static char buf[1 << 16];
    memset(buf, 'e', sizeof buf);
    for (;;)
        if (write(2, buf, sizeof buf) < 0) return 1;
}
