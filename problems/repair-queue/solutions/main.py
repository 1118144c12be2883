# Sort by t / c (exchange argument). Two different ratios with t, c <= 1e4 differ by at least
# 1e-8 relative to a value below 1e4, far above double rounding, and equal ratios may go in any
# order, so a float key is exact enough; the sum is a Python integer.
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    t = list(map(int, data[1 : 2 * n + 1 : 2]))
    c = list(map(int, data[2 : 2 * n + 2 : 2]))
    order = sorted(range(n), key=lambda i: t[i] / c[i])
    now = total = 0
    for i in order:
        now += t[i]
        total += c[i] * now
    print(total)


main()
