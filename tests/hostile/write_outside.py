"""Tries to write outside its work directory. argv[1]: a directory on the host.
Expected: AC and no line saying WROTE."""

import os
import sys

here = os.getcwd()
targets = [
    "/tmp/cpsolve-hostile-marker",
    "/dev/shm/cpsolve-hostile-marker",
    "/cpsolve-hostile-marker",
    "/usr/cpsolve-hostile-marker",
    "/etc/cpsolve-hostile-marker",
    "/opt/cpsolve/cpsolve-hostile-marker",
    os.path.join(sys.argv[1], "cpsolve-hostile-marker"),
    os.path.join(os.path.dirname(here), "cpsolve-hostile-marker"),
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "cpsolve-hostile-marker"),
]
for path in targets:
    try:
        with open(path, "w") as f:
            f.write("x")
        print("WROTE", path)
    except OSError as exc:
        print("refused", path, type(exc).__name__)
for path in [os.path.abspath(__file__), "/opt/cpsolve/runner/__main__.py", "/etc/passwd"]:
    try:
        with open(path, "a") as f:
            f.write("# tampered\n")
        print("WROTE", path)
    except OSError as exc:
        print("refused", path, type(exc).__name__)
try:
    os.chmod(os.path.dirname(here), 0o777)
    print("WROTE chmod parent")
except OSError:
    print("refused chmod parent")
