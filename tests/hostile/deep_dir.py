"""Leaves a work directory that a recursive clean-up cannot remove: 2000 nested directories, one
made unreadable and unsearchable, a file held open by a child that is still alive when the run
ends. Expected: AC, and the next run (and the next input of the same batch) finds a clean box."""

import os
import sys
import time

base = os.getcwd()
leftover = [n for n in os.listdir(".") if n.startswith("deep")]
print("LEAKED" if leftover else "clean")
sys.stdin.read()
os.mkdir("locked")
with open("locked/held.txt", "w") as f:
    f.write("x" * 4096)
os.mkdir("locked/inner")
os.chmod("locked/inner", 0)
os.chmod("locked", 0)
os.mkdir("deep")
os.chdir("deep")
for _ in range(2000):
    os.mkdir("d")
    os.chdir("d")
with open("bottom.txt", "w") as f:
    f.write("bottom")
os.chdir(base)
if os.fork() == 0:
    with open(os.path.join(base, "deep", "d", "child.txt"), "w") as held:
        time.sleep(30)
    os._exit(0)
print("made")
