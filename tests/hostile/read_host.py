"""Tries to read the host's files. argv[1]: a file the test wrote on the host.
Expected: AC and no line saying LEAKED."""

import os
import sys


def attempt(what, fn):
    try:
        got = fn()
    except OSError as exc:
        print("refused", what, type(exc).__name__)
        return
    print("LEAKED" if got else "empty", what)


def read(path):
    with open(path, "rb") as f:
        return f.read(4096)


attempt("shadow", lambda: read("/etc/shadow"))
attempt("gshadow", lambda: read("/etc/gshadow"))
attempt("secret", lambda: read(sys.argv[1]))
attempt("secret dir", lambda: os.listdir(os.path.dirname(sys.argv[1])))
attempt("/root", lambda: os.listdir("/root"))
attempt("/work", lambda: os.listdir("/work"))
attempt("/home", lambda: [x for x in os.listdir("/home") if os.listdir(os.path.join("/home", x))])
attempt("ssh keys", lambda: read("/root/.ssh/id_rsa"))
attempt("pid 1 environ", lambda: read("/proc/1/environ"))
attempt("parent environ", lambda: read(f"/proc/{os.getppid()}/environ"))
attempt("parent fds", lambda: os.listdir(f"/proc/{os.getppid()}/fd"))
