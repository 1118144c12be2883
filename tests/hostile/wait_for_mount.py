"""Test helper, not an attack: on input "mount" makes the directory `m` and waits (up to 20 s)
until the test has mounted something on it, so that the box cannot be cleaned; on any other
input prints "ok"."""

import os
import sys
import time

if sys.stdin.read().strip() == "mount":
    os.mkdir("m")
    end = time.monotonic() + 20
    while not os.path.ismount("m") and time.monotonic() < end:
        time.sleep(0.02)
    print("mounted" if os.path.ismount("m") else "not mounted")
else:
    print("ok")
