# Binary search: [lo, hi] always holds a local minimum; keep the side of the smaller of
# p[mid], p[mid + 1].
import sys


def main() -> None:
    n = int(sys.stdin.readline())
    seen: dict[int, int] = {}

    def ask(i: int) -> int:
        if i not in seen:
            print("?", i, flush=True)
            seen[i] = int(sys.stdin.readline())
        return seen[i]

    lo, hi = 1, n
    while lo < hi:
        mid = (lo + hi) // 2
        if ask(mid) < ask(mid + 1):
            hi = mid
        else:
            lo = mid + 1
    print("!", lo, flush=True)


main()
