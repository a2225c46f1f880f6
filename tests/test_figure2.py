"""Figure 2 on one page (docs/figure2.md) covers every rule and is current.

The spec is ``raftlib/data/figure2.csv``: every rule of the Raft paper's
Figure 2, written out once. Each rule must be implemented by a method of
``raftlib/core/node.py`` (docstring tag ``[Figure 2: key]``) and checked by a
test (``@pytest.mark.figure2("key")``); no tag or marker may name a rule that
is not in the spec; and docs/figure2.md must be what ``tools/figure2.py``
generates now.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import figure2  # noqa: E402  (tools/figure2.py)

#: The groups of Figure 2 and how many rules each has in the paper.
GROUPS = {"State": 3, "AppendEntries RPC, receiver implementation": 5,
          "RequestVote RPC, receiver implementation": 2, "Rules for Servers, all servers": 2,
          "Rules for Servers, followers": 2, "Rules for Servers, candidates": 4,
          "Rules for Servers, leaders": 6}


def test_the_spec_lists_every_rule_of_figure_2_once() -> None:
    rules = figure2.rules()
    keys = [r.key for r in rules]
    assert len(keys) == len(set(keys))
    counts = {g: sum(r.group == g for r in rules) for g in GROUPS}
    assert counts == GROUPS
    assert all(r.rule for r in rules)


def test_every_rule_is_implemented_and_every_tag_is_a_rule() -> None:
    keys = {r.key for r in figure2.rules()}
    tagged = figure2.methods()
    assert keys - set(tagged) == set(), "rules without a [Figure 2: key] tag in node.py"
    assert set(tagged) - keys == set(), "tags in node.py that name no rule of the spec"


def test_every_rule_is_tested_and_every_marker_is_a_rule() -> None:
    keys = {r.key for r in figure2.rules()}
    marked = figure2.tests()
    assert keys - set(marked) == set(), "rules without a @pytest.mark.figure2 test"
    assert set(marked) - keys == set(), "figure2 markers that name no rule of the spec"


def test_graded_handlers_are_found_in_the_exercises() -> None:
    graded = figure2.questions()
    assert "03-voting `test_vote_rules`" in graded["handle_request_vote"]
    assert "04-replication `test_merge`" in graded["merge_entries"]
    assert "08-persistence `test_persist_and_restore`" in graded["persistent_state"]


def test_the_page_is_current() -> None:
    page = (ROOT / "docs" / "figure2.md").read_text(encoding="utf-8")
    assert page == figure2.render(), \
        "docs/figure2.md is stale: run .venv/bin/python tools/figure2.py and commit it"
    for rule in figure2.rules():
        assert f"**{rule.key}**" in page


@pytest.mark.parametrize("argv, code", [(["--check"], 0)])
def test_the_check_command(argv, code, capsys) -> None:
    assert figure2.main(argv) == code
    assert "current" in capsys.readouterr().out
