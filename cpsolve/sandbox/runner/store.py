"""The runner's artifact store: binaries (or Python sources) by key, least recently used
evicted past a size cap."""

from __future__ import annotations

import hashlib
import os
import shutil
import time

from .protocol import RequestError, plain_name
from .verdicts import elf_memory_mb


class ArtifactStore:
    def __init__(self, art_dir: str, cap_bytes: int, python: str) -> None:
        self.art_dir, self.cap, self.python = art_dir, cap_bytes, python
        self.items: dict[str, dict] = {}  # key -> {"dir", "argv", "size", "used", "static_mb"}

    def put(self, key: str, language: str, entry: str, files: dict[str, bytes]) -> dict:
        plain_name(entry)
        d = os.path.join(self.art_dir, hashlib.sha256(key.encode()).hexdigest()[:32])
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d, 0o755)
        size = 0
        for name, data in files.items():
            path = os.path.join(d, plain_name(name))
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, 0o755 if name == entry and language != "python" else 0o644)
            size += len(data)
        os.chmod(d, 0o755)
        path = os.path.join(d, entry)
        argv = [self.python, path] if language == "python" else [path]
        static = 0.0 if language == "python" else elf_memory_mb(files[entry])
        self.items[key] = {
            "dir": d,
            "argv": argv,
            "size": size,
            "used": time.monotonic(),
            "static_mb": static,
        }
        self.evict()
        return self.items[key]

    def evict(self) -> None:
        total = sum(a["size"] for a in self.items.values())
        for key, art in sorted(self.items.items(), key=lambda kv: kv[1]["used"]):
            if total <= self.cap or len(self.items) <= 1:
                break
            shutil.rmtree(art["dir"], ignore_errors=True)
            total -= art["size"]
            del self.items[key]

    def get(self, key: str) -> dict:
        art = self.items.get(key)
        if art is None:
            raise RequestError("unknown_artifact", f"artifact {key} is not here", key=key)
        art["used"] = time.monotonic()
        return art

    def static_mb(self, key: str) -> float:
        """Memory the binary maps before main (0 for Python or an unknown key)."""
        return self.items.get(key, {}).get("static_mb", 0.0)
