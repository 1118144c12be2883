"""Start the runner: `python3 -I /opt/cpsolve/runner/__main__.py ARGS` inside the box, where
cpsolve is not installed (also `python -m cpsolve.sandbox.runner ARGS` where it is).

Run as a plain file, this directory is imported as a package named after itself, from its
parent directory, so its modules' relative imports work without cpsolve.
"""

import importlib
import os
import sys


def _main_module():  # type: ignore[no-untyped-def]
    if __package__:
        return importlib.import_module(".main", __package__)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(here))
    return importlib.import_module(os.path.basename(here) + ".main")


if __name__ == "__main__":
    _main_module().main()
