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
import signal
import subprocess
import sys
import tempfile
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
    from .isolation import sandbox_command, unavailable

    if isolation not in ISOLATION:
        raise ValueError(f"isolation must be one of {ISOLATION}, got {isolation!r}")
    why = unavailable() if isolation != "none" else None
    if why is not None and isolation == "bwrap":
        return {grade_id: (False, f"the grader requires OS isolation and {why}")
                for kind, grade_id, _ in plan if kind == "test"}, []
    with tempfile.TemporaryDirectory(prefix="raftlib-recheck-") as work:
        os.chmod(work, 0o777)  # the sandbox's user writes its results here
        results_path = os.path.join(work, "results.jsonl")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work,
               "MPLBACKEND": "Agg", "MPLCONFIGDIR": work, "LANG": "C.UTF-8"}

        def limits() -> None:  # pragma: no cover - runs in the child
            if memory_limit:
                import resource
                resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

        payload = json.dumps({"results": results_path, "cells": plan, "lang": lang})
        command = [sys.executable, "-I", "-m", "raftlib.checks.rerun"]
        if isolation != "none" and why is None:
            command = sandbox_command(command, work)
        try:
            subprocess.run(command,
                           input=payload, text=True, cwd=work, env=env, timeout=timeout,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           preexec_fn=limits if os.name == "posix" else None)
        except subprocess.TimeoutExpired:
            pass
        results: dict[str, tuple[bool, str]] = {}
        notes: list[str] = [] if why is None else [f"not isolated by the OS: {why}"]
        if os.path.exists(results_path):
            with open(results_path, encoding="utf-8") as f:
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
