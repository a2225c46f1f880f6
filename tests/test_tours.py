"""The guided tours' scripts, played on plain clusters: after each step's action the
cluster is in the state its caption describes, and every caption has both languages."""

from __future__ import annotations

import pytest

from raftlib import tours
from raftlib.core import CANDIDATE, FOLLOWER, LEADER

SCRIPTS = {"election": tours.ELECTION, "replication": tours.REPLICATION}


def play(script):
    """The cluster after each step, as (step number, cluster), on one cluster."""
    c = script.setup()
    for k, (_caption, action) in enumerate(script.steps):
        if action is not None:
            action(c)
        c.check()
        yield k, c


@pytest.mark.parametrize("name", SCRIPTS)
def test_captions_are_bilingual_and_steps_callable(name):
    script = SCRIPTS[name]
    assert len(script.steps) >= 6
    for caption, action in script.steps:
        assert set(caption) == {"en", "zh"} and all(caption.values())
        assert action is None or callable(action)


def roles(c):
    return {s: (c[s].role if c.up[s] else "crashed") for s in c.nodes}


def test_election_tour_does_what_it_says():
    seen = dict((k, (roles(c), {s: c[s].current_term for s in c.nodes},
                     {s: c[s].voted_for for s in c.nodes}, c.leader()))
                for k, c in _snapshots(tours.ELECTION))
    r, terms, voted, leader = seen[0]
    assert set(r.values()) == {FOLLOWER} and set(terms.values()) == {0} and leader is None
    r, terms, voted, _ = seen[1]
    assert r["S1"] == CANDIDATE and terms["S1"] == 1 and voted["S1"] == "S1"
    r, terms, voted, _ = seen[2]
    assert all(voted[s] == "S1" and terms[s] == 1 for s in voted)
    assert seen[3][3] == "S1" and seen[4][3] == "S1"
    assert seen[5][0]["S1"] == "crashed"
    r, terms, _, _ = seen[6]
    candidates = [s for s in r if r[s] == CANDIDATE]
    assert len(candidates) == 1 and terms[candidates[0]] == 2
    assert seen[7][3] == candidates[0]
    r, terms, _, leader = seen[8]
    assert r["S1"] == FOLLOWER and terms["S1"] == 2 and leader == candidates[0]
    r, terms, _, _ = seen[9]
    up = [s for s in r if r[s] != "crashed"]
    assert len(up) == 4 and {r[s] for s in up} == {CANDIDATE}
    assert {terms[s] for s in up} == {3}
    assert seen[10][3] is not None


def _snapshots(script):
    for k, c in play(script):
        yield k, c


def test_replication_tour_does_what_it_says():
    states = {}
    for k, c in play(tours.REPLICATION):
        states[k] = ({s: [e.command for e in c[s].log] for s in c.nodes},
                     {s: c[s].commit_index for s in c.nodes}, c.leader(),
                     {s: c[s].role for s in c.nodes})
    logs, commit, leader, _ = states[0]
    assert leader == "S1" and not any(logs.values())
    logs, commit, _, _ = states[1]
    assert logs["S1"] == ["x=1"] and commit["S1"] == 0
    logs, commit, _, _ = states[2]
    assert sum(log == ["x=1"] for log in logs.values()) >= 3 and commit["S1"] == 0
    assert states[3][1]["S1"] == 1
    assert set(states[4][1].values()) == {1}
    logs, commit, _, _ = states[5]
    assert commit["S1"] == 2 and logs["S4"] == ["x=1"] and logs["S5"] == ["x=1"]
    logs, commit, leader, _ = states[6]
    assert logs["S1"] == ["x=1", "y=2", "z=3"] and commit["S1"] == 2 and leader not in (None, "S1")
    new_leader = leader
    logs, commit, leader, r = states[7]
    assert r["S1"] == FOLLOWER and leader == new_leader and logs["S1"][-1] == "z=3"
    assert logs["S4"] == logs["S5"] == ["x=1", "y=2"]
    logs, commit, leader, _ = states[8]
    assert all(log == ["x=1", "y=2", "w=4"] for log in logs.values())


def test_tour_objects_follow_the_contract():
    rl = pytest.importorskip("raftlib")
    if not hasattr(rl, "Tour"):
        pytest.skip("rl.Tour (the widget helper's tour API) is not merged in this branch")
    tour = tours.election(lang="zh")
    assert tour.index == 0 and tour.cluster.leader() is None
    tour.next()
    assert tour.index == 1 and tour.cluster["S1"].role == CANDIDATE
    tour.goto(3)
    assert tour.cluster.leader() == "S1"
    tour.back()
    assert tour.index == 2
    assert "S1" in str(tour.caption)
    assert LEADER in {tours.replication().cluster["S1"].role}
