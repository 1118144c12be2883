# Width increasing, height decreasing among equal widths, then the longest strictly increasing
# subsequence of heights with bisect. Each frame is packed into one integer key
# (width * 2^30 + (2^30 - 1 - height)) so that the sort compares plain integers.
import sys
from bisect import bisect_left

MASK = (1 << 30) - 1


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    keys = sorted(
        (a << 30) | (MASK - b)
        for a, b in zip(map(int, data[1 : 2 * n + 1 : 2]), map(int, data[2 : 2 * n + 2 : 2]))
    )
    tails: list[int] = []
    for key in keys:
        b = MASK - (key & MASK)
        k = bisect_left(tails, b)
        if k == len(tails):
            tails.append(b)
        else:
            tails[k] = b
    print(len(tails))


main()
