"""The classic scenarios set up what they promise, for several seeds, and then play out."""

from __future__ import annotations

import pytest

import raftlib as rl
from raftlib import scenarios
from raftlib.replay import snapshot

SEEDS = [0, 1, 7]


def terms(c):
    return {s: [e.term for e in c[s].log] for s in c.nodes}


def leaders(c):
    return [s for s in c.nodes if c.up[s] and c[s].role == "leader"]


@pytest.mark.parametrize("seed", SEEDS)
def test_split_vote_nobody_wins_the_first_term_then_someone_does(seed):
    c = scenarios.split_vote(rl.Cluster(5, seed=seed))
    assert {c[s].role for s in c.nodes} == {"candidate"}
    c.run(0.1)
    assert not any(c[s].role == "leader" and c[s].current_term == 1 for s in c.nodes)
    assert c.run_until(lambda: c.leader() is not None, 3)
    assert c[c.leader()].current_term >= 2
    c.check()


@pytest.mark.parametrize("seed", SEEDS)
def test_leader_crash_leaves_committed_entries_and_a_new_leader_keeps_them(seed):
    c = scenarios.leader_crash(rl.Cluster(5, seed=seed), commands=3)
    assert c.leader() is None and sum(not u for u in c.up.values()) == 1
    assert all(c[s].commit_index == 3 for s in c.nodes if c.up[s])
    assert c.run_until(lambda: c.leader() is not None, 3)
    assert c[c.leader()].last_log_index >= 3
    c.check()


@pytest.mark.parametrize("seed", SEEDS)
def test_two_leaders_in_different_terms_until_the_partition_heals(seed):
    c = scenarios.two_leaders(rl.Cluster(5, seed=seed))
    old, new = sorted(leaders(c), key=lambda s: c[s].current_term)
    assert c[old].current_term < c[new].current_term
    assert c[old].commit_index < c[old].last_log_index  # the stale leader cannot commit
    assert c[new].commit_index == c[new].last_log_index
    c.heal()
    c.run(0.5)
    assert leaders(c) == [new]
    assert len(set(map(tuple, terms(c).values()))) == 1  # the old side rolled back
    c.check()


@pytest.mark.parametrize("seed", SEEDS)
def test_figure8_stage_c_and_both_futures(seed):
    c = scenarios.figure8(rl.Cluster(5, seed=seed))
    assert terms(c) == {"S1": [1, 2, 4], "S2": [1, 2], "S3": [1, 2], "S4": [1], "S5": [1, 3]}
    assert c.leader() == "S1" and c["S1"].current_term == 4 and not c.up["S5"]
    assert c["S1"].commit_index < 2  # on a majority, yet not committed (§5.4.2)
    # (d): S1 crashes at once, S5 comes back and wins, overwriting index 2.
    d = snapshot(c)
    d.crash("S1")
    d.restart("S5")
    for _ in range(3):
        if d.leader() == "S5":
            break
        d.timeout("S5")
        d.run(0.05)
    assert d.leader() == "S5"
    d.run(0.3)
    assert [e.term for e in d["S2"].log] == [1, 3]
    d.check()
    # (e): S1 replicates its term-4 entry first; then index 2 commits with it.
    c.run(0.2)
    assert c["S1"].commit_index == 3 and [e.term for e in c["S3"].log] == [1, 2, 4]
    c.check()


@pytest.mark.parametrize("seed", SEEDS)
def test_stale_follower_is_repaired_by_backing_up_next_index(seed):
    c = scenarios.stale_follower(rl.Cluster(5, seed=seed), missed=5)
    leader = c.leader()
    stale = next(s for s in c.nodes if c.up[s] and c[s].last_log_index == 3)
    assert [e.term for e in c[stale].log] == [1, 1, 1]
    assert c[leader].next_index[stale] == c[leader].last_log_index + 1 == 7
    c.run(0.5)
    assert c[stale].log == c[leader].log
    assert any(r[1] == "deliver" and r[2] == leader and r[3] == stale and r[7] is False
               for r in c.trace_rows())  # a failed consistency check on the way
    c.check()


def test_scenarios_say_what_they_need():
    with pytest.raises(rl.ConfigError, match="exactly 5 servers"):
        scenarios.figure8(rl.Cluster(3, seed=1))
    with pytest.raises(rl.ConfigError, match="at least 4 servers"):
        scenarios.stale_follower(rl.Cluster(3, seed=1))
    with pytest.raises(rl.ConfigError, match="unknown scenario 'nope'"):
        scenarios.apply("nope", rl.Cluster(3, seed=1))
    c = rl.Cluster(3, seed=1)
    c.crash("S1")
    c.crash("S2")
    with pytest.raises(rl.ConfigError, match="no leader"):
        scenarios.leader_crash(c)
