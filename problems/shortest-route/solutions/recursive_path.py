# Wrong: Dijkstra is right, but the route is printed by a recursive function, which overflows
# Python's recursion limit when the route is long.
import heapq
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for j in range(m):
        u, v, w = int(data[2 + 3 * j]), int(data[3 + 3 * j]), int(data[4 + 3 * j])
        adj[u].append((v, w))
        adj[v].append((u, w))
    inf = float("inf")
    dist = [inf] * (n + 1)
    prev = [0] * (n + 1)
    dist[1] = 0
    heap = [(0, 1)]
    while heap:
        d, u = heapq.heappop(heap)
        if d != dist[u]:
            continue
        for v, w in adj[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                prev[v] = u
                heapq.heappush(heap, (d + w, v))
    if dist[n] == inf:
        print(-1)
        return

    def route(v: int) -> list[int]:
        return [v] if v == 1 else route(prev[v]) + [v]

    r = route(n)
    print(dist[n], len(r))
    print(*r)


main()
