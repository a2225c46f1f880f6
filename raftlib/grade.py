"""Grade exercise notebooks with nbgrader's autograde, one command each.

Learner: grade your own notebook with the hidden tests, in a temporary course
folder (nothing is written next to your notebook)::

    python -m raftlib.grade exercises/03-voting/voting.ipynb

Instructor: grade a folder of submissions laid out as nbgrader's
``submitted/<student>/<assignment>/<notebook>.ipynb`` on both cores, and write
one row per student and question::

    python -m raftlib.grade --batch .grading/submitted --jobs 2 --csv grades-by-question.csv

Instructor: the per-question summary (table and plot) of the course gradebook
that ``nbgrader autograde`` filled, or of a CSV written by ``--batch``::

    python -m raftlib.grade --summary [--gradebook .grading/gradebook.db] [--plot summary.png]

``--logs FOLDER`` keeps nbgrader's logs (why a notebook could not be graded).

Everything is nbgrader's: ``solutions/`` is the source (with the hidden
tests), the project's ``nbgrader_config.py`` the settings (timeouts, restored
cells, the independent re-check); this module only lays out a throw-away
course folder, runs nbgrader's converters in it and reads its gradebook.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from . import i18n
from .checks.messages import say
from .errors import ConfigError

# jsonschema (through nbformat) imports rfc3987_syntax when it is installed, which compiles
# 39 grammars at import (about 2 s of CPU); no notebook schema uses its IRI formats.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

COLUMNS = ("student", "assignment", "notebook", "question", "score", "max_score", "message")


@dataclass(frozen=True)
class Submission:
    """One notebook to grade: whose, for which assignment (a folder of ``solutions/``)."""

    student: str
    assignment: str
    path: Path


# ------------------------------------------------------------------ the course
def project_root(start: Path | None = None) -> Path:
    """The folder holding ``nbgrader_config.py`` and ``solutions/``: searched upwards from
    ``start`` (default: the working directory), then next to the raftlib package."""
    candidates = []
    if start is not None:
        candidates += [start.resolve(), *start.resolve().parents]
    cwd = Path.cwd().resolve()
    candidates += [cwd, *cwd.parents, Path(__file__).resolve().parents[1]]
    for folder in candidates:
        if (folder / "nbgrader_config.py").is_file() and (folder / "solutions").is_dir():
            return folder
    raise ConfigError("cannot find the course (a folder with nbgrader_config.py and "
                      "solutions/); run this from the raft-course folder")


def assignments(root: Path) -> list[str]:
    """The assignments: the folders of ``solutions/`` that hold a notebook."""
    return sorted(p.name for p in (root / "solutions").iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")))


def _config(root: Path, course: Path, overrides: dict[str, dict[str, Any]]):
    """The project's nbgrader_config.py, pointed at the throw-away course folder."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.submitted_directory = "submitted"
    config.CourseDirectory.autograded_directory = "autograded"
    config.CourseDirectory.feedback_directory = "feedback"
    config.CourseDirectory.solution_directory = "solution"
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    extra = Config()
    for section, values in overrides.items():
        for key, value in values.items():
            extra[section][key] = value
    config.merge(extra)
    return config


def _quiet_logger(course: Path) -> logging.Logger:
    logger = logging.getLogger(f"raftlib.grade.{os.getpid()}.{course.name}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(course / "nbgrader.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    return logger


def _run_converter(kind: type, config, course: Path, log: logging.Logger, **coursedir: str) -> None:
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    cd = CourseDirectory(config=config, log=log)
    for key, value in coursedir.items():
        setattr(cd, key, value)
    converter = kind(coursedir=cd, config=config, log=log)
    if hasattr(converter, "create_assignment"):
        converter.create_assignment = True
    converter.force = True
    try:
        converter.start()
    except NbGraderException:
        pass  # failed submissions are logged; the gradebook says what was graded


def _solutions_hash(root: Path) -> str:
    import hashlib

    import nbgrader

    digest = hashlib.sha256(nbgrader.__version__.encode())
    for path in sorted((root / "solutions").rglob("*")):
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def prepared_gradebook(root: Path) -> Path:
    """A gradebook with every assignment of ``solutions/`` generated into it, built once
    per version of the solutions (nbgrader needs seconds to create one) and cached in
    ``.grading/cache/`` (or the temporary folder if the project is read-only)."""
    from nbgrader.converters import GenerateAssignment

    name = f"gradebook-{_solutions_hash(root)}.db"
    for cache in (root / ".grading" / "cache", Path(tempfile.gettempdir()) / "raftlib-grade-cache"):
        if (cache / name).is_file():
            return cache / name
    _ensure_alembic_on_path()
    with tempfile.TemporaryDirectory(prefix="raftlib-generate-") as tmp:
        course = Path(tmp)
        config = _config(root, course, {})
        log = _quiet_logger(course)
        shutil.copytree(root / "solutions", course / "source")
        for a in assignments(root):
            _run_converter(GenerateAssignment, config, course, log, assignment_id=a)
        _close(log)
        for cache in (root / ".grading" / "cache",
                      Path(tempfile.gettempdir()) / "raftlib-grade-cache"):
            try:
                cache.mkdir(parents=True, exist_ok=True)
                partial = cache / f"{name}.{os.getpid()}.tmp"
                shutil.copyfile(course / "gradebook.db", partial)
                os.replace(partial, cache / name)  # atomic: parallel builders are harmless
                for old in cache.glob("gradebook-*.db"):  # built from older solutions
                    if old.name != name:
                        old.unlink(missing_ok=True)
                return cache / name
            except OSError:
                continue
    raise ConfigError("cannot write the gradebook cache (.grading/cache or the temp folder)")


def _ensure_alembic_on_path() -> None:
    """nbgrader runs the `alembic` command to create a gradebook: find it next to Python."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _close(log: logging.Logger) -> None:
    for handler in list(log.handlers):
        handler.close()
        log.removeHandler(handler)


# ----------------------------------------------------------------- grading
def grade(submissions: Sequence[Submission], *, root: Path | None = None, jobs: int = 1,
          overrides: dict[str, dict[str, Any]] | None = None,
          logs: Path | None = None) -> "pd.DataFrame":
    """Autograde ``submissions`` with nbgrader and return one row per question
    (:data:`COLUMNS`; ``message`` is why points were lost, "" for full marks).

    ``jobs`` > 1 splits the notebooks over that many processes, each grading its share
    in its own course folder (nbgrader itself grades one notebook at a time).
    ``overrides`` are extra nbgrader settings, e.g. ``{"Execute": {"timeout": 20}}``.
    ``logs``: a folder to keep nbgrader's log of each process in (``nbgrader-<n>.log``).
    """
    import pandas as pd

    return pd.DataFrame(grade_rows(submissions, root=root, jobs=jobs, overrides=overrides,
                                   logs=logs), columns=list(COLUMNS))


def grade_rows(submissions: Sequence[Submission], *, root: Path | None = None, jobs: int = 1,
               overrides: dict[str, dict[str, Any]] | None = None,
               logs: Path | None = None) -> list[dict]:
    """:func:`grade`'s rows as plain dicts (without importing pandas, which takes a while)."""
    root = project_root() if root is None else root
    known = set(assignments(root))
    for s in submissions:
        if s.assignment not in known:
            raise ConfigError(f"unknown assignment {s.assignment!r} for {s.path}; the "
                              f"assignments are {', '.join(sorted(known))}")
        if not Path(s.path).is_file():
            raise ConfigError(f"no notebook at {s.path}")
    keys = [(s.student, s.assignment) for s in submissions]
    if len(set(keys)) != len(keys):
        raise ConfigError("each student may hand in one notebook per assignment")
    # Deal the notebooks out like cards, assignment by assignment, so that each process
    # gets a similar mix (each has its own gradebook: a student may be in several).
    ordered = sorted(submissions, key=lambda s: (s.assignment, s.student))
    shares = max(1, min(jobs, len(ordered)))
    work = [ordered[i::shares] for i in range(shares)]
    overrides = overrides or {}
    gradebook = prepared_gradebook(root)
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
    keep = [None if logs is None else logs / f"nbgrader-{i}.log" for i in range(len(work))]
    if len(work) == 1:
        return _grade_shard(work[0], root, gradebook, overrides, keep[0])
    return _grade_in_workers(work, root, gradebook, overrides, keep)


def _grade_in_workers(work: list[list[Submission]], root: Path, gradebook: Path,
                      overrides: dict[str, dict[str, Any]], keep: list[Path | None]) -> list[dict]:
    """Grade each share in its own ``python -m raftlib.grade --worker`` process, all at once."""
    with tempfile.TemporaryDirectory(prefix="raftlib-workers-") as tmp:
        procs = []
        for i, share in enumerate(work):
            spec = Path(tmp) / f"share{i}.json"
            spec.write_text(json.dumps({
                "root": str(root), "gradebook": str(gradebook), "overrides": overrides,
                "out": str(Path(tmp) / f"rows{i}.json"), "log": keep[i] and str(keep[i]),
                "submissions": [[s.student, s.assignment, str(s.path)] for s in share]}))
            procs.append(subprocess.Popen([sys.executable, "-m", "raftlib.grade", "--worker",
                                           str(spec)], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True))
        rows = []
        for i, proc in enumerate(procs):
            _, err = proc.communicate()
            out = Path(tmp) / f"rows{i}.json"
            if proc.returncode != 0 or not out.exists():
                raise ConfigError(f"a grading worker failed (exit {proc.returncode}):\n"
                                  f"{err[-3000:]}")
            rows += json.loads(out.read_text())
        return rows


def _worker(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    subs = [Submission(student, assignment, Path(path))
            for student, assignment, path in spec["submissions"]]
    rows = _grade_shard(subs, Path(spec["root"]), Path(spec["gradebook"]), spec["overrides"],
                        spec["log"] and Path(spec["log"]))
    Path(spec["out"]).write_text(json.dumps(rows))


def _grade_shard(submissions: Sequence[Submission], root: Path, gradebook: Path,
                 overrides: dict[str, dict[str, Any]], keep_log: Path | None = None) -> list[dict]:
    """Grade some submissions in one throw-away course folder; one dict per question."""
    from nbgrader.converters import Autograde

    _ensure_alembic_on_path()
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader + SQLAlchemy 2
    with tempfile.TemporaryDirectory(prefix="raftlib-grade-") as tmp:
        course = Path(tmp)
        config = _config(root, course, overrides)
        log = _quiet_logger(course)
        shutil.copyfile(gradebook, course / "gradebook.db")
        needed = sorted({s.assignment for s in submissions})
        for a in needed:
            shutil.copytree(root / "solutions" / a, course / "source" / a)
        for s in submissions:
            notebook = _notebook_name(root, s.assignment)
            target = course / "submitted" / s.student / s.assignment / f"{notebook}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(s.path, target)
            for extra in Path(s.path).parent.iterdir():  # what was handed in with it
                if extra.suffix == ".ipynb" or extra.name == ".ipynb_checkpoints":
                    continue
                if extra.is_dir():
                    shutil.copytree(extra, target.parent / extra.name, dirs_exist_ok=True)
                else:
                    shutil.copyfile(extra, target.parent / extra.name)
        with _stderr_into(course / "nbgrader.log"):  # the kernels' own warnings
            _run_converter(Autograde, config, course, log, assignment_id="*", student_id="*")
        _close(log)
        log_text = (course / "nbgrader.log").read_text(encoding="utf-8", errors="replace")
        if keep_log is not None:
            keep_log.write_text(log_text, encoding="utf-8")
        return _results(course, root, submissions, log_text)


@contextlib.contextmanager
def _stderr_into(path: Path):
    """Send this process's file descriptor 2 (and its children's) to ``path`` for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "a", encoding="utf-8") as f:
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _notebook_name(root: Path, assignment: str) -> str:
    notebooks = sorted((root / "solutions" / assignment).glob("*.ipynb"))
    return notebooks[0].stem


def _results(course: Path, root: Path, submissions: Iterable[Submission],
             log_text: str) -> list[dict]:
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for s in submissions:
            name = _notebook_name(root, s.assignment)
            order = _grade_cells(root / "solutions" / s.assignment / f"{name}.ipynb")
            path = course / "autograded" / s.student / s.assignment / f"{name}.ipynb"
            messages = _messages(nbformat.read(path, 4)) if path.exists() else {}
            lang = _language(Path(s.path))
            failed = None if path.exists() else \
                say("grade_not_graded", lang, why=_why(log_text, s, lang))
            try:
                grades = {g.name: g for g in gb.find_submission_notebook(
                    name, s.assignment, s.student).grades}
            except MissingEntry:
                grades = {}
            for question, points in order:
                g = grades.get(question)
                score = float(g.score or 0) if g is not None and failed is None else 0.0
                message = failed or messages.get(question, "")
                rows.append({"student": s.student, "assignment": s.assignment, "notebook": name,
                             "question": question, "score": score, "max_score": float(points),
                             "message": "" if score >= points else
                             message or say("grade_failed", lang)})
    return rows


def _language(notebook: Path) -> str:
    """The learner's language, as in the grading kernel: the notebook folder's marker (a
    broken marker, which fails that learner's kernel, does not stop a whole batch here)."""
    try:
        return i18n.folder_language(notebook.resolve().parent)
    except ConfigError:
        return "en"


def _why(log_text: str, s: Submission, lang: str = "en") -> str:
    """The exception nbgrader logged for this submission (its traceback's last line)."""
    lines = log_text.splitlines()
    mark = f"{os.sep}{s.student}{os.sep}{s.assignment}"
    for i, line in enumerate(lines):
        if "There was an error processing assignment" in line and mark in line:
            tail = [ln.strip() for ln in lines[i + 1:i + 400] if ln.strip()]
            trace = next((j for j, ln in enumerate(tail) if "[ERROR]" in ln and
                          "Traceback" not in ln and j > 0), len(tail))
            errors = [ln for ln in tail[:trace] if re.match(r"^[\w.]+(Error|Exception)\b", ln)]
            if errors:
                return errors[-1]
    return say("grade_see_log", lang)


def _grade_cells(path: Path) -> list[tuple[str, float]]:
    import nbformat

    nb = nbformat.read(path, 4)
    return [(c.metadata.nbgrader.grade_id, float(c.metadata.nbgrader.points)) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")]


def _messages(nb) -> dict[str, str]:
    """The first error of each graded cell, as "Name: message"."""
    out = {}
    for cell in nb.cells:
        info = cell.metadata.get("nbgrader", {})
        if not info.get("grade") or cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                out[info["grade_id"]] = f"{o.ename}: {o.evalue}".strip()
                break
            if o.output_type == "stream" and o.name == "stderr":
                out[info["grade_id"]] = "the test cell wrote to stderr: " + o.text.strip()[:300]
                break
    return out


# ---------------------------------------------------------------- summaries
def from_gradebook(db_url: str) -> "pd.DataFrame":
    """Every autograded question in an nbgrader gradebook, as rows of :data:`COLUMNS`."""
    import pandas as pd
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for notebook in assignment.notebooks:
                for sub in notebook.submissions:
                    for g in sub.grades:
                        rows.append({"student": sub.student.id, "assignment": assignment.name,
                                     "notebook": notebook.name, "question": g.name,
                                     "score": float(g.score or 0), "max_score": float(g.max_score),
                                     "message": ""})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def summary(grades: "pd.DataFrame") -> "pd.DataFrame":
    """Per question: how many students, mean points, and the share with full marks."""
    g = grades.assign(full=grades.score >= grades.max_score)
    table = g.groupby(["assignment", "question"], sort=False).agg(
        students=("student", "nunique"), max_score=("max_score", "max"),
        mean_score=("score", "mean"), full_marks=("full", "mean"))
    table["full_marks"] = (100 * table.full_marks).round(1)
    table["mean_score"] = table.mean_score.round(2)
    return table.rename(columns={"full_marks": "full_marks_%"})


def plot_summary(grades: "pd.DataFrame", path: str | Path | None = None):
    """A bar chart of the share of students with full marks on each question."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    table = summary(grades).reset_index()
    labels = [f"{a} · {q}" for a, q in zip(table.assignment, table.question)]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(labels) + 1.2))
    ax.barh(labels[::-1], table["full_marks_%"][::-1], color="#4c72b0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full marks (%)")
    ax.set_title(f"Per-question results ({grades.student.nunique()} students)")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


def totals(grades: "pd.DataFrame") -> "pd.DataFrame":
    """Points per student and assignment."""
    return grades.groupby(["student", "assignment"]).agg(score=("score", "sum"),
                                                         max_score=("max_score", "sum"))


# --------------------------------------------------------------------- CLI
def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(width - _columns(text), 0)
    return space + text if right else text + space


def _report(rows: list[dict], out=sys.stdout, languages: dict[str, str] | None = None) -> None:
    """Each assignment's points and messages, in ``languages[assignment]`` (default English)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["student"], r["assignment"]), []).append(r)
    for (student, assignment), part in groups.items():
        print(f"\n{assignment} ({student})", file=out)
        lang = (languages or {}).get(assignment, "en")
        question, total = say("grade_question", lang), say("grade_total", lang)
        width = max(_columns(question), *(len(r["question"]) for r in part))
        print(f"  {_pad(question, width)}  {_pad(say('grade_points', lang), 6, True)}  "
              f"{_pad(say('grade_max', lang), 5, True)}", file=out)
        for r in part:
            mark = say("grade_ok" if r["score"] >= r["max_score"] else "grade_lost", lang)
            print(f"  {r['question']:<{width}}  {r['score']:>6g}  {r['max_score']:>5g}  {mark}",
                  file=out)
        print(f"  {_pad(total, width)}  {sum(r['score'] for r in part):>6g}  "
              f"{sum(r['max_score'] for r in part):>5g}", file=out)
        for r in part:
            if r["score"] < r["max_score"]:
                message = r["message"]
                text = message if len(message) <= 1500 else message[:1500] + " ..."
                print(f"\n  {r['question']}: {text}", file=out)


def _isolation_note(lang: str = "en") -> None:
    """Printed where bubblewrap cannot isolate grading (see the README, "What grading protects
    against")."""
    from .checks.isolation import unavailable

    why = unavailable()
    if why is not None:
        print(say("grade_not_isolated", lang, why=why), file=sys.stderr)


def _submissions_in(folder: Path, known: set[str]) -> list[Submission]:
    subs = []
    for nb in sorted(folder.glob("*/*/*.ipynb")):
        student, assignment = nb.parent.parent.name, nb.parent.name
        if assignment in known and ".ipynb_checkpoints" not in nb.parts:
            subs.append(Submission(student, assignment, nb))
    if not subs:
        raise ConfigError(f"no submissions in {folder}: expected "
                          f"<student>/<assignment>/<notebook>.ipynb with assignments "
                          f"{', '.join(sorted(known))}")
    return subs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m raftlib.grade", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="your notebooks, e.g. exercises/03-voting/voting.ipynb")
    parser.add_argument("--batch", type=Path, help="a folder <student>/<assignment>/<nb>.ipynb")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for --batch (default: all cores)")
    parser.add_argument("--csv", type=Path,
                        help="write (--batch) or read (--summary) per-question rows")
    parser.add_argument("--summary", action="store_true", help="per-question summary")
    parser.add_argument("--gradebook", default=None,
                        help="nbgrader db url or file for --summary "
                             "(default: .grading/gradebook.db)")
    parser.add_argument("--plot", type=Path, help="save the --summary plot to this file")
    parser.add_argument("--logs", type=Path, help="keep nbgrader's logs in this folder")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)  # one share of --jobs
    args = parser.parse_args(argv)
    if args.worker is not None:
        _worker(args.worker)
        return 0
    try:
        if args.summary:
            import pandas as pd

            if args.csv is not None:
                rows = pd.read_csv(args.csv, keep_default_na=False)
            else:
                db = args.gradebook or str(project_root() / ".grading" / "gradebook.db")
                rows = from_gradebook(db if "://" in db else f"sqlite:///{Path(db).resolve()}")
            if rows.empty:
                print("no grades yet", file=sys.stderr)
                return 1
            with pd.option_context("display.width", 120, "display.max_rows", 500):
                print(summary(rows).to_string())
            if args.plot is not None:
                plot_summary(rows, args.plot)
                print(f"plot written to {args.plot}")
            return 0
        root = project_root(args.notebooks[0].parent if args.notebooks else args.batch)
        known = set(assignments(root))
        if args.batch is not None:
            subs = _submissions_in(args.batch, known)
            rows = grade(subs, root=root, jobs=args.jobs, logs=args.logs)
            print(totals(rows).to_string())
            _isolation_note()
            if args.csv is not None:
                rows.to_csv(args.csv, index=False)
                print(f"per-question rows written to {args.csv}")
            return 0
        if not args.notebooks:
            parser.error("give notebooks to grade, --batch FOLDER or --summary")
        subs = []
        for nb in args.notebooks:
            assignment = nb.resolve().parent.name
            if assignment not in known:
                raise ConfigError(f"{nb} is not in an assignment folder; the assignments are "
                                  f"{', '.join(sorted(known))} "
                                  f"(e.g. exercises/03-voting/voting.ipynb)")
            subs.append(Submission("you", assignment, nb))
        found = grade_rows(subs, root=root, jobs=1, logs=args.logs)
        languages = {s.assignment: _language(s.path) for s in subs}
        _report(found, languages=languages)
        _isolation_note(languages[subs[0].assignment])
        return 0 if all(r["score"] >= r["max_score"] for r in found) else 1
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
