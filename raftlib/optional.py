"""numpy, pandas and matplotlib in the browser (JupyterLite on Pyodide).

raftlib imports these on first use. In CPython they are installed with raftlib. In Pyodide a
package must be loaded from the Pyodide distribution before it can be imported, and the
kernel does that only for ``import`` statements written in a cell, not for an import inside
raftlib (``c.trace``, ``rl.plots``). So on Pyodide ``import raftlib`` puts a finder first in
``sys.meta_path`` (before Pyodide's own, which only says "not installed") that loads
:data:`FROM_PYODIDE` packages when they are not installed yet, and raises :class:`~raftlib.errors.MissingPackage`, saying why, when that cannot work
(no network, or a browser without WebAssembly stack switching).
"""

from __future__ import annotations

import importlib.machinery
import sys
from typing import Any

from .errors import MissingPackage

#: Top-level modules raftlib loads on first use -> their Pyodide package names.
FROM_PYODIDE = {"numpy": "numpy", "pandas": "pandas", "matplotlib": "matplotlib"}


class PyodideFinder:
    """Loads a :data:`FROM_PYODIDE` package from the Pyodide distribution on first import."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in FROM_PYODIDE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:  # not installed yet: load it, then import it as usual
            load(FROM_PYODIDE[name])
            importlib.invalidate_caches()
            spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:  # Pyodide reports a failed download on the console, not as an error
            raise missing(FROM_PYODIDE[name], "its download failed")
        return spec


def load(package: str) -> None:
    """Load ``package`` (and what it depends on) from the Pyodide distribution, now."""
    try:
        import pyodide_js
        from pyodide.ffi import run_sync

        run_sync(pyodide_js.loadPackage(package))
    except Exception as error:
        lines = str(error).strip().splitlines()
        raise missing(package, f"{type(error).__name__}: {lines[-1] if lines else ''}") from None


def missing(package: str, reason: str) -> MissingPackage:
    """The error a learner sees when ``package`` cannot be loaded in the browser."""
    return MissingPackage(
        f"{package} is not available in this browser session: the site loads it from the "
        f"Pyodide CDN, which could not be reached or did not answer ({reason}). Check the "
        f"network and run the cell again; a cell that says `import {package}` also loads it.")


def install() -> None:
    """Put :class:`PyodideFinder` first in ``sys.meta_path``, once, on Pyodide only."""
    if sys.platform == "emscripten" and PyodideFinder not in sys.meta_path:
        sys.meta_path.insert(0, PyodideFinder)
