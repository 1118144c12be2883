"""The sandbox image's parts that need no daemon: the Debian mirror read from apt's sources (both
formats), the content-addressed tag, and the one-sentence errors of `cpsolve sandbox build`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cpsolve.errors import UserError
from cpsolve.sandbox import image

ONE_LINE = """\
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb [ arch=amd64 signed-by=/k/x.gpg ] http://one.example/debian bookworm main contrib
deb [arch=amd64] http://two.example/debian bookworm-updates main # trailing comment
deb http://other.example/ubuntu jammy main
"""

DEB822 = """\
# a comment
Types: deb-src
URIs: http://src-only.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://off.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb deb-src
URIs: http://a.example/debian
 http://b.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def test_one_line_sources_skip_comments_sources_and_options() -> None:
    found = image.parse_one_line(ONE_LINE)
    assert [s.uri for s in found] == [
        "http://one.example/debian",
        "http://two.example/debian",
        "http://other.example/ubuntu",
    ]
    assert found[0].suites == ["bookworm"] and found[0].components == ["main", "contrib"]


def test_deb822_sources_read_every_uri_and_skip_disabled_stanzas() -> None:
    found = image.parse_deb822(DEB822)
    assert [s.uri for s in found] == ["http://a.example/debian", "http://b.example/debian"]
    assert found[0].suites == ["bookworm", "bookworm-updates"]


def test_mirror_comes_from_the_files_apt_reads(tmp_path: Path) -> None:
    main = tmp_path / "sources.list"
    main.write_text("deb http://other.example/ubuntu jammy main\n")
    d = tmp_path / "sources.list.d"
    d.mkdir()
    (d / "debian.sources").write_text(DEB822)
    (d / "ignored.sources.disabled").write_text(DEB822.replace("a.example", "no.example"))
    sources = image.apt_sources(main, d)
    assert image.debian_mirror(sources) == "http://a.example/debian"


def test_no_bookworm_mirror_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="--mirror"):
        image.debian_mirror(image.parse_one_line("deb http://x.example/ubuntu jammy main\n"))


def test_tag_follows_the_dockerfile_and_runner() -> None:
    tag = image.default_tag()
    assert tag.startswith(f"{image.REPO}:") and tag.split(":")[1] == image.context_sha()[:12]


def test_build_without_a_daemon_says_what_to_do(tmp_path: Path) -> None:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-daemon.sock"}
    done = subprocess.run(
        [sys.executable, "-m", "cpsolve", "sandbox", "build"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Docker daemon does not answer" in done.stderr and "Traceback" not in done.stderr


def test_the_image_is_built_from_every_runner_file() -> None:
    """The context (and so the tag) covers the Dockerfile, each runner module and launcher.c."""
    names = set(image.read_context())
    modules = {f"runner/{p.name}" for p in image.RUNNER_DIR.glob("*.py")}
    assert {"Dockerfile", "runner/__main__.py", "runner/launcher.c"} <= names
    assert len(modules) > 5 and modules <= names
    assert not any("__pycache__" in n for n in names)


@pytest.mark.slow
def test_the_wheel_carries_the_runner_and_the_image_dockerfile(tmp_path: Path) -> None:
    """A real (not editable) build: the sandbox needs nothing outside the package."""
    repo = Path(__file__).resolve().parents[1]
    src = tmp_path / "src"  # a clean copy: no stale build/ from an earlier build
    shutil.copytree(repo / "cpsolve", src / "cpsolve", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, src / name)
    argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*argv, "-w", str(tmp_path / "dist"), str(src)], check=True, timeout=600)
    [wheel] = (tmp_path / "dist").glob("cpsolve-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    runner = {f"cpsolve/sandbox/{name}" for name in image.read_context() if name != "Dockerfile"}
    assert "cpsolve/sandbox/runner/launcher.c" in runner and runner <= names
    assert "cpsolve/sandbox/runner/Dockerfile" in names
