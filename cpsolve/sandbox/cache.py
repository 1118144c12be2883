"""No work twice: the on-disk compile cache and the in-memory cache of identical executions.

Compile keys hash (language, compile flags, file name, the exact source, extra files): a key
names one binary, so no two programs can ever share an artifact (issue 15: a normalised source
once mapped a program and its wrong twin to one key). Program ids (`sample.stage.program_sha`)
still normalise; only the artifact is keyed on the bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cpsolve.languages import Language
from cpsolve.sandbox.base import Artifact, Limits, RunResult


def default_cache_dir() -> Path:
    env = os.environ.get("CPSOLVE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "cpsolve" / "artifacts"


def compile_key(
    source: str,
    language: Language,
    flags: Sequence[str],
    filename: str,
    extra_files: dict[str, bytes],
    extra_sources: Sequence[str],
) -> str:
    # Whether the runner compiled with its precompiled bits/stdc++.h is left out on purpose: GCC
    # takes a PCH only when it was made by the same compiler with the same code-generation
    # flags, and the binary is byte-identical either way (checked with g++ 12, -O2 -static).
    payload = {
        "v": 3,  # 2: files stored zlib-compressed; 3: the exact source, not the normalised one
        "language": language.value,
        "flags": list(flags),
        "filename": filename,
        "source": hashlib.sha256(source.encode()).hexdigest(),
        "extra": {k: hashlib.sha256(v).hexdigest() for k, v in sorted(extra_files.items())},
        "extra_sources": list(extra_sources),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# ------------------------------------------------------------ compile cache


class CachedArtifact(BaseModel):
    """An artifact with what a runner needs to hold it again (`put`)."""

    model_config = ConfigDict(extra="forbid")

    artifact: Artifact
    entry: str = ""
    files: dict[str, bytes] = {}


class ArtifactCache:
    """Compiled artifacts on disk, zlib-compressed (static binaries shrink about 3x):
    DIR/<key[:2]>/<key>/{meta.json, files/NAME.z}; the most recent ones also in memory."""

    def __init__(self, root: Path | None = None, memory_bytes: int = 256 << 20) -> None:
        self.root = Path(root) if root else default_cache_dir()
        self.memory_bytes = memory_bytes
        self._mem: OrderedDict[str, CachedArtifact] = OrderedDict()
        self._mem_size = 0
        self._lock = threading.Lock()

    def _remember(self, item: CachedArtifact) -> None:
        key = item.artifact.key
        with self._lock:
            if key in self._mem:
                self._mem.move_to_end(key)
                return
            self._mem[key] = item
            self._mem_size += sum(len(v) for v in item.files.values())
            while self._mem_size > self.memory_bytes and len(self._mem) > 1:
                _, old = self._mem.popitem(last=False)
                self._mem_size -= sum(len(v) for v in old.files.values())

    def _dir(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> CachedArtifact | None:
        with self._lock:
            if key in self._mem:
                self._mem.move_to_end(key)
                return self._mem[key]
        d = self._dir(key)
        if not d.exists():
            return None
        try:
            meta = json.loads((d / "meta.json").read_text())
            files = {
                name: zlib.decompress((d / "files" / f"{name}.z").read_bytes())
                for name in meta["files"]
            }
            item = CachedArtifact(
                artifact=Artifact.model_validate(meta["artifact"]), entry=meta["entry"], files=files
            )
            if meta["sums"] != _sums(files):
                raise ValueError("a file's size or sha256 does not match")
        except (OSError, ValueError, KeyError, TypeError, zlib.error):
            _discard(d)  # truncated, altered or from an older format: compiled again
            return None
        self._remember(item)
        return item

    def put(self, item: CachedArtifact) -> None:
        key = item.artifact.key
        self._remember(item)
        d = self._dir(key)
        if d.exists():
            return
        tmp = d.parent / f".{key}.{os.getpid()}.{threading.get_ident()}"
        try:
            (tmp / "files").mkdir(parents=True, exist_ok=True)
            for name, data in item.files.items():
                (tmp / "files" / f"{name}.z").write_bytes(zlib.compress(data, 1))
            meta = {
                "artifact": item.artifact.model_dump(mode="json"),
                "entry": item.entry,
                "files": sorted(item.files),
                "sums": _sums(item.files),
            }
            (tmp / "meta.json").write_text(json.dumps(meta))
            os.rename(tmp, d)
        except OSError:
            pass  # a concurrent writer won, or the cache is not writable: the memory copy serves
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _sums(files: dict[str, bytes]) -> dict[str, list]:
    """Each file's [size, sha256]: an entry is trusted only when its files still match them."""
    return {name: [len(data), hashlib.sha256(data).hexdigest()] for name, data in files.items()}


def _discard(d: Path) -> None:
    """Remove a bad cache entry (renamed away first, so no reader sees it half removed)."""
    gone = d.parent / f".{d.name}.bad.{os.getpid()}.{threading.get_ident()}"
    try:
        os.rename(d, gone)
    except OSError:
        return
    shutil.rmtree(gone, ignore_errors=True)


# ------------------------------------------------------------ execution dedup


def run_key(artifact_key: str, input_sha: str, limits: Limits, args: Sequence[str]) -> str:
    payload = [artifact_key, input_sha, limits.model_dump(mode="json"), list(args)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class RunCache:
    """LRU of run results, bounded by the bytes of output it holds."""

    def __init__(self, max_bytes: int = 256 << 20, max_items: int = 200_000) -> None:
        self.max_bytes, self.max_items = max_bytes, max_items
        self._items: OrderedDict[str, RunResult] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _size(r: RunResult) -> int:
        return len(r.stdout or b"") + len(r.stderr) + 200

    def get(self, key: str, need_output: bool) -> RunResult | None:
        with self._lock:
            r = self._items.get(key)
            if r is None or (need_output and r.stdout is None):
                return None
            self._items.move_to_end(key)
            return r

    def put(self, key: str, result: RunResult) -> None:
        if result.verdict == "SE":
            return  # a sandbox failure is not the program's behaviour: try again next time
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._items[key] = result
            self._bytes += self._size(result)
            while self._items and (
                self._bytes > self.max_bytes or len(self._items) > self.max_items
            ):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)
