"""Fills the disk with files of 512 KiB until writing fails. Expected: RE (no space left)."""

import sys

chunk = b"d" * (512 << 10)
for i in range(1 << 20):
    try:
        with open(f"fill{i}", "wb") as f:
            f.write(chunk)
    except OSError as exc:
        print("full after", i, "files:", exc.strerror, file=sys.stderr)
        sys.exit(1)
