"""Input validators that accept with exit code 42 (Kattis), run where cpsolve expects exit 0.

cpsolve's validators accept an input by exiting 0. A Kattis input validator accepts by exiting 42
and rejects with anything else. `wrap_exit42` writes, beside the original, a program that runs
it unchanged and exits 0 exactly when it exited 42 (1 otherwise): the original's text inside,
C++ behind macros over `main` and `exit` (the sandbox allows no fork), Python run by `exec`.
"""

from __future__ import annotations

from pathlib import Path

from cpsolve.errors import UserError

_CPP = """// written by cpsolve: runs {name} and exits 0 when it exits 42 (Kattis: valid)
#include <bits/stdc++.h>
[[noreturn]] inline void cpsolve_exit42(int code) {{ std::exit(code == 42 ? 0 : 1); }}
namespace std {{ using ::cpsolve_exit42; }}
template <class F> int cpsolve_call42(F f, int argc, char** argv) {{
  if constexpr (std::is_invocable_v<F, int, char**>) return f(argc, argv);
  else return f();
}}
#define exit(code) cpsolve_exit42(code)
#define main cpsolve_validator_main
{source}
#undef main
#undef exit
int main(int argc, char** argv) {{
  int code = cpsolve_call42(cpsolve_validator_main, argc, argv);
  std::fflush(nullptr);
  return code == 42 ? 0 : 1;
}}
"""

_PY = """# written by cpsolve: runs the validator below and exits 0 when it exits 42 (Kattis: valid)
import sys

SOURCE = {source!r}
try:
    exec(compile(SOURCE, {name!r}, "exec"), {{"__name__": "__main__"}})
    code = 0
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else 1
sys.stdout.flush()
sys.exit(0 if code == 42 else 1)
"""


def wrap_exit42(source: Path) -> Path:
    """Write the wrapper beside `source` (C++ or Python) and return its path."""
    suffix = source.suffix.lower()
    if suffix in (".cpp", ".cc", ".cxx"):
        target = source.with_name(f"cpsolve_exit42{suffix}")
        target.write_text(_CPP.format(name=source.name, source=source.read_text()))
        return target
    if suffix == ".py":
        target = source.with_name("cpsolve_exit42.py")
        target.write_text(_PY.format(source=source.read_text(), name=source.name))
        return target
    raise UserError(f"{source}: input validators in '{suffix}' are not supported (C++, Python)")
