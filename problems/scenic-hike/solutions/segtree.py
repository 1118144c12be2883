# Right algorithm, slow language: the segment tree of segtree.cpp in Python (about 2 s on the
# widest full tests, over the 1 s limit; D = 0 tests run near the limit, hence "any" there).
import sys
from bisect import bisect_left, bisect_right


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, d = int(data[0]), int(data[1])
    h = list(map(int, data[2::2]))
    v = list(map(int, data[3::2]))
    xs = sorted(set(h))
    size = 1
    while size < len(xs):
        size *= 2
    t = [0] * (2 * size)
    pos = {x: i + size for i, x in enumerate(xs)}
    ans = 0
    for i in range(n):
        hi_ = h[i]
        lo = bisect_left(xs, hi_ - d) + size
        hi = bisect_right(xs, hi_ + d) - 1 + size
        best = 0
        while lo <= hi:
            if lo & 1:
                if t[lo] > best:
                    best = t[lo]
                lo += 1
            if not hi & 1:
                if t[hi] > best:
                    best = t[hi]
                hi -= 1
            lo >>= 1
            hi >>= 1
        cur = best + v[i]
        if cur > ans:
            ans = cur
        p = pos[hi_]
        if cur > t[p]:
            t[p] = cur
            p >>= 1
            while p and t[p] < cur:
                t[p] = cur
                p >>= 1
    print(ans)


main()
