"""The sandbox image: find it, say whether it is current, build it (from a registry or offline).

`build_image(offline=True)` makes the base with debootstrap (minimal Debian bookworm, g++ and
python3) from the Debian mirror that apt on this machine already uses, `docker import`s it, then
builds `cpsolve/sandbox/runner/Dockerfile` on it. The mirror is read from the apt sources, never
written here.
The image carries the sha256 of its Dockerfile and runner files, so a stale image is noticed.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cpsolve.errors import UserError

REPO = "cpsolve-sandbox"
BASE_TAG = "cpsolve-sandbox-base:bookworm"
CODENAME = "bookworm"
PACKAGES = ("g++", "gcc", "libc6-dev", "python3")
CONTEXT_LABEL = "cpsolve.context_sha256"
RUNNER_DIR = Path(__file__).resolve().parent / "runner"  # the in-box runner, with the Dockerfile
DOCKERFILE = RUNNER_DIR / "Dockerfile"
APT_SOURCES = Path("/etc/apt/sources.list")
APT_SOURCES_DIR = Path("/etc/apt/sources.list.d")

Say = Callable[[str], None]


class AptSource(BaseModel):
    uri: str
    suites: list[str]
    components: list[str]


def context_files() -> dict[str, Path]:
    """The build context: the Dockerfile, and every runner source as runner/NAME (its modules
    and launcher.c; not caches)."""
    runner = sorted(p for p in RUNNER_DIR.iterdir() if p.is_file() and p.suffix in (".py", ".c"))
    return {"Dockerfile": DOCKERFILE, **{f"runner/{p.name}": p for p in runner}}


def read_context() -> dict[str, bytes]:
    """What the image is built from, read once (so the tag, label and build agree)."""
    return {name: path.read_bytes() for name, path in context_files().items()}


def context_sha(context: dict[str, bytes] | None = None) -> str:
    h = hashlib.sha256()
    for name, data in sorted((context or read_context()).items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def default_tag(context: dict[str, bytes] | None = None) -> str:
    """The image of this checkout: tagged by what it is built from, so checkouts (or versions)
    sharing a daemon never overwrite each other's image."""
    return f"{REPO}:{context_sha(context)[:12]}"


def sandbox_image() -> str:
    """The image the Docker backend runs: $CPSOLVE_SANDBOX_IMAGE, else this checkout's."""
    return os.environ.get("CPSOLVE_SANDBOX_IMAGE") or default_tag()


def _context_tar(context: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in sorted(context.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


# ---------------------------------------------------------------- apt sources


def parse_one_line(text: str) -> list[AptSource]:
    """Entries of a one-line-style sources.list: `deb [opts] URI suite component...`."""
    found = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        if words and words[0].startswith("["):
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 2:
            found.append(AptSource(uri=words[0], suites=[words[1]], components=words[2:]))
    return found


def _deb822_stanzas(text: str) -> Iterable[dict[str, str]]:
    fields: dict[str, str] = {}
    key = None
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, None
        elif line[0] in " \t" and key is not None:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip().lower()
            fields[key] = value.strip()


def parse_deb822(text: str) -> list[AptSource]:
    """Entries of a deb822-style .sources file (Types/URIs/Suites/Components stanzas)."""
    found = []
    for f in _deb822_stanzas(text):
        if "deb" not in f.get("types", "").split() or f.get("enabled", "yes").lower() == "no":
            continue
        for uri in f.get("uris", "").split():
            found.append(
                AptSource(
                    uri=uri,
                    suites=f.get("suites", "").split(),
                    components=f.get("components", "").split(),
                )
            )
    return found


def apt_sources(
    sources_list: Path = APT_SOURCES, sources_dir: Path = APT_SOURCES_DIR
) -> list[AptSource]:
    """Every `deb` entry apt reads: sources.list, then sources.list.d/*.list and *.sources."""
    found = parse_one_line(sources_list.read_text()) if sources_list.is_file() else []
    if sources_dir.is_dir():
        for path in sorted(sources_dir.iterdir()):
            if path.suffix == ".list":
                found += parse_one_line(path.read_text())
            elif path.suffix == ".sources":
                found += parse_deb822(path.read_text())
    return found


def debian_mirror(sources: list[AptSource] | None = None, codename: str = CODENAME) -> str:
    """The first mirror apt uses that serves `codename` main."""
    for s in apt_sources() if sources is None else sources:
        if codename in s.suites and "main" in s.components:
            return s.uri
    raise UserError(
        f"no Debian {codename} mirror found in the apt sources; add one to {APT_SOURCES} "
        "or pass --mirror URL."
    )


# ---------------------------------------------------------------- docker


def docker_client(timeout: float = 600) -> Any:
    """A Docker SDK client for a daemon that answers; UserError otherwise."""
    import docker  # type: ignore[import-untyped]

    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except Exception:  # the SDK raises several kinds for "no daemon"
        raise UserError(
            "the Docker daemon does not answer; start it (e.g. `dockerd &` or "
            "`systemctl start docker`) and retry."
        ) from None
    return client


def find_image(client: Any, tag: str) -> Any | None:
    import docker  # type: ignore[import-untyped]

    try:
        return client.images.get(tag)
    except docker.errors.ImageNotFound:
        return None


def image_is_current(image: Any, context: dict[str, bytes] | None = None) -> bool:
    """True when the image was built from this checkout's Dockerfile and runner."""
    labels = (image.attrs.get("Config") or {}).get("Labels") or {}
    return labels.get(CONTEXT_LABEL) == context_sha(context)


# ---------------------------------------------------------------- offline base


def _require_offline_tools() -> None:
    if os.geteuid() != 0:
        raise UserError("building the offline base needs root (debootstrap); rerun as root.")
    if shutil.which("debootstrap") is None:
        raise UserError("debootstrap is missing; install it (`apt-get install debootstrap`).")


def _run_logged(argv: list[str], log: Path, what: str) -> None:
    with log.open("ab") as out:
        rc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if rc != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        raise UserError(f"{what} failed (exit {rc}, log in {log}): {tail[0]}")


def _trim_rootfs(root: Path) -> None:
    """Drop what a sandbox never reads, to keep the image small."""
    for rel in (
        "var/cache/apt/archives",
        "var/lib/apt/lists",
        "usr/share/doc",
        "usr/share/man",
        "usr/share/info",
        "usr/share/locale",  # compilers speak English in the box (LANG=C.UTF-8)
    ):
        target = root / rel
        if target.is_dir():
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)


def _unmount_under(root: Path) -> None:
    """Lazily unmount what a failed debootstrap may have left mounted (proc, sys) before the
    scratch directory is deleted."""
    prefix = str(root.resolve()) + "/"
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for point in sorted((m for m in mounts if m.startswith(prefix)), reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def build_offline_base(client: Any, mirror: str, say: Say, workdir: Path) -> str:
    """debootstrap a minimal bookworm with the toolchain and import it as BASE_TAG."""
    _require_offline_tools()
    root, log = workdir / "rootfs", workdir / "debootstrap.log"
    say(f"debootstrap {CODENAME} (minbase + {', '.join(PACKAGES)}) from {mirror}")
    argv = ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}"]
    _run_logged([*argv, CODENAME, str(root), mirror], log, "debootstrap")
    _trim_rootfs(root)
    say("packing and importing the base into Docker")
    tar = workdir / "rootfs.tar"
    excludes = ["--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./dev/*"]
    _run_logged(
        ["tar", "-C", str(root), "--numeric-owner", *excludes, "-cf", str(tar), "."], log, "tar"
    )
    repo, tag = BASE_TAG.split(":")
    client.api.import_image_from_file(str(tar), repository=repo, tag=tag)
    return BASE_TAG


# ---------------------------------------------------------------- build


def _build(client: Any, tag: str, base: str | None, context: dict[str, bytes], say: Say) -> None:
    """Build the runner's Dockerfile; the build's own error message when it fails."""
    say(f"building {tag} from {DOCKERFILE}" + (f" on {base}" if base else ""))
    stream = client.api.build(
        fileobj=_context_tar(context),
        custom_context=True,
        tag=tag,
        rm=True,
        forcerm=True,
        decode=True,
        buildargs={"BASE": base} if base else None,
        labels={CONTEXT_LABEL: context_sha(context)},
    )
    tail: list[str] = []
    for chunk in stream:
        if "error" in chunk:
            hint = "" if base else "; without a registry, use `cpsolve sandbox build --offline`"
            raise UserError(f"docker build of {tag} failed: {chunk['error'].strip()}{hint}")
        line = str(chunk.get("stream", "")).strip()
        if line:
            tail = [*tail[-20:], line]
    if find_image(client, tag) is None:
        raise UserError(f"docker build of {tag} produced no image: {' / '.join(tail[-3:])}")


def _remove_older(client: Any, keep: str) -> None:
    """Drop the images earlier builds left (other versions, untagged ones), unless in use."""
    import docker  # type: ignore[import-untyped]

    kept = client.images.get(keep).id
    for image in client.images.list(REPO):
        for tag in image.tags:
            if tag != keep and tag != f"{REPO}:latest" and image.id != kept:
                with suppress(docker.errors.APIError):  # a container still uses it
                    client.images.remove(tag)
    with suppress(docker.errors.APIError):
        client.images.prune(filters={"dangling": True, "label": CONTEXT_LABEL})


def build_image(
    *,
    tag: str | None = None,
    offline: bool = False,
    force: bool = False,
    mirror: str | None = None,
    say: Say = print,
) -> str:
    """Build the sandbox image (skipped when a current one exists, unless force). Returns a line
    saying what happened."""
    context = read_context()
    tag = tag or default_tag(context)
    client = docker_client()
    image = find_image(client, tag)
    if image is not None and image_is_current(image, context) and not force:
        return f"{tag} is up to date; nothing to do (--force rebuilds)"
    base = None
    if offline:
        base = BASE_TAG
        if force or find_image(client, BASE_TAG) is None:
            url = mirror or debian_mirror()
            scratch = Path(os.environ.get("CPSOLVE_BUILD_DIR", "/var/tmp"))
            with tempfile.TemporaryDirectory(prefix="cpsolve-base-", dir=scratch) as tmp:
                try:
                    build_offline_base(client, url, say, Path(tmp))
                finally:
                    _unmount_under(Path(tmp))
        else:
            say(f"reusing the offline base {BASE_TAG}")
    _build(client, tag, base, context, say)
    if tag == default_tag(context):
        client.images.get(tag).tag(REPO, "latest")
        _remove_older(client, tag)
    return f"built {tag}" + (f" on {base}" if base else "")
