"""An nbgrader autograde step that re-runs every test cell outside the learner's kernel.

nbgrader grades a test cell by its output in the learner's own kernel, so code
in the notebook can fool it: patch ``raftlib`` or the checker, hide errors,
clear a failed cell's output and show a number as its result (which nbgrader
reads as partial credit), or ship a ``raftlib.py`` next to the notebook.
:class:`IndependentRecheck` runs right after nbgrader's ``Execute``: it takes the
trusted cells (setup and test cells, with the source from the gradebook) and
only what :func:`raftlib.checks.lint.filter_answer_cell` keeps of the answer
cells, runs them in a fresh ``python -I`` process in an empty folder, and
marks every test cell that fails there as failed in the notebook. It also
drops ``execute_result`` outputs from test cells (ours never have one).

Limits: the learner's functions still run (in the subprocess) with the
grader's rights; the lint and the time limits make cheating hard, not
impossible. Isolate grading (see the README).

The subprocess side is :mod:`raftlib.checks.rerun`.
"""

from __future__ import annotations

from nbformat import NotebookNode
from traitlets import Integer

try:  # nbgrader is an optional dependency of raftlib (the "notebooks" extra)
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover
    from nbconvert.preprocessors import Preprocessor as NbGraderPreprocessor

from .rerun import build_plan, run_plan

ERROR_NAME = "IndependentRecheckFailed"


class IndependentRecheck(NbGraderPreprocessor):
    """Fail every test cell that does not also pass outside the learner's kernel."""

    timeout = Integer(300, help="Seconds the whole re-check of one notebook may take").tag(
        config=True)
    memory_limit = Integer(4 * 2**30, help="Address-space limit of the re-check process "
                                           "in bytes (0: none)").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            sources = {c.name: (c.source, c.locked, c.cell_type) for c in notebook.source_cells}
            solutions = {c.name for c in notebook.solution_cells}
            tests = {c.name for c in notebook.grade_cells if c.name not in solutions
                     and c.cell_type == "code"}
        failed = {gid for cell in nb.cells if (gid := _grade_id(cell)) in tests
                  and cell.cell_type == "code" and _failed(cell)}
        # Only tests that passed in the kernel can be undeserved: re-run just those.
        plan = build_plan(nb.cells, sources, solutions, tests, skip=failed)
        results, notes = ({}, []) if not any(kind == "test" for kind, _, _ in plan) else \
            run_plan(plan, self.timeout, self.memory_limit)
        for cell in nb.cells:
            grade_id = _grade_id(cell)
            if cell.cell_type != "code" or grade_id not in tests:
                continue
            outputs = [o for o in cell.outputs if o.output_type != "execute_result"]
            if grade_id not in failed:
                ok, message = results.get(grade_id, (False, "the re-check did not reach this "
                                                            "cell (it ran out of time or crashed)"))
                if not ok:
                    self.log.warning("%s: test cell %s passed in the kernel but failed the "
                                     "independent re-check", info["student"], grade_id)
                    outputs = [_error_output(message, notes)]
            cell.outputs = outputs
        return nb, resources


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _failed(cell: NotebookNode) -> bool:
    """Whether nbgrader scores this test cell 0: an error or anything on stderr."""
    return any(o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
               for o in cell.get("outputs", []))


def autograde_preprocessors() -> list:
    """nbgrader's autograde steps with :class:`IndependentRecheck` right after ``Execute``
    (for ``c.Autograde.autograde_preprocessors`` in nbgrader_config.py)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    at = steps.index(Execute) + 1
    return steps[:at] + [IndependentRecheck] + steps[at:]


def _error_output(message: str, notes: list[str]) -> NotebookNode:
    text = ("This test passed in your notebook but failed when the grader re-ran it on its "
            "own, with only your answer cells' imports, functions and constants: " + message)
    if notes:
        text += ("\nThe grader left out this code of your answer cells:\n  "
                 + "\n  ".join(notes[:10]))
    return NotebookNode(output_type="error", ename=ERROR_NAME, evalue=text,
                        traceback=[f"{ERROR_NAME}: {text}"])
