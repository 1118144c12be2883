# Moebius inversion: coprime pairs = sum over d of mu(d) * C(cnt[d], 2), where cnt[d] counts the
# values divisible by d. The sums over multiples use slices, which run in C; compact arrays keep
# the memory well under the limit.
import sys
from array import array


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    top = max(map(int, data[1 : n + 1]))
    freq = array("i", bytes(4 * (top + 1)))
    for x in map(int, data[1 : n + 1]):
        freq[x] += 1
    del data
    mu = array("b", b"\x01" * (top + 1))
    composite = bytearray(top + 1)
    for p in range(2, top + 1):
        if composite[p]:
            continue
        composite[p::p] = b"\x01" * (top // p)
        for m in range(p, top + 1, p):
            mu[m] = -mu[m]
        for m in range(p * p, top + 1, p * p):
            mu[m] = 0
    total = 0
    for d in range(1, top + 1):
        if mu[d]:
            c = sum(freq[d::d])
            total += mu[d] * (c * (c - 1) // 2)
    print(total)


main()
