"""Search-based grading (raftlib.checks.search), the last question of exercises 03-05.

Both ways: the solutions' functions pass every search; a bug only the search finds fails it
with the shortest trace and a replayable cluster; a bug another question already charges
does not cost this question too; a function not written yet fails it. The verdict does not
depend on the machine: the searches stop at fixed state counts.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

import raftlib as rl
from raftlib.checks import search
from raftlib.checks.common import CheckFailed, NotDoneYet

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {"voting": "03-voting/voting.ipynb", "replication": "04-replication/replication.ipynb",
             "commit": "05-commit/commit.ipynb"}
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def answers(exercise: str, tmp_path: Path, patches: dict[str, str] | None = None) -> dict:
    """The solution's answer cells (setup cell included) as an imported module's namespace,
    with ``patches`` (old -> new, each found exactly once) applied."""
    nb = nbformat.read(ROOT / "solutions" / NOTEBOOKS[exercise], 4)
    cells = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    cells += ["".join(line for line in c.source.splitlines(keepends=True) if not MARKER.match(line))
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    text = "\n\n".join(cells)
    for old, new in (patches or {}).items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"answers_{exercise}_{abs(hash(text))}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in search.PLANS[exercise]["functions"]}


def grade(exercise: str, functions: dict, full: bool = True) -> None:
    search.question(exercise, functions, full)


@pytest.fixture(autouse=True)
def no_cache():
    search._cache.clear()
    search._charged.clear()
    yield
    search._cache.clear()
    search._charged.clear()


@pytest.mark.parametrize("exercise", list(NOTEBOOKS))
def test_the_solutions_pass_every_search(exercise, tmp_path, capsys):
    functions = answers(exercise, tmp_path)
    grade(exercise, functions, full=False)
    grade(exercise, functions)
    assert capsys.readouterr().out.count("No run of 3 servers") == 2
    r = search.explore_answer(exercise, functions)
    assert r.violation is None and r.trace == []
    # the bound is a state count: the last search ends at its cap or exhausts its space
    last = search.PLANS[exercise]["searches"][-1]
    assert r.complete or r.states == last["max_states"]


def test_a_bug_only_the_search_finds_costs_the_question_with_a_replayable_trace(tmp_path):
    """Clearing voted_for on hearing the current leader passes every other question of
    exercise 04; the search finds two leaders in term 1 and says how to replay them."""
    functions = answers("replication", tmp_path, {
        "    self.leader_id = m.leader_id\n":
            "    self.leader_id = m.leader_id\n    self.voted_for = None\n"})
    with pytest.raises(CheckFailed) as info:
        grade("replication", functions)
    message = str(info.value)
    assert "breaks Election Safety after 9 steps" in message
    assert "  1. S1 election timeout" in message and "rl.show(r.cluster())" in message
    r = search.explore_replication(**functions)
    assert r.transcript() in message
    c = r.cluster()
    assert sorted(s for s in c.nodes if c[s].role == rl.LEADER) == ["S1", "S3"]
    assert {c[s].current_term for s in ("S1", "S3")} == {1}
    rl.show(r.cluster())  # what the replay cell after the question does
    # the same verdict again from scratch: nothing depends on the clock
    search._cache.clear()
    again = search.explore_replication(**functions)
    assert (again.states, again.transcript()) == (r.states, r.transcript())


def test_a_bug_another_question_charges_does_not_cost_this_one(tmp_path, capsys):
    """A vote given twice loses question 2 (test_vote_rules); the search finds it in 6 steps
    and shows it, without failing."""
    functions = answers("voting", tmp_path, {
        "               and self.voted_for in (None, m.candidate_id)\n": ""})
    grade("voting", functions)
    out = capsys.readouterr().out
    assert "Not counted in this question: test_vote_rules" in out
    assert "breaks Election Safety after 6 steps" in out


def test_without_the_other_questions_the_search_charges_what_it_finds(tmp_path, monkeypatch):
    """The searches of each plan find the exercise's bugs they are sized for (exercise 05's:
    match_index from the leader's log after a crash, 15 steps)."""
    monkeypatch.setitem(search.OWNERS, "commit", [])
    functions = answers("commit", tmp_path, {
        "        if m.match_index > self.match_index[peer]:\n"
        "            self.match_index[peer] = m.match_index\n":
            "        self.match_index[peer] = len(self.log)\n"})
    with pytest.raises(CheckFailed, match="breaks Leader Completeness after 15 steps"):
        grade("commit", functions)


def test_an_error_in_a_searched_state_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setitem(search.OWNERS, "voting", [])
    functions = answers("voting", tmp_path, {
        "    self.reset_election_timer()\n    for peer in self.peers:":
            "    self.reset_election_timer()\n    if self.current_term > 1:\n"
            "        return self.peers[5]\n    for peer in self.peers:"})
    with pytest.raises(CheckFailed) as info:
        grade("voting", functions)
    message = str(info.value)
    assert "raised an error" in message and "IndexError" in message
    assert "in a step out of the state reached by" in message


def test_a_function_not_written_yet_fails_the_question(tmp_path):
    functions = answers("commit", tmp_path, {
        "    if self.role != LEADER:\n        return\n    for n in":
            "    raise NotImplementedError()\n    for n in"})
    with pytest.raises(NotDoneYet):
        grade("commit", functions, full=False)
