# Dijkstra from town n (heapq), then walk forward from town 1, each time taking the first road
# that stays on a shortest route. Often prints a different route than the C++ solution.
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
    dist[n] = 0
    heap = [(0, n)]
    while heap:
        d, u = heapq.heappop(heap)
        if d != dist[u]:
            continue
        for v, w in adj[u]:
            nd = d + w
            if nd < dist[v]:
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    if dist[1] == inf:
        print(-1)
        return
    route = [1]
    u = 1
    while u != n:
        u = next(v for v, w in adj[u] if dist[v] + w == dist[u])
        route.append(u)
    sys.stdout.write(f"{dist[1]} {len(route)}\n{' '.join(map(str, route))}\n")


main()
