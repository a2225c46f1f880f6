"""What raftlib needs to run in the browser (JupyterLite on Pyodide), checked in CPython.

Pyodide cannot start processes and has no ``signal.setitimer``: ``import raftlib`` and an
exercise's visible tests must not need them, and the time limit on learner code must work
without the timer. In Pyodide, pandas and matplotlib load on first use, or fail with a
named error that says why. (tests/test_lite.py runs the same in Pyodide itself.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import raftlib as rl
from raftlib import optional
from raftlib.checks import LearnerTimeout, common, timelimit

ROOT = Path(__file__).resolve().parent.parent

#: Run in a fresh interpreter that behaves like Pyodide: no processes, no setitimer.
PYODIDE_LIKE = r"""
import importlib.abc, signal, sys
BLOCKED = {"subprocess", "multiprocessing", "_multiprocessing", "concurrent.futures.process"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED or name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not available in Pyodide")
sys.meta_path.insert(0, Block())
del signal.setitimer
import raftlib as rl
heavy = sorted(m for m in ("pandas", "matplotlib", "ipywidgets") if m in sys.modules)
assert not heavy, heavy
c = rl.Cluster(5, seed=7); c.run(1.0); assert c.leader()
import linecache
namespace = {}
for i, cell in enumerate(CELLS):  # as IPython does: the source stays readable (the lint)
    name = f"<cell-{i}>"
    linecache.cache[name] = (len(cell), None, cell.splitlines(True), name)
    exec(compile(cell, name, "exec"), namespace)
print("ok", len(CELLS))
"""


def visible_cells(solution: Path) -> list[str]:
    """The setup, answer and visible test cells of a solution notebook, as nbgrader's
    student copy runs them (solutions in place, hidden tests dropped)."""
    cells = []
    for cell in json.loads(solution.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        if "### BEGIN HIDDEN TESTS" in src:
            src = src.split("### BEGIN HIDDEN TESTS")[0]
        cells.append("\n".join(line for line in src.splitlines()
                               if "### BEGIN SOLUTION" not in line
                               and "### END SOLUTION" not in line))
    return cells


@pytest.mark.skipif(sys.platform == "emscripten", reason="starts a CPython subprocess; in "
                    "Pyodide tests/test_lite.py runs the visible tests in the browser")
@pytest.mark.parametrize("exercise", ["03-voting/voting", "05-commit/commit"])
def test_import_and_visible_tests_need_no_process_and_no_setitimer(exercise):
    cells = visible_cells(ROOT / "solutions" / f"{exercise}.ipynb")
    code = f"CELLS = {cells!r}\n" + PYODIDE_LIKE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines()[-1] == f"ok {len(cells)}"


def endless(self=None):
    while True:
        pass


def test_the_time_limit_without_setitimer_stops_an_endless_loop():
    """In a thread there is no SIGALRM, nor anywhere in Pyodide: the trace-based limit
    must stop the loop."""
    guarded = common.guard(endless, "endless", limit=0.3)
    if sys.platform == "emscripten":  # no threads, and no setitimer in the main thread
        assert not hasattr(__import__("signal"), "setitimer")
        with pytest.raises(LearnerTimeout, match="did not return within 0.3 s"):
            guarded()
        return
    caught = []

    def run():
        try:
            guarded()
        except LearnerTimeout as error:
            caught.append(str(error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "the endless loop was not stopped"
    assert caught and "did not return within 0.3 s" in caught[0]
    assert sys.gettrace() is None


def test_the_trace_limit_leaves_library_code_untraced_and_restores_the_hook():
    class Expired(BaseException):
        pass

    stop = timelimit._traced(5.0, Expired)
    try:
        c = rl.Cluster(3, seed=1)
        c.run(0.5)  # library code: runs under the limit without being stopped
    finally:
        stop()
    assert sys.gettrace() is None and c.leader()


def test_missing_package_in_the_browser_is_a_named_error(monkeypatch):
    """Outside Pyodide `pyodide_js` does not exist, as when the CDN is unreachable: the
    finder's load fails with the message a learner sees."""
    with pytest.raises(rl.MissingPackage, match="pandas is not available in this browser "
                                                 "session: the site loads it from the Pyodide CDN"):
        optional.load("pandas")
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    optional.install()
    optional.install()
    assert sys.meta_path.count(optional.PyodideFinder) == 1
    assert optional.PyodideFinder.find_spec("json") is None  # only the named packages
