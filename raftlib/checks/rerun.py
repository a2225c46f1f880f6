"""The re-check's subprocess: run trusted test cells against the learner's answer cells
in a fresh ``python -I`` interpreter, in an empty folder (see :mod:`.recheck`).

``python -m raftlib.checks.rerun`` reads the plan (JSON) on stdin and writes one JSON
line per test cell to the results file. This module imports nothing heavy, so the
subprocess starts fast.
"""

from __future__ import annotations

import ast
import json
import linecache
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

#: Seconds one test cell may run in the re-check before it counts as failed.
CELL_LIMIT = 120


def build_plan(cells: list, sources: dict[str, tuple], solutions: set[str], tests: set[str],
               skip: set[str] = frozenset()) -> list[tuple[str, str, str]]:
    """``(kind, grade_id, source)`` in notebook order, leaving out the tests in ``skip``:
    "answer" cells carry the learner's source, "setup" and "test" cells the gradebook's
    (never the notebook's)."""
    plan = []
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") != "code" or grade_id not in sources or grade_id in skip:
            continue
        source, locked, cell_type = sources[grade_id]
        if cell_type != "code":
            continue
        if grade_id in solutions:
            plan.append(("answer", grade_id, cell.get("source", "")))
        elif grade_id in tests:
            plan.append(("test", grade_id, source))
        elif locked:
            plan.append(("setup", grade_id, source))
    return plan


#: How the re-check process is isolated: "bwrap" (required), "auto" (bwrap where it
#: runs, else a warning) or "none".
ISOLATION = ("bwrap", "auto", "none")


def run_plan(plan: list[tuple[str, str, str]], timeout: float = 300,
             memory_limit: int = 0, isolation: str = "auto", lang: str = "en"
             ) -> tuple[dict[str, tuple[bool, str]], list[str]]:
    """Run the plan in a fresh isolated interpreter; ``{grade_id: (passed, message)}`` and
    notes on what was left out of answer cells; ``lang`` is the language of the checks'
    messages (the graded notebook's). ``isolation`` (:data:`ISOLATION`) says
    whether it runs under bubblewrap (:mod:`.isolation`); where it cannot, "bwrap" fails
    every test and "auto" runs it without and adds a note saying so."""
    return PlanRun(plan, timeout, memory_limit, isolation, lang).results()


class PlanRun:
    """:func:`run_plan` in two steps: the process starts when this is made (so it can run
    while the learner's kernel does) and :meth:`results` waits for it."""

    def __init__(self, plan: list[tuple[str, str, str]], timeout: float = 300,
                 memory_limit: int = 0, isolation: str = "auto", lang: str = "en") -> None:
        from .isolation import sandbox_command, unavailable

        if isolation not in ISOLATION:
            raise ValueError(f"isolation must be one of {ISOLATION}, got {isolation!r}")
        self.plan, self.timeout, self.proc = plan, timeout, None
        self.why = unavailable() if isolation != "none" else None
        self.refused = self.why is not None and isolation == "bwrap"
        self.work = tempfile.mkdtemp(prefix="raftlib-recheck-")
        if self.refused:
            return
        os.chmod(self.work, 0o777)  # the sandbox's user writes its results here
        self.results_path = os.path.join(self.work, "results.jsonl")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.work,
               "MPLBACKEND": "Agg", "MPLCONFIGDIR": self.work, "LANG": "C.UTF-8"}

        def limits() -> None:  # pragma: no cover - runs in the child
            if memory_limit:
                import resource
                resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

        command = [sys.executable, "-I", "-m", "raftlib.checks.rerun"]
        if isolation != "none" and self.why is None:
            command = sandbox_command(command, self.work)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, text=True, cwd=self.work,
                                     env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL,
                                     preexec_fn=limits if os.name == "posix" else None)
        try:
            self.proc.stdin.write(json.dumps({"results": self.results_path, "cells": plan,
                                              "lang": lang}))
            self.proc.stdin.close()
        except OSError:  # it died at once: no results, every test fails
            pass

    def results(self) -> tuple[dict[str, tuple[bool, str]], list[str]]:
        """Wait for the process (at most ``timeout`` s from its start) and read its results."""
        try:
            if self.refused:
                return {grade_id: (False, f"the grader requires OS isolation and {self.why}")
                        for kind, grade_id, _ in self.plan if kind == "test"}, []
            try:
                self.proc.wait(max(0.0, self.timeout - (time.monotonic() - self.started)))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            return self._read()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def __del__(self) -> None:
        """Never collected (the kernel died and nbgrader gave up on the notebook): stop it."""
        proc, work = getattr(self, "proc", None), getattr(self, "work", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)

    def _read(self) -> tuple[dict[str, tuple[bool, str]], list[str]]:
        results: dict[str, tuple[bool, str]] = {}
        notes: list[str] = [] if self.why is None else [f"not isolated by the OS: {self.why}"]
        if os.path.exists(self.results_path):
            with open(self.results_path, encoding="utf-8") as f:
                for line in f:
                    try:
                        row = json.loads(line)
                    except ValueError:
                        break
                    if "note" in row:
                        notes.append(str(row["note"]))
                    else:
                        results[str(row["id"])] = (row["ok"] is True, str(row["message"]))
        return results, notes


class _CellTimeout(BaseException):
    pass


def _timeout(signum: int, frame: Any) -> None:
    raise _CellTimeout()


def _main() -> None:
    """The re-check process: run the plan read from stdin like a notebook, one namespace."""
    plan = json.load(sys.stdin)
    out = open(plan["results"], "w", encoding="utf-8")

    def report(row: dict) -> None:
        out.write(json.dumps(row) + "\n")
        out.flush()

    from .. import i18n
    from .lint import filter_answer_cell
    from .messages import say

    i18n.set_language(plan.get("lang", "en"))  # the graded notebook's, told by the grader

    namespace: dict[str, Any] = {"__name__": "__main__"}
    for kind, grade_id, source in plan["cells"]:
        filename = f"<{kind} cell {grade_id}>"
        if kind == "answer":
            kept, dropped = filter_answer_cell(source)
            for note in dropped:
                report({"note": f"{grade_id}, {note}"})
            tree = ast.Module(body=kept, type_ignores=[])
        else:
            try:
                tree = ast.parse(source, filename)
            except SyntaxError as e:
                report({"id": grade_id, "ok": False, "message": f"SyntaxError: {e}"})
                continue
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        signal.signal(signal.SIGALRM, _timeout)
        signal.alarm(CELL_LIMIT)
        try:
            exec(compile(tree, filename, "exec"), namespace)
        except _CellTimeout:
            outcome = (False, say("recheck_cell_timeout", seconds=CELL_LIMIT))
        except SystemExit as e:
            outcome = (False, say("recheck_system_exit", code=e.code))
        except BaseException as e:  # record and go on
            outcome = (False, f"{type(e).__name__}: {e}")
        else:
            outcome = (True, "")
        finally:
            signal.alarm(0)
        if kind == "test":
            report({"id": grade_id, "ok": outcome[0], "message": outcome[1]})
    out.close()


if __name__ == "__main__":
    _main()
