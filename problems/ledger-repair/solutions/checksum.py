# Full solution in Python: the 42-bit scheme of checksum.cpp.
import sys

M1, P = 1 << 21, 2097143


def main() -> None:
    # fifo_io: argv[1] is the pipe from the manager, argv[2] the pipe to it, opened in that order
    sys.stdin = open(sys.argv[1], "rb")  # noqa: SIM115
    sys.stdout = open(sys.argv[2], "w")  # noqa: SIM115
    data = sys.stdin.read().split()
    role, n = int(data[0]), int(data[1])
    v = [0] + [int(x) for x in data[2 : 2 + n]]
    s1 = sum(v) % M1
    s2 = sum(i * x for i, x in enumerate(v)) % P
    if role == 0:
        sys.stdout.write(format(s1, "021b") + format(s2, "021b") + "\n")
        return
    bits = data[3 + n].decode()
    a1, a2 = int(bits[:21], 2), int(bits[21:42], 2)
    d = (a1 - s1) % M1
    if d >= M1 // 2:
        d -= M1
    p = (a2 - s2) % P * pow(d % P, P - 2, P) % P
    sys.stdout.write(f"{p} {v[p] + d}\n")


main()
