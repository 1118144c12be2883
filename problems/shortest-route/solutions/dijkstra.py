# Dijkstra from town n (heapq), then walk forward from town 1, each time taking the first road
# that stays on a shortest route. Often prints a different route than the C++ solution.
# Heap entries are single integers (distance * 2^18 + town) to keep the inner loop cheap.
import sys
from heapq import heappop, heappush

SHIFT = 18
MASK = (1 << SHIFT) - 1


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    us = list(map(int, data[2 : 2 + 3 * m : 3]))
    vs = list(map(int, data[3 : 3 + 3 * m : 3]))
    ws = list(map(int, data[4 : 4 + 3 * m : 3]))
    del data
    to: list[list[int]] = [[] for _ in range(n + 1)]
    cost: list[list[int]] = [[] for _ in range(n + 1)]
    for u, v, w in zip(us, vs, ws):
        to[u].append(v)
        cost[u].append(w)
        to[v].append(u)
        cost[v].append(w)
    inf = 1 << 62
    dist = [inf] * (n + 1)
    dist[n] = 0
    heap = [n]
    while heap:
        key = heappop(heap)
        u = key & MASK
        d = key >> SHIFT
        if d != dist[u]:
            continue
        for v, w in zip(to[u], cost[u]):
            nd = d + w
            if nd < dist[v]:
                dist[v] = nd
                heappush(heap, (nd << SHIFT) | v)
    if dist[1] == inf:
        print(-1)
        return
    route = [1]
    u = 1
    while u != n:
        u = next(v for v, w in zip(to[u], cost[u]) if dist[v] + w == dist[u])
        route.append(u)
    sys.stdout.write(f"{dist[1]} {len(route)}\n{' '.join(map(str, route))}\n")


main()
