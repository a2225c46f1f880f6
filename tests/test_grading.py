"""The graded exercises, graded for real by nbgrader.

* ``exercises/`` is exactly what ``nbgrader generate_assignment`` makes from ``solutions/``;
* every solution scores full marks and every untouched exercise 0;
* each wrong submission in tests/submissions/wrong.yaml loses points on exactly the
  one question it names (one bug, one question), and each hostile one in hostile.yaml gets no undeserved points
  without breaking the run (all graded together, in one batch on both cores);
* the learner's and the instructor's one-command workflows work;
* the checks' building blocks (lint, answer-cell filter, time limit) behave.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from raftlib import grade as grading
from raftlib.checks import common, lint
from raftlib.checks.recheck import GuardGradebook, IndependentRecheck, TrustedSources
from raftlib.checks.rerun import build_plan, run_plan

ROOT = Path(__file__).resolve().parents[1]
CATALOG = Path(__file__).parent / "submissions"
NBGRADER = [sys.executable, "-m", "nbgrader"]
ENV = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def notebook_path(folder: str, assignment: str) -> Path:
    return next((ROOT / folder / assignment).glob("*.ipynb"))


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def learner_notebook(assignment: str):
    """The exercise notebook with each answer cell holding the solution's code (no markers)."""
    nb = nbformat.read(notebook_path("exercises", assignment), 4)
    solution = nbformat.read(notebook_path("solutions", assignment), 4)
    answers = {grade_id(c): "".join(line for line in c.source.splitlines(keepends=True)
                                    if not MARKER.match(line)).rstrip("\n") + "\n"
               for c in solution.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def build(spec: dict, folder: Path) -> Path:
    """Write the submission ``spec`` (see the YAML files) into ``folder``; return the notebook."""
    nb = learner_notebook(spec["assignment"])
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    for patch in spec.get("patches", []):
        source = cells[patch["cell"]].source
        assert source.count(patch["old"]) == 1, \
            f"{spec['name']}: patch text not found exactly once in {patch['cell']}: " \
            f"{patch['old']!r}"
        cells[patch["cell"]].source = source.replace(patch["old"], patch["new"])
    for edit in spec.get("edit", []):
        cell = cells[edit["cell"]]
        cell.source = edit["source"]
        cell.metadata.nbgrader["locked"] = False
        cell.metadata["editable"] = cell.metadata["deletable"] = True
    for gid in spec.get("delete", []):
        nb.cells.remove(cells[gid])
    for insert in reversed(spec.get("insert", [])):
        at = nb.cells.index(cells[insert["after"]]) + 1
        nb.cells.insert(at, nbformat.v4.new_code_cell(insert["source"]))
    folder.mkdir(parents=True)
    for name, text in spec.get("files", {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / notebook_path("exercises", spec["assignment"]).name
    nbformat.write(nb, path)
    return path


def catalog(name: str) -> list[dict]:
    return yaml.safe_load((CATALOG / name).read_text(encoding="utf-8"))


def questions(assignment: str) -> list[str]:
    nb = nbformat.read(notebook_path("solutions", assignment), 4)
    return [grade_id(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


ASSIGNMENTS = grading.assignments(ROOT)


# ------------------------------------------------------------------- no drift
def test_exercises_are_exactly_what_generate_assignment_makes(tmp_path):
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    subprocess.run([*NBGRADER, "generate_assignment", "*", "--create", "--force"],
                   cwd=tmp_path, env=ENV, check=True, capture_output=True)
    made = sorted(p.relative_to(tmp_path / "exercises") for p in
                  (tmp_path / "exercises").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT / "exercises") for p in
                       (ROOT / "exercises").rglob("*") if p.is_file()
                       and ".ipynb_checkpoints" not in p.parts)
    assert made == committed
    assert [a for a in ASSIGNMENTS] == sorted({p.parts[0] for p in made})
    for rel in made:
        made_bytes = (tmp_path / "exercises" / rel).read_bytes()
        assert made_bytes == (ROOT / "exercises" / rel).read_bytes(), \
            f"exercises/{rel} differs from what generate_assignment makes: run " \
            f"`nbgrader generate_assignment '*' --force` and commit the result"


ENGLISH = ["01-quorums", "02-split-brain", "03-voting", "04-replication", "05-commit",
           "06-scenarios", "07-terminology", "08-persistence", "09-dedup"]


def test_every_assignment_has_several_graded_questions_and_no_outputs():
    """The English assignments, and each one's Chinese edition (A-zh, tests/test_editions.py)."""
    assert [a for a in ASSIGNMENTS if not a.endswith("-zh")] == ENGLISH
    assert {a.removesuffix("-zh") for a in ASSIGNMENTS if a.endswith("-zh")} <= set(ENGLISH)
    for a in ASSIGNMENTS:
        assert len(questions(a)) >= 3, a
        nb = nbformat.read(notebook_path("solutions", a), 4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), a
        hidden = [c for c in nb.cells if "### BEGIN HIDDEN TESTS" in c.source]
        assert len(hidden) == len(questions(a)), f"{a}: every test cell has hidden tests"


def test_solutions_run_top_to_bottom_in_a_fresh_kernel():
    from nbclient import NotebookClient

    for a in ASSIGNMENTS:
        nb = nbformat.read(notebook_path("solutions", a), 4)
        NotebookClient(nb, timeout=120, kernel_name="python3", shutdown_kernel="immediate",
                       resources={"metadata": {"path": str(notebook_path("solutions", a).parent)}}
                       ).execute()
        errors = [o for c in nb.cells for o in c.get("outputs", [])
                  if o.output_type == "error" or getattr(o, "name", "") == "stderr"]
        assert not errors, f"{a}: {errors[:1]}"


def test_config_protects_the_grading_run():
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    finally:
        os.chdir(here)
    assert 0 < config.Execute.timeout <= 300
    assert config.Execute.interrupt_on_timeout is True
    assert config.OverwriteCells.add_missing_cells is True
    steps = config.Autograde.autograde_preprocessors
    execute = next(i for i, step in enumerate(steps) if issubclass(step, Execute))
    assert steps[execute + 1] is IndependentRecheck
    assert steps[execute - 1] is TrustedSources  # read before any learner code
    assert config.Autograde.sanitize_preprocessors[0] is GuardGradebook
    from raftlib.checks.kernel import IsolatedKernelManager

    assert config.Execute.kernel_manager_class is IsolatedKernelManager  # the learner's kernel
    assert config.IsolatedKernelManager.isolation == config.IndependentRecheck.isolation
    assert {"raftlib", "*.py", "*.pth"} <= set(config.CourseDirectory.ignore)
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "exercises"
    assert ".grading/" in (ROOT / ".gitignore").read_text()


# ------------------------------------------------------- grading, both ways
def submissions(folder: Path, names: list[str] | None = None):
    """The catalog's submissions (all, or those called ``names``) built into ``folder``,
    with what each must lose: ``{(student, assignment): (questions, caught_by)}``."""
    subs, expected = [], {}
    for spec in catalog("wrong.yaml") + catalog("hostile.yaml"):
        if names is not None and spec["name"] not in names:
            continue
        path = build(spec, folder / spec["name"] / spec["assignment"])
        subs.append(grading.Submission(spec["name"], spec["assignment"], path))
        loses = questions(spec["assignment"]) if spec["loses"] == "all" else spec["loses"]
        expected[(spec["name"], spec["assignment"])] = (loses, spec.get("caught_by"))
    return subs, expected


def test_catalog_is_big_enough_and_well_formed():
    wrong, hostile = catalog("wrong.yaml"), catalog("hostile.yaml")
    assert len(wrong) >= 15
    names = [s["name"] for s in wrong + hostile]
    assert len(names) == len(set(names))
    handler_bugs = [s for s in wrong if s["assignment"] in ("03-voting", "04-replication",
                                                            "05-commit")]
    assert len({s["guide"] for s in handler_bugs if "guide" in s}) >= 10
    for spec in wrong:  # one bug, one question
        assert len(spec["loses"]) == 1, f"{spec['name']} loses {spec['loses']}"
    for spec in wrong + hostile:
        assert spec["assignment"] in ASSIGNMENTS
        if spec["loses"] != "all":
            assert spec["loses"] and set(spec["loses"]) <= set(questions(spec["assignment"])), \
                spec["name"]


def test_autograde_both_ways(tmp_path):
    """One nbgrader batch on two processes: every solution (full marks), every untouched
    exercise (0), and every wrong and hostile submission (exactly its lost questions, 0
    points there, hints that name the rule). Also the per-question summary of the batch."""
    subs, expected = submissions(tmp_path)
    for a in ASSIGNMENTS:
        subs.append(grading.Submission("solution", a, notebook_path("solutions", a)))
        expected[("solution", a)] = ([], None)
        subs.append(grading.Submission("untouched", a, notebook_path("exercises", a)))
        expected[("untouched", a)] = (questions(a), None)
    start = time.perf_counter()
    rows = grading.grade(subs, root=ROOT, jobs=2, overrides={"Execute": {"timeout": 10}})
    print(f"\nautograded {len(subs)} notebooks in {time.perf_counter() - start:.1f} s "
          f"on 2 processes")
    problems = _mismatches(rows, expected) + _missing_hints(rows) + _wrong_language(rows)
    assert not problems, "\n".join(problems)
    table = grading.summary(rows)
    one = table.loc[("03-voting", "test_vote_rules")]
    group = rows[(rows.assignment == "03-voting") & (rows.question == "test_vote_rules")]
    assert one.students == group.student.nunique()
    assert one["full_marks_%"] == round(100 * (group.score >= group.max_score).mean(), 1)
    assert len(grading.plot_summary(rows).axes[0].patches) == len(table)


def _mismatches(rows, expected) -> list[str]:
    problems = []
    for (student, assignment), (loses, by) in expected.items():
        mine = rows[(rows.student == student) & (rows.assignment == assignment)]
        if sorted(mine.question) != sorted(questions(assignment)):
            problems.append(f"{student}/{assignment}: graded questions {list(mine.question)}")
            continue
        lost = sorted(mine[mine.score < mine.max_score].question)
        if lost != sorted(loses):
            detail = "; ".join(f"{r.question}: {r.message[:300]}" for r in mine.itertuples()
                               if r.score < r.max_score)
            problems.append(f"{student}/{assignment}: lost {lost}, expected {sorted(loses)}. "
                            f"{detail}")
            continue
        if (mine[mine.question.isin(loses)].score != 0).any():
            problems.append(f"{student}/{assignment}: partial credit where none is due: "
                            f"{list(mine.score)}")
        for r in mine[mine.question.isin(loses)].itertuples():
            by_recheck = r.message.startswith("IndependentRecheckFailed")
            caught_by = by.get(r.question) if isinstance(by, dict) else by
            if caught_by == "recheck" and not by_recheck:
                problems.append(f"{student}/{assignment}/{r.question}: expected the re-check "
                                f"to catch it, got {r.message[:200]}")
            if caught_by == "kernel" and by_recheck:
                problems.append(f"{student}/{assignment}/{r.question}: expected the test cell "
                                f"to fail in the kernel, only the re-check caught it")
    return problems


HINTS = {
    ("vote-check-by-log-length", "test_up_to_date"): "§5.4.1",
    ("vote-granted-twice-in-a-term", "test_vote_rules"): "one vote per term",
    ("timer-reset-on-every-request", "test_vote_rules"): "Reset it only when you grant",
    ("candidate-never-restarts-its-election", "test_election_timeout"): "start new election",
    ("truncates-without-a-conflict", "test_merge"): "receiver 3-4",
    ("ignores-prev-log-index-past-the-end", "test_consistency"): "receiver 2",
    ("commit-index-without-the-min", "test_commit_rule"): "min(leaderCommit",
    ("counts-replicas-of-old-term-entries", "test_current_term"): "Figure 8",
    ("match-index-from-current-state", "test_reply_rules"): "never from the leader's current state",
    ("endless-loop-in-the-handler", "test_vote_rules"): "endless loop",
    ("calls-the-library-handler", "test_vote_rules"): "the library's",
    ("only-replies-wait-for-the-disk", "test_hold_rules"): "candidate's RequestVote",
    ("log-saved-by-reference", "test_persist_and_restore"): "tuple(self.log)",
    ("duplicate-only-if-the-same-seq", "test_is_duplicate"): "§8",
    ("retry-answered-with-none", "test_apply"): "answered from the table",
    ("os-exit-kills-the-kernel", "test_up_to_date"): "kernel died while running cell",
    ("swallows-the-interrupt-at-top-level", "test_seed_1"): "which starts `while True:`, ran "
                                                           "longer than the 10 s",
    ("prev-log-index-off-by-one", "test_consistency"): "conflict_index",
    ("follower-clears-its-vote-for-the-leader", "test_search"): "breaks Election Safety after 9 "
                                                                "steps",
    ("reads-the-solutions-and-phones-home", "test_vote_rules"): "may not do `open",
    ("helper-hidden-by-renaming-the-module", "test_vote_rules"): "`super`",
    ("attrgetter-with-the-path-as-a-string", "test_vote_rules"): "NameError",
    ("system-exit-in-the-handler", "test_vote_rules"): "called sys.exit(0)",
}


def _wrong_language(rows) -> list[str]:
    """The grader speaks each edition's language: every message of an untouched Chinese
    exercise is Chinese (the folder marker reached the grading kernel), of an English one
    English, and a function not written yet is said so in that language."""
    from raftlib.checks.messages import MESSAGES

    cjk = re.compile(r"[\u3400-\u9fff]")
    quoted = re.compile(r"'[^'\n]*'|`[^`\n]*`")  # a term asked, the learner's code
    python = re.compile(r"^(NameError|SyntaxError|TypeError|AttributeError): ")  # Python's own
    en, zh = (part.split("`", 2)[-1][:12] for part in MESSAGES["not_done"])
    problems = []
    for r in rows[(rows.student == "untouched") & (rows.score < rows.max_score)].itertuples():
        chinese = r.assignment.endswith("-zh")
        if python.match(r.message):
            continue
        text = quoted.sub("", r.message)
        if bool(cjk.search(text)) != chinese or (en if chinese else zh) in r.message:
            problems.append(f"untouched/{r.assignment}/{r.question}: not in "
                            f"{'Chinese' if chinese else 'English'}: {r.message[:300]}")
    for assignment, mine in rows[rows.student == "untouched"].groupby("assignment"):
        blank = zh if assignment.endswith("-zh") else en
        if not assignment.startswith("07-terminology") and blank not in "\n".join(mine.message):
            problems.append(f"untouched/{assignment}: no not-written-yet message")
    return problems


def _missing_hints(rows) -> list[str]:
    problems = []
    for (student, question), text in HINTS.items():
        message = rows[(rows.student == student) & (rows.question == question)].message.iloc[0]
        if text not in message:
            problems.append(f"{student}/{question}: no {text!r} in {message[:400]}")
    return problems


def test_without_the_recheck_plain_nbgrader_is_fooled(tmp_path):
    """The re-check is load-bearing: with it switched off, these hostile submissions get
    points they do not deserve (so the catalog test above could fail)."""
    names = ["monkeypatches-the-checker-and-raftlib", "hides-every-error", "prints-a-fake-score"]
    subs, expected = submissions(tmp_path, names)
    rows = grading.grade(subs, root=ROOT, jobs=1, overrides={
        "Execute": {"timeout": 10}, "IndependentRecheck": {"enabled": False}})
    for (student, _), (loses, _) in expected.items():
        stolen = rows[(rows.student == student) & rows.question.isin(loses)].score.sum()
        assert stolen > 0, f"{student} got no points even without the re-check"


# ----------------------------------------------------------------- workflows
def test_learner_grades_their_own_notebook_with_one_command(tmp_path):
    done = tmp_path / "07-terminology"
    done.mkdir()
    shutil.copy(notebook_path("solutions", "07-terminology"), done)
    fresh = notebook_path("exercises", "01-quorums")
    result = subprocess.run([sys.executable, "-m", "raftlib.grade", str(done / "terminology.ipynb"),
                             str(fresh)], cwd=ROOT, env=ENV, capture_output=True, text=True,
                            timeout=300)
    out = result.stdout
    assert result.returncode == 1, result.stderr  # not everything has full marks
    assert "07-terminology (you)" in out and "01-quorums (you)" in out
    assert re.search(r"test_seed_1\s+2\s+2\s+ok", out)
    assert re.search(r"total\s+8\s+8", out) and re.search(r"total\s+0\s+8", out)
    assert "NotDoneYet: `majority` is not written yet" in out
    assert "Traceback" not in result.stderr


def test_instructor_workflow_autograde_export_and_summary(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", course)

    def nbgrader(*args: str) -> None:
        subprocess.run([*NBGRADER, *args], cwd=course, env=ENV, check=True, capture_output=True)

    nbgrader("generate_assignment", "07-terminology", "--create", "--force")
    for student, folder in (("alice", "solutions"), ("bob", "exercises")):
        target = course / ".grading" / "submitted" / student / "07-terminology"
        target.mkdir(parents=True)
        shutil.copy(notebook_path(folder, "07-terminology"), target)
    nbgrader("autograde", "07-terminology", "--create")
    nbgrader("export")
    export = (course / "grades.csv").read_text()
    assert re.search(r"07-terminology,.*alice,.*,8\.0,8\.0", export)
    assert re.search(r"07-terminology,.*bob,.*,0\.0,8\.0", export)
    result = subprocess.run([sys.executable, "-m", "raftlib.grade", "--summary", "--plot",
                             "summary.png"], cwd=course, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.search(r"test_seed_1\s+2\s+2\.0\s+1\.0\s+50\.0", result.stdout), result.stdout
    assert (course / "summary.png").stat().st_size > 5000


# ------------------------------------------------------------- building blocks
def _function(source: str):
    """Define a function from source the way a notebook cell does (inspectable)."""
    import linecache

    name = f"<cell {abs(hash(source))}>"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    namespace = {"__name__": "__main__"}
    exec(compile(source, name, "exec"), namespace)
    return next(v for k, v in namespace.items() if callable(v) and not k.startswith("__"))


@pytest.mark.parametrize("source, problem", [
    ("def f(self, m):\n    import os\n", "no imports"),
    ("def f(self, m):\n    return getattr(self, 'log')\n", "`getattr`"),
    ("def f(self, m):\n    return self.__class__\n", "`.__class__`"),
    ("def f(self, m):\n    return super().f(m)\n", "`super`"),
    ("def f(self, m):\n    rl.Cluster.check = None\n", "only `self`"),
    ("def f(self, m):\n    x = m\n    x.term = 3\n", "only `self`"),
    ("def f(self, m):\n    rl.TIMINGS['paper'] = 1\n", "only `self`"),
    ("def f(self, m):\n    other.handle_request_vote(m)\n", "the library's version"),
    ("def f(self, m):\n    try:\n        pass\n    except BaseException:\n        pass\n",
     "specific exceptions"),
    ("def f(self, m):\n    global x\n", "`global`"),
    ("def f(self, m):\n    return (x for x in [1]).gi_frame.f_back\n", "`.gi_frame`"),
    ("def f(self, m):\n    return rl.core.node.sys\n", "`.sys`"),
    ("def f(self, m):\n    return operator.setitem(d, '__dict__', 1)\n", "not even in a string"),
    ("def f(self, m):\n    return operator.attrgetter('x')(self)\n", "`.attrgetter`"),
])
def test_lint_refuses(source, problem):
    with pytest.raises(common.RefusedCode, match=re.escape(problem)):
        lint.check_function(_function(source))


def test_lint_reads_every_function_the_answer_defines_whatever_its_name():
    """A helper defined under another ``__name__`` (so another ``__module__``) is linted too."""
    fn = _function("__name__ = 'raftlib.core.node'\n"
                   "def helper(self, m):\n    return super().handle_request_vote(m)\n"
                   "__name__ = '__main__'\n"
                   "def handle_request_vote(self, m):\n    return helper(self, m)\n")
    with pytest.raises(common.RefusedCode, match="`super`"):
        lint.check_function(fn)


HOSTILE_BODIES = {
    # each reaches the library's own RaftNode.handle_request_vote without naming it in code
    "attrgetter": "return ag('RaftNode.handle_request_vote')(rl)(self, m)",
    "methodcaller": "return mc('handle_request_vote', self, m)(super_of(self))",
    "string formatter": "return fmt().get_field('0.RaftNode.handle_request_vote', [rl], {})[0]"
                        "(self, m)",
}


@pytest.mark.parametrize("how", sorted(HOSTILE_BODIES))
def test_the_library_handler_is_out_of_reach_of_graded_code(how):
    """The sandbox hides attribute-by-string tools (whatever the learner calls them), and
    the trap fails a graded call that runs the library's handler by any path at all."""
    import operator
    import string

    import raftlib as rl

    source = f"def handle_request_vote(self, m):\n    {HOSTILE_BODIES[how]}\n"
    fn = _function(source)
    fn.__globals__.update(ag=operator.attrgetter, mc=operator.methodcaller,
                          fmt=string.Formatter, rl=rl, super_of=lambda node: rl.RaftNode)
    node = common.fresh(common.node_class(handle_request_vote=fn))
    with pytest.raises(common.CheckFailed):
        node.handle_request_vote(rl.RequestVote("S2", "S1", 1, "S2", 0, 0))
    # Even with the tools handed over in the sandbox, the trap catches the call itself.
    from raftlib.checks import sandbox

    copy = sandbox.sandboxed(fn)
    copy.__globals__.update(ag=operator.attrgetter, mc=operator.methodcaller,
                            fmt=string.Formatter, rl=rl, super_of=lambda node: rl.RaftNode)
    cls = type("Node", (rl.RaftNode,), {"handle_request_vote": common.guard(
        copy, "handle_request_vote")})
    with pytest.raises(common.RefusedCode, match="library's own `handle_request_vote`"):
        common.fresh(cls).handle_request_vote(rl.RequestVote("S2", "S1", 1, "S2", 0, 0))


def test_graded_code_cannot_patch_module_state_or_do_io(tmp_path):
    """Module views are read-only and hand out copies; files, sockets, processes are refused."""
    import raftlib as rl
    from raftlib.checks import sandbox

    secret = tmp_path / "secret.txt"
    secret.write_text("the answers")
    fn = _function("def f():\n    t = rl.TIMINGS\n    t.clear()\n    return len(t)\n")
    fn.__globals__["rl"] = rl
    before = dict(rl.TIMINGS)
    assert common.guard(fn, "f")() == 0 and rl.TIMINGS == before
    for body in (f"return opener({str(secret)!r}).read()",
                 "return connect(('127.0.0.1', 9))",
                 "return run(['true'])"):
        fn = _function(f"def f():\n    {body}\n")
        import socket
        import subprocess as sp

        fn.__globals__.update(opener=open, connect=socket.create_connection, run=sp.run)
        with pytest.raises(common.CheckFailed):
            common.guard(fn, "f")()
    views = sandbox.sandboxed(_function("def f():\n    return rl.checks\n"))
    assert "rl" not in views.__globals__ or isinstance(views.__globals__["rl"], sandbox.ModuleView)


def test_lint_accepts_ordinary_handler_code():
    fn = _function("def f(self, m):\n    votes = {}\n    votes[m.src] = 1\n"
                   "    self.next_index[m.src] = max(1, self.next_index[m.src] - 1)\n"
                   "    self.log[-1:] = [e._replace(term=2) for e in self.log[-1:]]\n"
                   "    try:\n        return self.log[5]\n    except IndexError:\n"
                   "        return sorted(votes, key=lambda k: votes[k])\n")
    lint.check_function(fn)


def test_answer_cell_filter_keeps_only_imports_functions_and_literals():
    kept, dropped = lint.filter_answer_cell(
        "import math\nimport os\nX = {'a': [1, 2]}\nY = compute()\n"
        "@decorate\ndef g():\n    pass\n"
        "def f(n: int = 3) -> int:\n    return n\nprint('hi')\nclass C:\n    pass\n")
    import ast

    assert [ast.unparse(s).splitlines()[0] for s in kept] == [
        "import math", "X = {'a': [1, 2]}", "def f(n=3):"]
    assert len(dropped) == 5 and dropped[0].startswith("line 2: import os")


def test_time_limit_stops_an_endless_learner_function(monkeypatch):
    monkeypatch.setattr(common, "CALL_LIMIT", 0.2)
    fn = common.guard(_function("def f():\n    while True:\n        pass\n"), "f")
    start = time.perf_counter()
    with pytest.raises(common.LearnerTimeout, match="endless loop"):
        fn()
    assert time.perf_counter() - start < 5


def test_recheck_runs_test_cells_without_the_kernels_other_code():
    cells = [
        {"cell_type": "code", "source": "import os",
         "metadata": {"nbgrader": {"grade_id": "setup"}}},
        {"cell_type": "code", "source": "def f():\n    return 1\nf = lambda: 2\nN = 2",
         "metadata": {"nbgrader": {"grade_id": "answer"}}},
        {"cell_type": "code", "source": "anything", "metadata": {"nbgrader": {"grade_id": "t1"}}},
        {"cell_type": "code", "source": "anything", "metadata": {"nbgrader": {"grade_id": "t2"}}},
    ]
    sources = {"setup": ("import math", True, "code"), "answer": ("", False, "code"),
               "t1": ("assert f() == 1 and N == 2 and 'os' not in dir()", True, "code"),
               "t2": ("assert f() == 2", True, "code")}
    plan = build_plan(cells, sources, {"answer"}, {"t1", "t2"})
    assert [kind for kind, _, _ in plan] == ["setup", "answer", "test", "test"]
    assert plan[0][2] == "import math"  # the gradebook's source, never the notebook's
    results, notes = run_plan(plan, timeout=60)
    assert results["t1"] == (True, "")
    assert results["t2"][0] is False
    assert notes == ["answer, line 3: f = lambda: 2"]


def test_recheck_runs_isolated_by_the_os():
    """Under bubblewrap the re-check's learner code sees no course files and no network (a
    listener on this machine's loopback is out of reach), and runs as user 65534; without
    isolation the same code reaches both (so the test can fail)."""
    import socket

    from raftlib.checks import isolation

    why = isolation.unavailable()
    if why is not None:
        pytest.skip(f"no OS isolation here: {why}")
    secret = notebook_path("solutions", "03-voting")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        answer = (f"def peek():\n    return open({str(secret)!r}).read()\n"
                  f"def phone():\n    import socket\n"
                  f"    socket.create_connection(('127.0.0.1', {port}), timeout=5).close()\n"
                  f"def whoami():\n    import os\n    return os.getuid()\n")
        plan = [("answer", "a", answer), ("test", "reads", "assert 'BEGIN SOLUTION' in peek()"),
                ("test", "connects", "phone()"), ("test", "uid", "assert whoami() == 65534")]
        isolated, notes = run_plan(plan, timeout=60, isolation="bwrap")
        assert isolated["reads"][0] is False and "No such file" in isolated["reads"][1]
        assert isolated["connects"][0] is False, isolated["connects"]
        assert isolated["uid"] == (True, ""), isolated["uid"]
        assert not notes
        plain, _ = run_plan(plan, timeout=60, isolation="none")
        assert plain["reads"] == (True, "") and plain["connects"] == (True, "")


def test_the_grading_kernel_is_isolated_by_the_os(tmp_path):
    """Top-level code in a submission tries to read the solutions, the gradebook and the
    course's copy of the source, to connect to a listener on this machine's loopback and to
    write a file outside its folder: under bubblewrap it gets none of them (and still scores
    full marks); with the kernel's isolation switched off the same code gets all of them (so
    the test can fail)."""
    import socket

    from raftlib.checks import isolation

    why = isolation.unavailable()
    if why is not None:
        pytest.skip(f"no OS isolation here: {why}")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        leak = tmp_path / "leak"
        leak.mkdir()
        os.chmod(leak, 0o777)
        spy = (f"import os, socket\n"
               f"got = []\n"
               f"for path in ({str(notebook_path('solutions', '07-terminology'))!r},\n"
               f"             '../../../gradebook.db', '../../../source/07-terminology/"
               f"terminology.ipynb'):\n"
               f"    try:\n"
               f"        got.append(open(path, 'rb').read(64))\n"
               f"    except OSError:\n"
               f"        pass\n"
               f"try:\n"
               f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
               f"except OSError:\n"
               f"    pass\n"
               f"try:\n"
               f"    open({str(leak / 'stolen')!r}, 'w').write(repr(got))\n"
               f"except OSError:\n"
               f"    pass\n")
        nb = learner_notebook("07-terminology")
        nb.cells.insert(1, nbformat.v4.new_code_cell(spy))
        folder = tmp_path / "07-terminology"
        folder.mkdir()
        nbformat.write(nb, folder / "terminology.ipynb")
        sub = [grading.Submission("spy", "07-terminology", folder / "terminology.ipynb")]

        def connections() -> int:
            count = 0
            while True:
                try:
                    listener.accept()[0].close()
                    count += 1
                except OSError:
                    return count

        rows = grading.grade(sub, root=ROOT)
        assert (rows.score == rows.max_score).all(), rows.message.tolist()
        assert connections() == 0
        assert not (leak / "stolen").exists()
        plain = grading.grade(sub, root=ROOT,
                              overrides={"IsolatedKernelManager": {"isolation": "none"}})
        assert (plain.score == plain.max_score).all()
        assert connections() == 1
        stolen = (leak / "stolen").read_text()
        assert stolen.count("b'") == 3, stolen  # the solutions, the gradebook, the source
