"""A contestant's process in a job: tries to read the judge's files (answers, hidden input, what
a trusted process wrote) and to leave a file for a later stage. Expected: AC, and it gets none
of them."""

for name in ("answer.txt", "input.txt", "judge_log.txt"):
    try:
        with open(name, "rb") as f:
            print("READ", name, f.read())
    except OSError as exc:
        print("refused", name, type(exc).__name__)
try:
    with open("planted.txt", "w") as f:
        f.write("from the contestant")
    print("WROTE planted.txt")
except OSError as exc:
    print("refused planted.txt", type(exc).__name__)
