"""Plants links in its work directory, hoping the sandbox (or, in a job, a later stage or the
file collection) follows them to host files. argv[1]: a file on the host. Expected: AC, and
whatever later reads, collects or removes these names gets nothing of the targets."""

import os
import sys

links = {"answer.txt": "/etc/passwd", "secret.txt": sys.argv[1], "root": "/"}
links["out.txt"] = "/etc/hosts"
for name, target in links.items():
    try:
        os.symlink(target, name)
        print("planted", name)
    except OSError as exc:
        print("refused", name, type(exc).__name__)
try:
    os.link("/etc/passwd", "hard.txt")
    print("LINKED hard")
except OSError:
    print("refused hard link")
print("done")
