"""Manager of `whisper`: arguments u0_to_m m_to_u0 u1_to_m m_to_u1. Only one character passes
from copy 0 to copy 1, through here."""

import sys

bit = sys.stdin.read().strip()
with open(sys.argv[2], "w") as to_first:
    to_first.write(bit + "\n")
with open(sys.argv[1]) as from_first:
    said = from_first.readline()[:1]
with open(sys.argv[4], "w") as to_second:
    to_second.write((said if said in ("0", "1") else "?") + "\n")
with open(sys.argv[3]) as from_second:
    answer = from_second.readline().strip()
ok = answer == bit
print(1.0 if ok else 0.0)
print("translate:success" if ok else "translate:wrong", file=sys.stderr)
