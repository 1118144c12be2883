"""Plants links in the shared work directory of a job, hoping a later (trusted) stage or the
file collection follows them to host files. argv[1]: a file on the host. Expected: AC, and
what later reads or collects these names gets nothing of the targets."""

import os
import sys

links = {
    "answer.txt": "/etc/passwd",
    "secret.txt": sys.argv[1],
    "root": "/",
    "out.txt": "/etc/hosts",
}
for name, target in links.items():
    os.symlink(target, name)
try:
    os.link("/etc/passwd", "hard.txt")
    print("LINKED hard")
except OSError:
    print("refused hard link")
print("planted")
