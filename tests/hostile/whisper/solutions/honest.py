import sys

inbox, outbox = sys.argv[1], sys.argv[2]
with open(inbox) as f:
    line = f.readline().strip()
with open(outbox, "w") as f:
    f.write(line + "\n")
