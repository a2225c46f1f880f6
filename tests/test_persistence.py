"""Persistence that is exercised: with ``storage_latency`` the disk holds only
completed writes, messages that rest on new state wait for the write, and a crash
in the window loses what was not written (Figure 2, "updated on stable storage
before responding to RPCs")."""

from __future__ import annotations

import pytest

import raftlib as rl
from raftlib import bugs, scenarios
from raftlib.core import PersistentState, RaftNode

DISK = (0.05, 0.05)


def test_the_disk_holds_only_completed_writes() -> None:
    c = rl.Cluster(3, seed=1, storage_latency=DISK, election_timeout=(1.0, 2.0))
    c.timeout("S1")
    assert c["S1"].current_term == 1 and c["S1"].voted_for == "S1"
    assert c.disk("S1") == PersistentState(0, None, ())
    c.run(0.049)
    assert c.disk("S1").current_term == 0
    c.run(0.002)
    assert c.disk("S1") == PersistentState(1, "S1", ())


def test_a_crash_in_the_window_loses_the_unwritten_state() -> None:
    c = rl.Cluster(3, seed=1, storage_latency=DISK, election_timeout=(1.0, 2.0))
    c.timeout("S1")
    c.run(0.02)
    c.restart("S1")
    assert (c["S1"].current_term, c["S1"].voted_for) == (0, None)
    c.timeout("S1")
    c.run(0.06)
    c.restart("S1")
    assert (c["S1"].current_term, c["S1"].voted_for) == (1, "S1")


def test_without_storage_latency_a_crash_keeps_everything() -> None:
    c = rl.Cluster(3, seed=1, election_timeout=(1.0, 2.0))
    c.timeout("S1")
    assert c.disk("S1") == c["S1"].persistent_state()
    c.restart("S1")
    assert (c["S1"].current_term, c["S1"].voted_for) == (1, "S1")


def _delivery_times(c: rl.Cluster, kind: str, dst: str) -> list[float]:
    return [row.time for row in c.trace.itertuples() if row.event == "deliver"
            and row.type == kind and row.server == dst]


@pytest.mark.figure2("persistent-state")
def test_a_vote_leaves_only_after_its_write() -> None:
    c = rl.Cluster(3, seed=2, storage_latency=DISK, election_timeout=(1.0, 2.0))
    c.timeout("S1")
    c.run(0.2)
    request = min(_delivery_times(c, "RequestVote", "S2"))
    reply = min(_delivery_times(c, "RequestVoteReply", "S1"))
    assert request >= DISK[0]                 # the candidate's own vote is written first
    assert reply - request >= DISK[0]          # and so is the voter's


def test_the_early_reply_bug_answers_before_the_write() -> None:
    c = rl.Cluster(3, seed=2, storage_latency=DISK, election_timeout=(1.0, 2.0),
                   node_class=bugs.PersistAfterReply)
    c.timeout("S1")
    c.run(0.2)
    assert min(_delivery_times(c, "RequestVoteReply", "S1")) < DISK[0]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("scenario", [scenarios.lost_vote, scenarios.lost_entry],
                         ids=["lost_vote", "lost_entry"])
def test_persisting_first_survives_a_crash_in_the_window(scenario, seed: int) -> None:
    c = scenario(rl.Cluster(3, seed=seed, storage_latency=DISK))
    assert c.leader() is not None


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("scenario, prop", [(scenarios.lost_vote, "Election Safety"),
                                            (scenarios.lost_entry, "Leader Completeness")],
                         ids=["lost_vote", "lost_entry"])
def test_replying_first_loses_a_vote_or_an_entry(scenario, prop: str, seed: int) -> None:
    c = rl.Cluster(3, seed=seed, storage_latency=DISK, node_class=bugs.PersistAfterReply)
    with pytest.raises(rl.SafetyViolation) as caught:
        scenario(c)
    assert caught.value.prop == prop


def test_lazy_writes_once_a_second_lose_an_acknowledged_entry() -> None:
    """Lesson 9, self-check 6: a log written lazily, once a second."""
    c = rl.Cluster(3, seed=0, storage_latency=(1.0, 1.0), node_class=bugs.PersistAfterReply)
    with pytest.raises(rl.SafetyViolation, match="lacks committed entry"):
        scenarios.lost_entry(c)


def test_the_scenarios_say_what_they_need() -> None:
    with pytest.raises(rl.ConfigError, match="storage_latency"):
        scenarios.lost_vote(rl.Cluster(3))
    with pytest.raises(rl.ConfigError, match="exactly 3 servers"):
        scenarios.lost_entry(rl.Cluster(5, storage_latency=DISK))
    with pytest.raises(rl.ConfigError, match="four one-way"):
        scenarios.lost_entry(rl.Cluster(3, storage_latency=(0.001, 0.001)))


def test_every_message_waits_for_the_disk_by_default() -> None:
    node = RaftNode("S1", ["S1", "S2", "S3"])
    assert node.hold_until_persisted(object())
    assert not bugs.PersistAfterReply("S1", ["S1"]).hold_until_persisted(object())


def test_storage_bugs_are_documented_like_the_others() -> None:
    assert not set(bugs.STORAGE) & (set(bugs.BUGS) | set(bugs.SUBTLE))
    for bug in bugs.STORAGE:
        assert "Figure 2" in bug.__doc__ and "handout" in bug.__doc__
