"""Copy 0 tells the manager nothing and hands the bit to copy 1 past it: through an abstract unix
socket, SysV shared memory, files in /tmp, /dev/shm or the work directory, and by writing copy 1's
answer into copy 1's own FIFO. Each way that works is reported on stderr as LEAKED; isolated
copies score 0."""

import ctypes
import os
import socket
import sys
import time

inbox, outbox, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
NAME = b"\0cpsolve-whisper"
KEY = 0x77697370
FILES = ["/tmp/cpsolve-whisper", "/dev/shm/cpsolve-whisper", "cpsolve-whisper"]
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p


def shm_put(bit: str) -> None:
    ident = libc.shmget(KEY, 4096, 0o1666)  # IPC_CREAT | 0666
    addr = libc.shmat(ident, None, 0) if ident >= 0 else None
    if addr not in (None, ctypes.c_void_p(-1).value):
        ctypes.memmove(addr, bit.encode(), 1)


def shm_get() -> str:
    ident = libc.shmget(KEY, 0, 0)
    addr = libc.shmat(ident, None, 0) if ident >= 0 else None
    if addr in (None, ctypes.c_void_p(-1).value):
        return ""
    return ctypes.string_at(addr, 1).decode()


def first_copy() -> None:
    with open(inbox) as f:
        bit = f.readline().strip()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(NAME)
        server.listen(1)
        server.setblocking(False)
    except OSError:
        server = None
    shm_put(bit)
    for path in FILES:
        try:
            with open(path, "w") as f:
                f.write(bit)
        except OSError:
            pass
    with open(outbox, "w") as f:
        f.write("0\n")  # the honest channel carries nothing
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        if server is not None:
            try:
                conn, _ = server.accept()
                conn.sendall(bit.encode())
                conn.close()
            except OSError:
                pass
        try:
            fd = os.open("u1_to_m", os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, (bit + "\n").encode())
            os.close(fd)
            print("LEAKED by opening the other copy's FIFO", file=sys.stderr)
            return
        except OSError:
            pass
        time.sleep(0.01)


def second_copy() -> None:
    with open(inbox) as f:
        f.readline()
    heard = ""
    for _ in range(50):
        try:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(NAME)
            heard = client.recv(1).decode()
            print("LEAKED through an abstract socket", file=sys.stderr)
            break
        except OSError:
            time.sleep(0.01)
    if not heard and (heard := shm_get()):
        print("LEAKED through SysV shared memory", file=sys.stderr)
    for path in FILES:
        try:
            with open(path) as f:
                heard = heard or f.read(1)
            print(f"LEAKED through {path}", file=sys.stderr)
        except OSError:
            pass
    with open(outbox, "w") as f:
        f.write(heard + "\n")


first_copy() if index == 0 else second_copy()
