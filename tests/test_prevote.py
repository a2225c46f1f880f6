"""PreVote and CheckQuorum (Ongaro's dissertation §9.6, §6.2, §4.2.3): one test per
rule on a bare server, then the disruptive server on a cluster, with and without
the options, and the 6.824 port and chaos runs with the options on."""

from __future__ import annotations

import pytest

import raftlib as rl
from raftlib.core import (AppendEntries, AppendEntriesReply, PreVote, PreVoteReply, RaftNode,
                          RequestVote)
from mit6824 import test_2a, test_2b, test_2c  # noqa: F401  (they register the scenarios)
from mit6824.harness import SCENARIOS, run_test
from raftlib.soak import chaos_run

PEERS = ["S1", "S2", "S3"]


def node(**options) -> RaftNode:
    n = RaftNode("S1", PEERS, **options)
    n.current_term = 2
    n.election_timer_reset = False
    return n


def heartbeat(n: RaftNode, term: int = 2) -> None:
    n.receive(AppendEntries("S2", "S1", term, "S2", 0, 0, (), 0))
    n.outbox.clear()


# ------------------------------------------------------------- options off
def test_without_options_a_timeout_starts_an_election_at_once() -> None:
    n = node()
    n.on_election_timeout()
    assert (n.role, n.current_term) == (rl.CANDIDATE, 3)
    assert {type(m) for m in n.outbox} == {RequestVote}


def test_without_options_a_higher_term_request_deposes_even_a_fresh_follower() -> None:
    n = node()
    heartbeat(n)
    n.receive(RequestVote("S3", "S1", 9, "S3", 0, 0))
    assert n.current_term == 9 and n.outbox[-1].vote_granted
    assert not n.lease_timer_reset


# ---------------------------------------------------------------- PreVote
def test_pre_vote_asks_first_and_keeps_the_term() -> None:
    n = node(pre_vote=True)
    n.on_election_timeout()
    assert (n.role, n.current_term, n.voted_for) == (rl.FOLLOWER, 2, None)
    assert n.outbox == [PreVote("S1", p, 3, "S1", 0, 0) for p in ("S2", "S3")]
    assert n.election_timer_reset


def test_a_majority_of_pre_votes_starts_the_real_election() -> None:
    n = node(pre_vote=True)
    n.on_election_timeout()
    n.outbox.clear()
    n.receive(PreVoteReply("S2", "S1", 3, True))
    assert (n.role, n.current_term, n.voted_for) == (rl.CANDIDATE, 3, "S1")
    assert {type(m) for m in n.outbox} == {RequestVote}


def test_a_pre_vote_is_granted_without_recording_anything() -> None:
    n = node(pre_vote=True)
    n.receive(PreVote("S3", "S1", 3, "S3", 0, 0))
    assert n.outbox == [PreVoteReply("S1", "S3", 3, True)]
    assert (n.current_term, n.voted_for, n.election_timer_reset) == (2, None, False)


def test_no_pre_vote_within_the_lease_or_for_a_stale_log_or_term() -> None:
    n = node(pre_vote=True)
    heartbeat(n)
    assert n.heard_from_leader and n.lease_timer_reset
    n.receive(PreVote("S3", "S1", 3, "S3", 0, 0))
    assert n.outbox.pop() == PreVoteReply("S1", "S3", 2, False)
    n.on_lease_timeout()
    n.receive(PreVote("S3", "S1", 3, "S3", 0, 0))
    assert n.outbox.pop().vote_granted
    n.log.append(rl.Entry(2, "x"))
    n.receive(PreVote("S3", "S1", 3, "S3", 0, 0))   # its log lacks our entry
    assert not n.outbox.pop().vote_granted
    n.receive(PreVote("S3", "S1", 2, "S3", 1, 2))   # no term above ours
    assert not n.outbox.pop().vote_granted


def test_a_refusal_from_a_higher_term_is_adopted() -> None:
    n = node(pre_vote=True)
    n.on_election_timeout()
    n.receive(PreVoteReply("S2", "S1", 7, False))
    assert (n.current_term, n.role, n.pre_votes_received) == (7, rl.FOLLOWER, None)


def test_stale_pre_vote_grants_are_not_counted() -> None:
    n = node(pre_vote=True)
    n.receive(PreVoteReply("S2", "S1", 3, True))    # no pre-vote under way
    heartbeat(n)
    assert n.role == rl.FOLLOWER and n.current_term == 2


# ------------------------------------------------------------ CheckQuorum
def test_a_request_vote_within_the_lease_is_ignored() -> None:
    n = node(check_quorum=True)
    heartbeat(n)
    n.receive(RequestVote("S3", "S1", 9, "S3", 0, 0))
    assert (n.outbox, n.current_term, n.voted_for) == ([], 2, None)
    n.on_lease_timeout()
    n.receive(RequestVote("S3", "S1", 9, "S3", 0, 0))
    assert n.current_term == 9 and n.outbox[-1].vote_granted


def test_a_leader_that_hears_from_no_majority_steps_down_in_its_term() -> None:
    n = node(check_quorum=True)
    n.on_election_timeout()
    n.receive(rl.RequestVoteReply("S2", "S1", 3, True))
    assert n.role == rl.LEADER and n.election_timer_reset    # the timer times the check
    n.on_election_timeout()
    assert (n.role, n.current_term, n.voted_for) == (rl.FOLLOWER, 3, "S1")


def test_a_leader_that_hears_from_a_majority_stays() -> None:
    n = node(check_quorum=True)
    n.on_election_timeout()
    n.receive(rl.RequestVoteReply("S2", "S1", 3, True))
    n.receive(AppendEntriesReply("S3", "S1", 3, True, 0, None, None))
    n.election_timer_reset = False
    n.on_election_timeout()
    assert n.role == rl.LEADER and n.election_timer_reset
    n.on_election_timeout()                                  # nobody heard since
    assert n.role == rl.FOLLOWER


def test_without_check_quorum_a_leader_ignores_its_timer() -> None:
    n = node()
    n.on_election_timeout()
    n.receive(rl.RequestVoteReply("S2", "S1", 3, True))
    n.on_election_timeout()
    assert n.role == rl.LEADER


def test_the_options_must_be_booleans() -> None:
    with pytest.raises(rl.ConfigError, match="pre_vote must be True or False"):
        rl.Cluster(3, pre_vote="yes")
    with pytest.raises(rl.ConfigError, match="check_quorum"):
        rl.Cluster(3, check_quorum=1)


# ------------------------------------------------------ the disruptive server
def disruptive_server(**options) -> tuple[rl.Cluster, str, int, int]:
    """Five servers; a follower is cut off for 2 s, then comes back. Returns the
    cluster, the leader before, its term before and the cut-off server's term
    just before it came back."""
    c = rl.Cluster(5, seed=4, **options)
    assert c.run_until(lambda: c.leader() is not None, 2)
    c.run(0.2)
    leader = c.leader()
    term = c[leader].current_term
    lonely = next(s for s in c.nodes if s != leader)
    c.disconnect(lonely)
    c.run(2.0)
    lonely_term = c[lonely].current_term
    c.connect(lonely)
    c.run(1.0)
    c.check()
    return c, leader, term, lonely_term


def test_without_options_the_returning_server_deposes_a_healthy_leader() -> None:
    c, leader, term, lonely_term = disruptive_server()
    assert lonely_term > term + 3
    assert c[leader].current_term > term      # the leader had to step down


@pytest.mark.parametrize("options", [{"pre_vote": True}, {"pre_vote": True, "check_quorum": True}],
                         ids=["pre_vote", "both"])
def test_with_pre_vote_the_returning_server_disrupts_nothing(options) -> None:
    c, leader, term, lonely_term = disruptive_server(**options)
    assert lonely_term == term
    assert c.leader() == leader and all(c[s].current_term == term for s in c.nodes)


def test_check_quorum_deposes_a_leader_cut_off_from_the_majority() -> None:
    for check_quorum in (False, True):
        c = rl.Cluster(5, seed=5, check_quorum=check_quorum)
        assert c.run_until(lambda: c.leader() is not None, 2)
        old = c.leader()
        c.partition([old, next(s for s in c.nodes if s != old)],
                    [s for s in c.nodes if s != old][1:])
        c.run(1.0)
        assert (c[old].role == rl.LEADER) is (not check_quorum)


# ----------------------------------------------------- whole runs, options on
class WithOptions(RaftNode):
    """The engine's server with PreVote and CheckQuorum on, for the 6.824 port."""

    def __init__(self, id: str, peers, **options) -> None:
        super().__init__(id, peers, **{**options, "pre_vote": True, "check_quorum": True})


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_6824_port_passes_with_the_options_on(name: str) -> None:
    run_test(SCENARIOS[name], 1, node_class=WithOptions)


@pytest.mark.parametrize("seed", range(8))
def test_chaos_runs_stay_safe_and_live_with_the_options_on(seed: int) -> None:
    outcome = chaos_run(seed, duration=2.0, pre_vote=True, check_quorum=True)
    assert outcome.ok, outcome
