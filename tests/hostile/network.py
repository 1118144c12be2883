"""Tries to reach the network: TCP, UDP, DNS. Expected: AC and no line saying CONNECTED."""

import socket

targets = [("1.1.1.1", 53), ("8.8.8.8", 443), ("127.0.0.1", 22), ("127.0.0.1", 2375)]
for host, port in targets:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            print("CONNECTED", host, port)
    except OSError as exc:
        print("refused", host, port, type(exc).__name__)
try:
    print("CONNECTED dns", socket.getaddrinfo("pypi.org", 443)[0][4])
except OSError:
    print("refused dns")
try:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"x", ("1.1.1.1", 53))
        print("CONNECTED udp")
except OSError:
    print("refused udp")
