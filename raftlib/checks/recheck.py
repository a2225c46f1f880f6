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
from traitlets import Enum, Integer

try:  # nbgrader is an optional dependency of raftlib (the "notebooks" extra)
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover
    from nbconvert.preprocessors import Preprocessor as NbGraderPreprocessor

from .messages import say
from .rerun import ISOLATION, PlanRun, build_plan, run_plan

ERROR_NAME = "IndependentRecheckFailed"
TRUSTED = "raftlib_trusted_sources"
EARLY = "raftlib_recheck_started"


class GuardGradebook(NbGraderPreprocessor):
    """The first step of each notebook's autograde (before ``OverwriteCells``): at the first
    notebook of the process, before any kernel ran, remember every cell's source, checksum
    and lock, and the trusted sources (:class:`TrustedSources`); before every later notebook,
    put those rows back. A kernel runs with the grader's rights and could rewrite the
    gradebook file to break the grading of the submissions after it."""

    saved: dict[str, list[tuple]] = {}

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        db_url = resources["nbgrader"]["db_url"]
        if not db_url.startswith("sqlite:///"):
            self.log.warning("GuardGradebook protects only SQLite gradebooks, not %s", db_url)
            return nb, resources
        import sqlite3

        con = sqlite3.connect(db_url[len("sqlite:///"):])
        try:
            if db_url not in self.saved:
                self.saved[db_url] = con.execute(
                    "SELECT source, checksum, cell_type, locked, id FROM source_cell").fetchall()
                TrustedSources.cache.setdefault(db_url, trusted_sources(db_url))
            else:
                con.executemany("UPDATE source_cell SET source = ?, checksum = ?, cell_type = ?, "
                                "locked = ? WHERE id = ?", self.saved[db_url])
                con.commit()
        finally:
            con.close()
        return nb, resources


class TrustedSources(NbGraderPreprocessor):
    """Read the setup and test cells' sources of every notebook in the gradebook before
    any learner code runs (it goes right before ``Execute``; a kernel could rewrite the
    gradebook file): once per process, so later kernels cannot change them either. Then
    start :class:`IndependentRecheck`'s process, which runs while the kernel does."""

    cache: dict[str, dict[tuple[str, str], tuple[dict, set, set]]] = {}

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        if info["db_url"] not in self.cache:
            self.cache[info["db_url"]] = trusted_sources(info["db_url"])
        resources[TRUSTED] = self.cache[info["db_url"]].get(
            (info["assignment"], info["notebook"]))
        recheck = IndependentRecheck(config=self.config)
        if recheck.enabled and resources[TRUSTED] is not None:
            # Start the re-check now, so that it runs while the kernel does (the answer
            # cells' sources do not change when they run).
            plan = build_plan(nb.cells, *resources[TRUSTED])
            if any(kind == "test" for kind, _, _ in plan):
                resources[EARLY] = PlanRun(plan, recheck.timeout, recheck.memory_limit,
                                           recheck.isolation, _language(resources))
        return nb, resources


def trusted_sources(db_url: str) -> dict[tuple[str, str], tuple[dict, set, set]]:
    """``{(assignment, notebook): (sources, solution cells, test cells)}`` from the gradebook."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for notebook in assignment.notebooks:
                sources = {c.name: (c.source, c.locked, c.cell_type)
                           for c in notebook.source_cells}
                solutions = {c.name for c in notebook.solution_cells}
                tests = {c.name for c in notebook.grade_cells if c.name not in solutions
                         and c.cell_type == "code"}
                found[(assignment.name, notebook.name)] = (sources, solutions, tests)
    return found


class IndependentRecheck(NbGraderPreprocessor):
    """Fail every test cell that does not also pass outside the learner's kernel."""

    timeout = Integer(300, help="Seconds the whole re-check of one notebook may take").tag(
        config=True)
    memory_limit = Integer(4 * 2**30, help="Address-space limit of the re-check process "
                                           "in bytes (0: none)").tag(config=True)
    isolation = Enum(ISOLATION, "auto", help="Run the re-check under bubblewrap: 'bwrap' "
                     "(required: without it every test fails), 'auto' (where it runs, "
                     "else a warning in the log), 'none'").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        if resources.get(TRUSTED) is None:
            raise ValueError("IndependentRecheck needs TrustedSources before Execute "
                             "(use raftlib.checks.recheck.autograde_preprocessors())")
        sources, solutions, tests = resources[TRUSTED]
        lang = _language(resources)
        failed = {gid for cell in nb.cells if (gid := _grade_id(cell)) in tests
                  and cell.cell_type == "code" and _failed(cell)}
        early = resources.pop(EARLY, None)
        if early is not None:  # started by TrustedSources with every test
            results, notes = early.results()
        else:  # only tests that passed in the kernel can be undeserved: re-run just those
            plan = build_plan(nb.cells, sources, solutions, tests, skip=failed)
            results, notes = ({}, []) if not any(kind == "test" for kind, _, _ in plan) else \
                run_plan(plan, self.timeout, self.memory_limit, self.isolation, lang)
        for note in notes:
            if note.startswith("not isolated"):
                self.log.warning("independent re-check %s", note)
        notes = [n for n in notes if not n.startswith("not isolated")]
        for cell in nb.cells:
            grade_id = _grade_id(cell)
            if cell.cell_type != "code" or grade_id not in tests:
                continue
            outputs = [o for o in cell.outputs if o.output_type != "execute_result"]
            if grade_id not in failed:
                ok, message = results.get(grade_id, (False, say("recheck_not_reached", lang)))
                if not ok:
                    self.log.warning("%s: test cell %s passed in the kernel but failed the "
                                     "independent re-check", info["student"], grade_id)
                    outputs = [_error_output(message, notes, lang)]
            cell.outputs = outputs
        return nb, resources


def _language(resources: dict) -> str:
    """The language of the graded notebook's folder (its ``raft-course.json``, which nbgrader
    copies from the assignment's source folder), for the grader's own messages."""
    from ..i18n import folder_language

    path = resources.get("metadata", {}).get("path")
    return folder_language(path) if path else "en"


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _failed(cell: NotebookNode) -> bool:
    """Whether nbgrader scores this test cell 0: an error or anything on stderr."""
    return any(o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
               for o in cell.get("outputs", []))


def _named_execute() -> type:
    """nbgrader's ``Execute`` whose failures name the cell (see :class:`NamedExecute`)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbgrader.preprocessors import Execute

    class NamedExecute(Execute):
        """nbgrader's ``Execute``; when a cell outlives the time limit and ignores the
        interrupt, or the kernel dies, the error names the cell, its first line and the
        real limit (nbclient would report its 4 s wait for output, and no cell)."""

        def preprocess_cell(self, cell, resources, index):
            try:
                return super().preprocess_cell(cell, resources, index)
            except CellTimeoutError as e:
                lang = _language(resources)
                raise CellTimedOutError(say("cell_timed_out", lang, cell=_which(cell, index, lang),
                                            seconds=self.timeout)) from e
            except DeadKernelError as e:
                lang = _language(resources)
                raise KernelDiedError(say("kernel_died", lang,
                                          cell=_which(cell, index, lang))) from e

    return NamedExecute


class CellTimedOutError(RuntimeError):
    """A cell ran past the time limit and ignored the interrupt."""


class KernelDiedError(RuntimeError):
    """The grading kernel died while running a cell."""


def _which(cell: NotebookNode, index: int, lang: str) -> str:
    first = next((line.strip() for line in cell.get("source", "").splitlines() if line.strip()),
                 "")
    grade_id = _grade_id(cell)
    return say("which_cell", lang, number=index + 1, grade_id=f" ({grade_id})" if grade_id else "",
               first=first[:80])


def sanitize_preprocessors() -> list:
    """nbgrader's autograde sanitizing steps with :class:`GuardGradebook` first (for
    ``c.Autograde.sanitize_preprocessors`` in nbgrader_config.py)."""
    from nbgrader.converters import Autograde

    return [GuardGradebook, *Autograde.class_traits()["sanitize_preprocessors"].default()]


def autograde_preprocessors() -> list:
    """nbgrader's autograde steps with :class:`TrustedSources` right before ``Execute`` and
    :class:`IndependentRecheck` right after it (for ``c.Autograde.autograde_preprocessors``
    in nbgrader_config.py)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    at = steps.index(Execute)
    return steps[:at] + [TrustedSources, _named_execute(), IndependentRecheck] + steps[at + 1:]


def _error_output(message: str, notes: list[str], lang: str) -> NotebookNode:
    text = say("recheck_failed", lang) + message
    if notes:
        text += say("recheck_left_out", lang) + "\n  ".join(notes[:10])
    return NotebookNode(output_type="error", ename=ERROR_NAME, evalue=text,
                        traceback=[f"{ERROR_NAME}: {text}"])
