"""Hand-steered scenarios for the bugs the 6.824 port rarely or never catches.

The ported tests (tests/test_bug_injection.py) catch every bug in
``raftlib.bugs.BUGS``; the bugs in ``raftlib.bugs.SUBTLE`` need a message
delivered at just the wrong moment. Here each scenario creates that moment on
purpose: no time passes (``c.run`` is never called), and messages are
delivered one by one with ``deliver_now``, so the outcome does not depend on
the seed. The correct ``RaftNode`` passes every scenario; each subtle bug fails
the scenario written for it. Together with the port, every bug in
``raftlib.bugs`` is caught.
"""

from __future__ import annotations

import pytest

import raftlib as rl
from raftlib import bugs


def deliver(c: rl.Cluster, kind: str, src: str, dst: str):
    """Deliver now the newest in-flight ``kind`` message from ``src`` to ``dst``; return it."""
    found = [m for m in c.in_flight() if type(m.message).__name__ == kind
             and m.message.src == src and m.message.dst == dst]
    if not found:
        raise AssertionError(f"no {kind} from {src} to {dst} in flight: {c.in_flight()}")
    newest = max(found, key=lambda m: m.id)
    c.deliver_now(newest.id)
    return newest.message


def in_flight(c: rl.Cluster, kind: str, src: str, dst: str):
    return [m.message for m in c.in_flight()
            if type(m.message).__name__ == kind and m.message.src == src and m.message.dst == dst]


def elect(c: rl.Cluster, candidate: str, voters: list[str]) -> None:
    """Make ``candidate`` time out and deliver its RequestVotes to ``voters`` and their replies."""
    c.timeout(candidate)
    for v in voters:
        deliver(c, "RequestVote", candidate, v)
        deliver(c, "RequestVoteReply", v, candidate)
    assert c[candidate].role == rl.LEADER, c[candidate]


def refused_vote_keeps_timer(node_class: type) -> None:
    """Figure 2, followers: only AppendEntries from the current leader or a granted vote
    restart the election timer; a refused RequestVote must not."""
    c = rl.Cluster(3, seed=1, node_class=node_class)
    elect(c, "S1", ["S2", "S3"])
    c.submit("x", to="S1")
    deliver(c, "AppendEntries", "S1", "S2")        # the heartbeat of the new leader
    deliver(c, "AppendEntries", "S1", "S2")        # x: S2 holds it, S3 does not
    due = c.timers[("S2", "election")][1]
    c.timeout("S3")                                # S3, with the shorter log, asks S2
    deliver(c, "RequestVote", "S3", "S2")
    reply = in_flight(c, "RequestVoteReply", "S2", "S3")[-1]
    assert not reply.vote_granted, "S2 must refuse: S3's log is behind (§5.4.1)"
    assert c.timers[("S2", "election")][1] == due, (
        "S2 refused the vote, yet its election timer restarted")


def stale_votes_do_not_count(node_class: type) -> None:
    """A vote granted in term T is not a vote in term T+1 (Figure 2, candidates)."""
    c = rl.Cluster(5, seed=1, node_class=node_class)
    c.timeout("S1")                                # term 1
    deliver(c, "RequestVote", "S1", "S2")
    deliver(c, "RequestVote", "S1", "S3")
    c.timeout("S1")                                # term 2: a new election
    deliver(c, "RequestVoteReply", "S2", "S1")     # votes of term 1 arrive late
    deliver(c, "RequestVoteReply", "S3", "S1")
    assert c["S1"].role == rl.CANDIDATE, (
        f"S1 became {c['S1'].role} in term {c['S1'].current_term} on votes of term 1")


def stale_append_replies_are_dropped(node_class: type) -> None:
    """A success from an earlier term says nothing about this term's log (term confusion)."""
    c = rl.Cluster(5, seed=1, node_class=node_class)
    elect(c, "S1", ["S2", "S3"])                   # term 1
    c.submit("x", to="S1")
    deliver(c, "AppendEntries", "S1", "S2")        # the heartbeat of the new leader
    deliver(c, "AppendEntries", "S1", "S2")        # x; S2's successes (term 1) stay in flight
    c.timeout("S3")                                # term 2: S1 steps down, refuses S3
    deliver(c, "RequestVote", "S3", "S1")
    elect(c, "S1", ["S2", "S4", "S5"])             # term 3: S1 leads again
    assert c["S1"].match_index["S2"] == 0
    deliver(c, "AppendEntriesReply", "S2", "S1")   # the term-1 successes arrive now
    deliver(c, "AppendEntriesReply", "S2", "S1")
    assert c["S1"].match_index["S2"] == 0, (
        f"a term-1 reply set S1's match_index for S2 to {c['S1'].match_index['S2']} in term 3")


def higher_term_reply_deposes_leader(node_class: type) -> None:
    """Any reply with a higher term makes the receiver a follower (Figure 2, all servers)."""
    c = rl.Cluster(3, seed=1, node_class=node_class)
    elect(c, "S1", ["S2"])                         # term 1; a heartbeat to S3 is in flight
    c.timeout("S3")                                # S3 moves on to term 2 on its own
    c.timeout("S3")
    deliver(c, "AppendEntries", "S1", "S3")        # S3 refuses the term-1 heartbeat
    deliver(c, "AppendEntriesReply", "S3", "S1")
    assert c["S1"].role == rl.FOLLOWER and c["S1"].current_term == 2, (
        f"S1 saw term 2 in a reply but is {c['S1'].role} in term {c['S1'].current_term}")


def restarted_voter_remembers_its_vote(node_class: type) -> None:
    """voted_for is persistent state: a restart must not give a second vote in one term."""
    c = rl.Cluster(3, seed=1, node_class=node_class)
    c.timeout("S1")                                # term 1, S3 votes for S1
    deliver(c, "RequestVote", "S1", "S3")
    c.restart("S3")
    c.timeout("S2")                                # term 1 too
    deliver(c, "RequestVote", "S2", "S3")
    reply = in_flight(c, "RequestVoteReply", "S3", "S2")[-1]
    assert not reply.vote_granted, "S3 voted for S1 in term 1, restarted, and voted again"


def commit_stops_at_last_new_entry(node_class: type) -> None:
    """AppendEntries receiver step 5: commit_index = min(leader_commit, index of last
    new entry), never an entry of the follower's own the leader did not send.
    (The cluster's leader always sends its whole suffix, so this drives one server.)"""
    node = node_class("S2", ["S1", "S2", "S3"])
    node.current_term = 2
    node.log = [rl.Entry(1, "a"), rl.Entry(1, "stale")]
    node.receive(rl.AppendEntries("S1", "S2", 2, "S1", 1, 1, (), 2))
    assert node.commit_index == 1, (
        f"leader_commit 2 but the last new entry is 1; commit_index is {node.commit_index}")


SCENARIOS = {
    refused_vote_keeps_timer: (bugs.ResetTimerOnAnyMessage, bugs.ResetTimerOnVoteRequest),
    stale_votes_do_not_count: (bugs.CountStaleVotes,),
    stale_append_replies_are_dropped: (bugs.UseStaleAppendReplies,),
    higher_term_reply_deposes_leader: (bugs.BackUpOnHigherTerm,),
    restarted_voter_remembers_its_vote: (bugs.ForgetVotedFor,),
    commit_stops_at_last_new_entry: (bugs.CommitToLogEnd,),
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_the_correct_server_passes(scenario):
    scenario(rl.RaftNode)


@pytest.mark.parametrize("scenario, bug", [(s, b) for s, bs in SCENARIOS.items() for b in bs],
                         ids=lambda x: x.__name__)
def test_the_subtle_bug_fails(scenario, bug):
    with pytest.raises((AssertionError, rl.SafetyViolation)):
        scenario(bug)


def test_every_bug_is_caught_by_the_port_or_a_scenario():
    from test_bug_injection import CATCHERS

    covered = set(CATCHERS) | {b for bs in SCENARIOS.values() for b in bs}
    assert covered == set(bugs.BUGS) | set(bugs.SUBTLE)
