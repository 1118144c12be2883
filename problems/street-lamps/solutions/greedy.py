# Full solution in Python: the same sweep as greedy.cpp.
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, length = int(data[0]), int(data[1])
    a = data[2::2]
    b = data[3::2]
    order = sorted(range(n), key=lambda i: int(a[i]))
    starts = [int(a[i]) for i in order]
    ends = [int(b[i]) for i in order]
    pick = []
    reach, i = 0, 0
    while reach < length:
        far, who = reach, -1
        while i < n and starts[i] <= reach:
            if ends[i] > far:
                far, who = ends[i], order[i] + 1
            i += 1
        if who < 0:
            print(-1)
            return
        pick.append(who)
        reach = far
    print(len(pick))
    print(" ".join(map(str, pick)))


main()
