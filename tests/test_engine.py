"""Unit tests of the Raft server (one test per rule of the Raft paper's Figure 2)
and of the cluster API (faults, in-flight messages, stats, clients, timers).

The first half drives a bare :class:`RaftNode` by hand: it is a pure state
machine, so each test sets a state, feeds one input and reads the outputs
(``outbox``, ``to_apply``, the timer flags). The second half drives a
:class:`Cluster` on the simulator.
"""

from __future__ import annotations

import pytest

import raftlib as rl
from raftlib import (CANDIDATE, FOLLOWER, LEADER, NOOP, AppendEntries, AppendEntriesReply, Entry,
                     RaftNode, RequestVote, RequestVoteReply)

IDS = ["S1", "S2", "S3"]
IDS5 = ["S1", "S2", "S3", "S4", "S5"]


# ----------------------------------------------------------------- helpers
def entries(*terms: int, tag: str = "x", start: int = 1) -> list[Entry]:
    """Entries of the given terms; commands name their index, e.g. "x3"."""
    return [Entry(t, f"{tag}{i}") for i, t in enumerate(terms, start)]


def drain(node: RaftNode) -> list:
    """Take the node's outputs, as the environment does after each input."""
    out, node.outbox = node.outbox, []
    node.to_apply = []
    node.election_timer_reset = node.heartbeat_timer_reset = False
    return out


def server(sid: str = "S1", ids: list[str] = IDS, *, term: int = 0, log: list[Entry] = (),
           voted_for: str | None = None, **kwargs) -> RaftNode:
    node = RaftNode(sid, ids, **kwargs)
    node.current_term, node.voted_for, node.log = term, voted_for, list(log)
    drain(node)
    return node


def leader(sid: str = "S1", ids: list[str] = IDS, *, term: int = 1, log: list[Entry] = (),
           **kwargs) -> RaftNode:
    node = server(sid, ids, term=term, log=log, voted_for=sid, **kwargs)
    node.role = CANDIDATE
    node.become_leader()
    drain(node)
    return node


def ae(term: int, prev: int, prev_term: int, new: list[Entry] = (), commit: int = 0,
       src: str = "S2", dst: str = "S1") -> AppendEntries:
    return AppendEntries(src, dst, term, src, prev, prev_term, tuple(new), commit)


def rv(term: int, last_index: int = 0, last_term: int = 0, src: str = "S2",
       dst: str = "S1") -> RequestVote:
    return RequestVote(src, dst, term, src, last_index, last_term)


def ok(term: int, match: int, src: str = "S2") -> AppendEntriesReply:
    return AppendEntriesReply(src, "S1", term, True, match, None, None)


def refused(term: int, conflict_index: int, conflict_term: int | None,
            src: str = "S2") -> AppendEntriesReply:
    return AppendEntriesReply(src, "S1", term, False, 0, conflict_index, conflict_term)


def only(messages: list, kind: type):
    [message] = messages
    assert type(message) is kind
    return message


# ====================================================== Figure 2: all servers
@pytest.mark.figure2("all-apply")
def test_all_servers_apply_committed_entries_in_order_once():
    """If commit_index > last_applied: apply log[last_applied + 1], ... in order."""
    node = server(term=2, log=entries(1, 1, 2))
    node.commit_index = 2
    node.apply_committed()
    assert node.to_apply == [(1, Entry(1, "x1")), (2, Entry(1, "x2"))]
    assert node.last_applied == 2
    drain(node)
    node.apply_committed()
    assert node.to_apply == []  # nothing is applied twice
    node.commit_index = 3
    node.apply_committed()
    assert node.to_apply == [(3, Entry(2, "x3"))]


@pytest.mark.parametrize("message", [
    rv(5, 0, 0),
    ae(5, 0, 0),
    RequestVoteReply("S2", "S1", 5, False),
    AppendEntriesReply("S2", "S1", 5, False, 0, None, None),
], ids=lambda m: type(m).__name__)
@pytest.mark.figure2("all-term")
def test_any_message_with_a_higher_term_makes_a_leader_a_follower_first(message):
    """If an RPC request or response contains term T > current_term: set
    current_term = T, convert to follower (before handling the message)."""
    node = leader(term=3)
    node.receive(message)
    assert (node.role, node.current_term) == (FOLLOWER, 5)
    assert node.voted_for in (None, "S2")  # a RequestVote of the new term may be granted
    if type(message) is RequestVote:
        assert only(node.outbox, RequestVoteReply).vote_granted  # handled as a term-5 follower


@pytest.mark.figure2("all-term")
def test_a_higher_term_in_a_refused_vote_reply_ends_a_candidacy():
    node = server(term=1)
    node.on_election_timeout()
    drain(node)
    node.receive(RequestVoteReply("S2", "S1", 4, False))
    assert (node.role, node.current_term, node.voted_for) == (FOLLOWER, 4, None)


# ========================================================= Figure 2: followers
@pytest.mark.figure2("follower-timeout", "candidate-start")
def test_follower_election_timeout_starts_an_election():
    """On conversion to candidate: increment current_term, vote for self,
    reset the election timer, send RequestVote to all other servers (§5.2)."""
    node = server(term=3, log=entries(1, 3))
    node.on_election_timeout()
    assert (node.role, node.current_term, node.voted_for) == (CANDIDATE, 4, "S1")
    assert node.votes_received == {"S1"}
    assert node.election_timer_reset
    assert sorted(node.outbox) == [RequestVote("S1", p, 4, "S1", 2, 3) for p in ("S2", "S3")]


@pytest.mark.figure2("follower-timeout")
def test_granting_a_vote_resets_the_election_timer():
    node = server(term=1)
    node.receive(rv(1))
    assert only(node.outbox, RequestVoteReply).vote_granted
    assert node.election_timer_reset


@pytest.mark.figure2("follower-timeout")
def test_refusing_a_vote_does_not_reset_the_election_timer():
    """Students' Guide: reset only when granting a vote, not on every RequestVote."""
    node = server(term=1, voted_for="S3")
    node.receive(rv(1))
    assert not only(node.outbox, RequestVoteReply).vote_granted
    assert not node.election_timer_reset


def test_a_higher_term_vote_request_with_a_stale_log_updates_the_term_but_not_the_timer():
    node = server(term=1, log=entries(1, 1))
    node.receive(rv(2, last_index=1, last_term=1))
    assert (node.current_term, node.voted_for) == (2, None)
    assert not only(node.outbox, RequestVoteReply).vote_granted
    assert not node.election_timer_reset


@pytest.mark.figure2("follower-timeout")
def test_append_entries_from_the_current_leader_resets_the_timer_even_if_refused():
    node = server(term=2)
    node.receive(ae(2, prev=5, prev_term=2))  # log too short: refused, but from the leader
    assert not only(node.outbox, AppendEntriesReply).success
    assert node.election_timer_reset
    assert node.leader_id == "S2"


def test_append_entries_of_an_old_term_does_not_reset_the_timer():
    node = server(term=3)
    node.receive(ae(2, prev=0, prev_term=0))
    assert not node.election_timer_reset
    assert node.leader_id is None


# ======================================================== Figure 2: candidates
@pytest.mark.figure2("candidate-majority")
def test_candidate_with_votes_from_a_majority_becomes_leader():
    node = server("S1", IDS5, term=0)
    node.on_election_timeout()
    drain(node)
    node.receive(RequestVoteReply("S2", "S1", 1, True))
    assert node.role == CANDIDATE  # 2 of 5
    node.receive(RequestVoteReply("S2", "S1", 1, True))  # a duplicated vote counts once
    assert node.role == CANDIDATE
    node.receive(RequestVoteReply("S3", "S1", 1, False))
    assert node.role == CANDIDATE
    node.receive(RequestVoteReply("S4", "S1", 1, True))
    assert node.role == LEADER and node.leader_id == "S1"


@pytest.mark.figure2("candidate-majority")
def test_candidate_ignores_votes_from_an_earlier_term():
    node = server(term=0)
    node.on_election_timeout()   # term 1
    node.on_election_timeout()   # term 2: the term-1 votes arrive late
    drain(node)
    node.receive(RequestVoteReply("S2", "S1", 1, True))
    assert node.role == CANDIDATE and node.votes_received == {"S1"}


@pytest.mark.figure2("candidate-append")
def test_candidate_receiving_append_entries_from_the_new_leader_becomes_follower():
    node = server(term=0)
    node.on_election_timeout()
    drain(node)
    node.receive(ae(1, prev=0, prev_term=0, src="S3"))
    assert (node.role, node.current_term, node.leader_id) == (FOLLOWER, 1, "S3")
    assert only(node.outbox, AppendEntriesReply).success


@pytest.mark.figure2("candidate-timeout")
def test_candidate_election_timeout_starts_a_new_election():
    node = server(term=0)
    node.on_election_timeout()
    drain(node)
    node.on_election_timeout()
    assert (node.role, node.current_term, node.votes_received) == (CANDIDATE, 2, {"S1"})
    assert {m.term for m in node.outbox} == {2}


# =========================================================== Figure 2: leaders
@pytest.mark.figure2("leader-heartbeat", "leader-state")
def test_new_leader_sends_empty_append_entries_to_each_server():
    node = server(term=2, log=entries(1, 2), voted_for="S1")
    node.role = CANDIDATE
    node.become_leader()
    assert node.next_index == {"S2": 3, "S3": 3} and node.match_index == {"S2": 0, "S3": 0}
    assert sorted(node.outbox) == [AppendEntries("S1", p, 2, "S1", 2, 2, (), 0)
                                   for p in ("S2", "S3")]
    assert node.heartbeat_timer_reset


@pytest.mark.figure2("leader-heartbeat")
def test_leader_repeats_heartbeats_during_idle_periods():
    node = leader(term=1)
    node.on_heartbeat_timeout()
    assert len(node.outbox) == 2 and all(type(m) is AppendEntries for m in node.outbox)
    assert node.heartbeat_timer_reset
    follower = server(term=1)
    follower.on_heartbeat_timeout()
    assert follower.outbox == [] and not follower.heartbeat_timer_reset


@pytest.mark.figure2("leader-client")
def test_command_from_client_is_appended_to_the_leaders_log_and_sent():
    node = leader(term=2, log=entries(1))
    assert node.propose("y") == (2, 2, True)
    assert node.log[-1] == Entry(2, "y")
    assert sorted(node.outbox) == [AppendEntries("S1", p, 2, "S1", 1, 1, (Entry(2, "y"),), 0)
                                   for p in ("S2", "S3")]
    assert node.commit_index == 0  # not before a majority stores it


@pytest.mark.figure2("leader-client")
def test_a_server_that_is_not_leader_refuses_a_command():
    node = server(term=4)
    assert node.propose("y") == (-1, 4, False)
    assert node.log == [] and node.outbox == []


@pytest.mark.figure2("leader-send")
def test_append_entries_carries_the_entries_from_next_index_on():
    node = leader(term=3, log=entries(1, 1, 2, 3))
    node.next_index["S2"] = 2
    node.send_append_entries("S2")
    message = only(node.outbox, AppendEntries)
    assert (message.prev_log_index, message.prev_log_term) == (1, 1)
    assert message.entries == tuple(entries(1, 2, 3, start=2))


@pytest.mark.figure2("leader-success")
def test_successful_reply_updates_match_index_from_the_reply():
    """match_index comes from the request answered, never from the leader's
    current log (a reordered, older success must not move it back or forward)."""
    node = leader(term=2, log=entries(1, 1, 2))
    node.receive(ok(2, 2))
    assert (node.match_index["S2"], node.next_index["S2"]) == (2, 4)
    node.receive(ok(2, 1))  # an older success arriving late
    assert (node.match_index["S2"], node.next_index["S2"]) == (2, 4)


@pytest.mark.figure2("leader-backup")
def test_failed_reply_backs_next_index_up_and_retries_at_once():
    node = leader(term=3, log=entries(1, 1, 1, 3))
    node.receive(refused(3, conflict_index=2, conflict_term=None))
    assert node.next_index["S2"] == 2
    retry = only(node.outbox, AppendEntries)
    assert (retry.dst, retry.prev_log_index, len(retry.entries)) == ("S2", 1, 3)


@pytest.mark.figure2("leader-backup")
def test_next_index_never_backs_up_below_match_index():
    node = leader(term=3, log=entries(1, 1, 3, 3))
    node.receive(ok(3, 3))
    drain(node)
    node.receive(refused(3, conflict_index=1, conflict_term=1))  # stale, reordered
    assert node.next_index["S2"] == 4


def test_a_reply_from_an_earlier_term_is_ignored():
    node = leader(term=3, log=entries(1, 3))
    node.receive(ok(2, 2))
    assert node.match_index["S2"] == 0
    node.receive(refused(2, conflict_index=1, conflict_term=None))
    assert node.next_index["S2"] == 3 and node.outbox == []


@pytest.mark.figure2("leader-commit")
def test_leader_commits_an_entry_of_its_term_stored_on_a_majority():
    node = leader("S1", IDS5, term=2, log=entries(2, 2, 2))
    node.receive(ok(2, 3, src="S2"))
    assert node.commit_index == 0  # 2 of 5
    node.receive(ok(2, 2, src="S3"))
    assert node.commit_index == 2  # index 2 is on S1, S2, S3
    assert node.to_apply == [(1, Entry(2, "x1")), (2, Entry(2, "x2"))]


@pytest.mark.figure2("leader-commit")
def test_leader_never_commits_an_old_term_entry_by_counting_replicas():
    """§5.4.2, Figure 8: an entry of an earlier term on every server is still
    not committed until an entry of the current term after it is."""
    node = leader(term=4, log=entries(2, 2))
    node.receive(ok(4, 2, src="S2"))
    node.receive(ok(4, 2, src="S3"))
    assert node.commit_index == 0
    node.propose("now")
    node.receive(ok(4, 3, src="S2"))
    assert node.commit_index == 3  # the term-4 entry commits both before it
    assert [i for i, _ in node.to_apply] == [1, 2, 3]


def test_a_single_server_commits_its_own_entries_at_once():
    node = server("S1", ["S1"])
    node.on_election_timeout()
    assert node.role == LEADER
    assert node.propose("solo") == (1, 1, True)
    assert node.commit_index == 1 and node.to_apply == [(1, Entry(1, "solo"))]


# ====================================================== RequestVote receiver
@pytest.mark.figure2("rv-1")
def test_request_vote_of_an_earlier_term_is_refused():
    node = server(term=3)
    node.receive(rv(2))
    reply = only(node.outbox, RequestVoteReply)
    assert (reply.term, reply.vote_granted) == (3, False)
    assert node.voted_for is None


@pytest.mark.figure2("rv-2")
def test_one_vote_per_term_and_a_repeated_request_is_granted_again():
    node = server(term=1)
    node.receive(rv(1, src="S2"))
    node.receive(rv(1, src="S2"))   # the same candidate asks again (a lost reply)
    node.receive(rv(1, src="S3"))
    assert [m.vote_granted for m in node.outbox] == [True, True, False]
    assert node.voted_for == "S2"


@pytest.mark.parametrize("candidate_last, granted", [
    ((1, 3), True),    # higher last term wins even with a shorter log
    ((9, 3), True),    # higher last term, longer log
    ((3, 2), True),    # same last term, longer log
    ((2, 2), True),    # same last term, same length
    ((1, 2), False),   # same last term, shorter log
    ((5, 1), False),   # lower last term loses even with a longer log
    ((0, 0), False),   # an empty log
])
@pytest.mark.figure2("rv-2")
def test_election_restriction_compares_last_terms_then_lengths(candidate_last, granted):
    """§5.4.1: grant only if the candidate's log is at least as up-to-date.
    ``candidate_last`` is the candidate's (last_log_index, last_log_term)."""
    node = server(term=3, log=entries(1, 2))   # last index 2, last term 2
    index, term = candidate_last
    node.receive(rv(3, last_index=index, last_term=term))
    assert only(node.outbox, RequestVoteReply).vote_granted is granted
    assert node.voted_for == ("S2" if granted else None)


# ==================================================== AppendEntries receiver
@pytest.mark.figure2("ae-1")
def test_append_entries_of_an_earlier_term_is_refused_with_the_current_term():
    node = server(term=3, log=entries(1))
    node.receive(ae(2, prev=1, prev_term=1, new=entries(2, start=2)))
    reply = only(node.outbox, AppendEntriesReply)
    assert (reply.term, reply.success, reply.conflict_index, reply.conflict_term) == (
        3, False, None, None)
    assert node.log == entries(1)


@pytest.mark.figure2("ae-2")
def test_refused_when_the_log_is_too_short_for_prev_log_index():
    node = server(term=2, log=entries(1, 1))
    node.receive(ae(2, prev=5, prev_term=2))
    reply = only(node.outbox, AppendEntriesReply)
    assert (reply.success, reply.conflict_index, reply.conflict_term) == (False, 3, None)


@pytest.mark.figure2("ae-2")
def test_refused_when_the_term_at_prev_log_index_differs_with_the_first_index_of_that_term():
    node = server(term=4, log=entries(1, 2, 2, 2))
    node.receive(ae(4, prev=4, prev_term=3))
    reply = only(node.outbox, AppendEntriesReply)
    assert (reply.success, reply.conflict_index, reply.conflict_term) == (False, 2, 2)
    assert len(node.log) == 4  # nothing deleted on a refusal


@pytest.mark.figure2("ae-3")
def test_a_conflicting_entry_and_all_that_follow_it_are_deleted():
    node = server(term=3, log=entries(1, 1, 2, 2))
    node.receive(ae(3, prev=1, prev_term=1, new=entries(3, tag="L", start=2)))
    assert node.log == [Entry(1, "x1"), Entry(3, "L2")]
    assert only(node.outbox, AppendEntriesReply) == AppendEntriesReply(
        "S1", "S2", 3, True, 2, None, None)


@pytest.mark.figure2("ae-3")
def test_no_truncation_without_a_conflict():
    """A stale (reordered or duplicated) request whose entries the log already
    holds must not cut off the entries after them (Students' Guide)."""
    node = server(term=2, log=entries(1, 2, 2))
    node.receive(ae(2, prev=1, prev_term=1, new=entries(2, start=2)))
    assert node.log == entries(1, 2, 2)
    assert only(node.outbox, AppendEntriesReply).match_index == 2  # what this request covered


@pytest.mark.figure2("ae-4")
def test_new_entries_are_appended_once():
    node = server(term=1)
    request = ae(1, prev=0, prev_term=0, new=entries(1, 1))
    node.receive(request)
    node.receive(request)  # a duplicate
    assert node.log == entries(1, 1)


@pytest.mark.figure2("ae-5")
def test_commit_index_is_the_smaller_of_leader_commit_and_the_last_new_entry():
    node = server(term=2, log=entries(1, 1, 1))  # entries 2 and 3 may be stale
    node.receive(ae(2, prev=1, prev_term=1, commit=3))
    assert node.commit_index == 1  # not 3: only index 1 is known to match the leader
    node.receive(ae(2, prev=1, prev_term=1, new=entries(2, 2, start=2), commit=9))
    assert node.commit_index == 3
    assert [i for i, _ in node.to_apply] == [1, 2, 3]


@pytest.mark.figure2("ae-5")
def test_a_stale_shorter_request_never_lowers_commit_index():
    node = server(term=2)
    node.receive(ae(2, prev=0, prev_term=0, new=entries(2, 2, 2), commit=3))
    assert node.commit_index == 3
    node.receive(ae(2, prev=1, prev_term=2, commit=3))  # an old heartbeat, delayed
    assert node.commit_index == 3


# ============================================================ fast log backup
def test_backup_skips_the_followers_conflicting_term_when_the_leader_lacks_it():
    node = leader(term=5, log=entries(1, 1, 4, 4, 5))
    node.receive(refused(5, conflict_index=3, conflict_term=3))
    assert node.next_index["S2"] == 3


def test_backup_goes_just_past_the_leaders_last_entry_of_the_conflicting_term():
    node = leader(term=5, log=entries(1, 2, 2, 2, 5))
    node.receive(refused(5, conflict_index=2, conflict_term=2))
    assert node.next_index["S2"] == 5


def test_backup_to_the_end_of_a_short_followers_log():
    node = leader(term=5, log=entries(*[1] * 100, 5))
    node.receive(refused(5, conflict_index=4, conflict_term=None))
    assert node.next_index["S2"] == 4


def test_a_follower_100_entries_behind_is_repaired_in_a_few_round_trips():
    c = rl.Cluster(3, seed=3)
    assert c.run_until(lambda: c.leader() is not None, 2)
    lead = c.leader()
    lag = next(s for s in c.nodes if s != lead)
    c.disconnect(lag)
    for i in range(100):
        c.submit(i, to=lead)
    c.run(0.5)
    c.connect(lag)
    sent_before = c.stats.sent.get("AppendEntries", 0)
    assert c.run_until(lambda: c[lag].log == c[lead].log, 1.0)
    assert c.stats.sent.get("AppendEntries", 0) - sent_before <= 10


# ======================================================== persistence, options
@pytest.mark.figure2("persistent-state")
def test_persistent_state_is_current_term_voted_for_and_log():
    node = server(term=7, log=entries(3, 7), voted_for="S3")
    node.commit_index = node.last_applied = 2
    state = node.persistent_state()
    fresh = RaftNode("S1", IDS)
    fresh.restore(state)
    assert (fresh.current_term, fresh.voted_for, fresh.log) == (7, "S3", entries(3, 7))
    assert (fresh.commit_index, fresh.last_applied, fresh.role) == (0, 0, FOLLOWER)
    state.log  # a tuple: the restarted node cannot change what was persisted
    assert isinstance(state.log, tuple)


def test_noop_on_election_appends_an_empty_entry_of_the_new_term():
    node = leader(term=3, log=entries(1), noop_on_election=True)
    assert node.log == [Entry(1, "x1"), Entry(3, NOOP)]
    plain = leader(term=3, log=entries(1))
    assert plain.log == entries(1)


# ======================================================================
#                               The cluster
# ======================================================================
def elect(c: rl.Cluster, timeout: float = 3.0) -> str:
    assert c.run_until(lambda: c.leader() is not None, timeout)
    return c.leader()


@pytest.mark.figure2("follower-respond")
def test_first_election_and_agreement():
    c = rl.Cluster(5, seed=7)
    lead = elect(c)
    index, term, is_leader = c.submit("x=1")
    assert (index, is_leader) == (1, True) and term == c[lead].current_term
    assert c.run_until(lambda: c.committed(1) == (5, "x=1"), 1.0)
    assert all(c.applied(s) == [(1, "x=1")] for s in c.nodes)
    c.check()


def test_submit_without_a_leader_returns_minus_one():
    c = rl.Cluster(3, seed=1)
    assert c.submit("x") == (-1, 0, False)
    assert c.submit("x", to="S2") == (-1, 0, False)


def test_timers_follow_the_roles():
    c = rl.Cluster(3, seed=2)
    assert set(c.timers) == {(s, "election") for s in c.nodes}
    lead = elect(c)
    c.run(0.01)
    assert (lead, "heartbeat") in c.timers and (lead, "election") not in c.timers
    assert all((s, "election") in c.timers for s in c.nodes if s != lead)
    set_at, due = c.timers[(lead, "heartbeat")]
    assert due - set_at == pytest.approx(c.heartbeat_interval)


def test_forced_timeout_starts_an_election_now():
    c = rl.Cluster(3, seed=2)
    c.timeout("S2")
    assert c["S2"].role == CANDIDATE and c["S2"].current_term == 1 and c.now == 0
    assert elect(c, 0.1) == "S2"


def test_timing_presets():
    assert rl.Cluster(3, timing="mit").election_timeout == (0.3, 0.6)
    assert rl.Cluster(3, timing="mit").heartbeat_interval == 0.1
    c = rl.Cluster(3, election_timeout=(1.0, 2.0), heartbeat_interval=0.2)
    assert all(1.0 <= due <= 2.0 for _, due in c.timers.values())
    assert elect(c, 5.0) and c.now >= 1.0


# ------------------------------------------------------------ crash and restart
@pytest.mark.figure2("persistent-state", "volatile-state")
def test_restart_keeps_persistent_state_and_rebuilds_volatile_state():
    c = rl.Cluster(3, seed=4)
    lead = elect(c)
    for cmd in ("a", "b"):
        c.submit(cmd)
    assert c.run_until(lambda: c.committed(2)[0] == 3, 1)
    follower = next(s for s in c.nodes if s != lead)
    before = c[follower]
    c.crash(follower)
    assert not c.up[follower] and not any(k[0] == follower for k in c.timers)
    assert c.committed(2) == (3, "b")  # a crashed server still counts (6.824's nCommitted)
    c.restart(follower)
    after = c[follower]
    assert after is not before
    assert (after.current_term, after.voted_for, after.log) == (
        before.current_term, before.voted_for, before.log)
    assert (after.commit_index, after.last_applied, after.role) == (0, 0, FOLLOWER)
    assert c.applied(follower) == [] and c.kv[follower].data == {}
    # the state machine is rebuilt from index 1 when the leader says what is committed
    assert c.run_until(lambda: c.applied(follower) == [(1, "a"), (2, "b")], 1)


def test_messages_of_a_crashed_server_are_lost_and_those_to_it_dropped():
    c = rl.Cluster(3, seed=5, latency=(0.01, 0.01))
    lead = elect(c)
    c.submit("x")
    flying = [m.id for m in c.in_flight() if m.message.src == lead]
    assert flying
    crashed_at = c.now
    c.crash(lead)
    c.run(0.05)
    after = [r for r in c.trace_rows() if r[0] > crashed_at and r[3] == lead]
    assert len(after) == len(flying)
    assert {(r[1], r[7]) for r in after} == {("drop", "sender crashed")}
    other = next(s for s in c.nodes if s != lead)
    c.crash(other)
    c.timeout(next(s for s in c.nodes if s not in (lead, other)))
    c.run(0.05)
    assert "receiver down" in [row[7] for row in c.trace_rows() if row[1] == "drop"]


def test_crash_is_idempotent_and_restart_of_a_running_server_reboots_it():
    c = rl.Cluster(3, seed=6)
    c.crash("S1")
    c.crash("S1")
    assert [r[1] for r in c.trace_rows()].count("crash") == 1
    c.restart("S2")  # running: crashed first, then started from its disk
    assert [r[1:3] for r in c.trace_rows()][-2:] == [("crash", "S2"), ("restart", "S2")]
    assert c.up["S2"] and c.incarnation["S2"] == 1


def test_restart_does_not_change_the_network():
    c = rl.Cluster(3, seed=7)
    elect(c)
    c.disconnect("S3")
    c.crash("S3")
    c.restart("S3")
    restarted_at = c.now
    c.run(1.0)
    assert c.network.disconnected == {"S3"}
    rows = [r for r in c.trace_rows()
            if r[1] in ("deliver", "drop") and r[6] > restarted_at and "S3" in r[2:4]]
    assert rows and {(r[1], r[7]) for r in rows} == {("drop", "unreachable")}
    assert c["S3"].role == CANDIDATE  # alone, it keeps starting elections


def test_a_crashed_server_does_not_count_as_leader():
    c = rl.Cluster(3, seed=8)
    lead = elect(c)
    c.crash(lead)
    assert c.leader() != lead
    assert c[lead].role == LEADER  # its last state, kept for inspection


# ------------------------------------------------------------------ partitions
def test_minority_leader_cannot_commit_and_majority_elects_a_new_one():
    c = rl.Cluster(5, seed=9)
    old = elect(c)
    minority = [old, next(s for s in c.nodes if s != old)]
    majority = [s for s in c.nodes if s not in minority]
    c.partition(minority, majority)
    index, _, _ = c.submit("lost", to=old)
    assert c.run_until(lambda: any(c[s].role == LEADER for s in majority), 3)
    new = c.leader()
    assert new in majority and c[new].current_term > c[old].current_term
    assert c[old].role == LEADER  # it does not know yet
    c.submit("kept", to=new)
    c.run(0.5)
    assert c[old].commit_index < index
    c.heal()
    assert c.run_until(lambda: c[old].role == FOLLOWER and c[old].log == c[new].log, 2)
    assert "lost" not in [e.command for e in c[old].log]
    c.check()


def test_partition_groups_in_the_trace():
    c = rl.Cluster(3, seed=1)
    c.partition(["S1"], ["S2", "S3"])
    assert c.trace_rows()[-1][1] == "partition" and c.trace_rows()[-1][7] == "S1 | S2,S3"
    assert not c.network.can_reach("S1", "S2") and c.network.can_reach("S2", "S3")
    c.heal()
    assert c.network.blocked == set()


def test_a_one_way_cut_blocks_only_one_direction():
    c = rl.Cluster(3, seed=10)
    c.cut("S1", "S2")
    assert not c.network.can_reach("S1", "S2") and c.network.can_reach("S2", "S1")
    c.timeout("S2")
    c.run(0.2)
    assert c.leader() == "S2"  # with S3's vote; S1's reply never arrives
    rows = [r for r in c.trace_rows() if r[1] in ("deliver", "drop")]
    # rows name the receiver first: ("S2", "S1") is a message from S1 to S2
    assert {r[1] for r in rows if r[2:4] == ("S2", "S1")} == {"drop"}
    assert {r[7] for r in rows if r[2:4] == ("S2", "S1")} == {"unreachable"}
    assert {r[1] for r in rows if r[2:4] == ("S1", "S2")} == {"deliver"}
    assert c["S1"].leader_id == "S2" and c["S2"].match_index["S1"] == 0


def test_disconnect_and_connect():
    c = rl.Cluster(3, seed=11)
    lead = elect(c)
    c.disconnect(lead)
    assert c.run_until(lambda: c.leader() not in (None, lead), 3)
    c.connect(lead)
    assert c.run_until(lambda: c[lead].role == FOLLOWER, 1)


# ---------------------------------------------------------- in-flight messages
def test_in_flight_lists_messages_soonest_first():
    c = rl.Cluster(5, seed=12)
    c.timeout("S1")
    flying = c.in_flight()
    assert [m.message.dst for m in flying] != [] and len(flying) == 4
    assert [m.arrives_at for m in flying] == sorted(m.arrives_at for m in flying)
    assert all(type(m.message) is RequestVote and m.sent_at == 0 for m in flying)


def test_drop_an_in_flight_message():
    c = rl.Cluster(3, seed=13)
    c.timeout("S1")
    victim = c.in_flight()[0]
    c.drop(victim.id)
    assert victim.id not in [m.id for m in c.in_flight()]
    c.run(0.05)
    assert c.stats.delivered["RequestVote"] == 1
    assert [r[1:4] for r in c.trace_rows() if r[7] == "dropped by hand"] == [
        ("drop", victim.message.dst, "S1")]


def test_duplicate_an_in_flight_message():
    c = rl.Cluster(3, seed=14)
    c.timeout("S1")
    c.duplicate(c.in_flight()[0].id)
    assert len(c.in_flight()) == 3
    c.run(0.05)
    assert c.stats.delivered["RequestVote"] == 3
    assert c.stats.sent["RequestVote"] == 2


def test_deliver_now_jumps_the_queue():
    c = rl.Cluster(3, seed=15)
    c.timeout("S1")
    last = c.in_flight()[-1]
    event = c.deliver_now(last.id)
    assert (event.kind, event.server, event.peer, event.time) == ("deliver", last.message.dst,
                                                                   "S1", 0.0)
    assert last.id not in [m.id for m in c.in_flight()]
    assert type(c.in_flight()[-1].message) is RequestVoteReply  # the answer is on its way


def test_unknown_in_flight_id_is_a_clear_error():
    c = rl.Cluster(3)
    with pytest.raises(rl.ConfigError, match="in flight"):
        c.drop(12345)


# ----------------------------------------------------------------------- stats
def test_every_message_sent_is_delivered_dropped_or_still_in_flight():
    c = rl.Cluster(5, seed=16)
    elect(c)
    c.partition(["S1", "S2"], ["S3", "S4", "S5"])
    c.crash("S4")
    for i in range(10):
        c.submit(i)
        c.run(0.1)
    s = c.stats
    dropped = sum(s.dropped.values())
    assert s.total_sent == s.total_delivered + dropped + len(c.in_flight())
    assert s.total_sent == sum(s.sent.values()) == sum(s.sent_by.values())
    assert s.total_bytes == sum(s.bytes.values()) == sum(s.bytes_by.values())
    assert sum(s.received_by.values()) == s.delivered.get("RequestVote", 0) + s.delivered.get(
        "AppendEntries", 0)
    assert c.stats.rpc_count("S4") == s.received_by.get("S4", 0)


def test_bytes_grow_with_the_command_size():
    sizes = []
    for command in ("x", "x" * 1000):
        c = rl.Cluster(3, seed=17)
        elect(c)
        before = c.stats.bytes.get("AppendEntries", 0)
        c.submit(command)
        sizes.append(c.stats.bytes["AppendEntries"] - before)
    assert sizes[1] - sizes[0] == 2 * 999  # two copies, 999 more bytes each


def test_rpc_count_counts_requests_delivered_to_a_server():
    c = rl.Cluster(3, seed=18)
    lead = elect(c)
    c.run(1.0)
    follower = next(s for s in c.nodes if s != lead)
    heartbeats = sum(1 for r in c.trace_rows() if r[1] == "deliver" and r[2] == follower
                     and r[4] in ("AppendEntries", "RequestVote"))
    assert c.stats.rpc_count(follower) == heartbeats > 10


# --------------------------------------------------------------------- clients
def test_client_finds_the_leader_and_gets_answers():
    c = rl.Cluster(3, seed=19)
    cl = c.client("C1")
    cl.put("x", "1")
    assert cl.wait() == "1"
    cl.append("x", "2")
    assert cl.wait() == "12"
    cl.get("x")
    assert cl.wait() == "12"
    assert [h["op"] for h in cl.history] == ["put", "append", "get"]
    c.run(0.2)
    assert all(c.kv[s].data == {"x": "12"} for s in c.nodes)


def leader_crashes_after_commit_before_reply(dedup: bool) -> rl.Cluster:
    """The classic duplicate (§8): the leader commits the append, then crashes
    before its reply leaves; the client times out and retries with the same seq."""
    c = rl.Cluster(3, seed=20, dedup=dedup)
    lead = elect(c)
    cl = c.client("C1", timeout=0.5)
    cl.target = lead
    cl.append("k", "a")
    assert c.run_until(lambda: c[lead].last_applied == 1, 1)
    c.crash(lead)  # the ClientReply it just sent dies with it
    cl.wait(5)
    assert cl.history[-1]["attempts"] >= 2
    c.restart(lead)
    c.run(1.0)
    return c


def test_dedup_applies_a_retried_request_once():
    c = leader_crashes_after_commit_before_reply(dedup=True)
    assert all(c.kv[s].data == {"k": "a"} for s in c.nodes)
    assert sum(c.kv[s].duplicates_suppressed for s in c.nodes) >= 1
    assert len(c.applied("S1")) == 2  # the retry is in the log twice, applied once


def test_without_dedup_a_retried_request_is_applied_twice():
    c = leader_crashes_after_commit_before_reply(dedup=False)
    assert all(c.kv[s].data == {"k": "aa"} for s in c.nodes)


def test_client_follows_the_leader_hint():
    c = rl.Cluster(3, seed=21)
    lead = elect(c)
    c.run(0.2)
    cl = c.client("C1")
    cl.target = next(s for s in c.nodes if s != lead)
    cl.put("x", 1)
    cl.wait()
    assert cl.history[-1]["server"] == lead and cl.history[-1]["attempts"] == 2


# ------------------------------------------------------- storage latency, no-op
def test_storage_latency_delays_messages_that_depend_on_new_persistent_state():
    c = rl.Cluster(3, seed=22, storage_latency=(0.05, 0.05), latency=(0.005, 0.005))
    c.timeout("S1")
    # the candidate persisted its new term and vote: its RequestVotes wait for the disk
    assert all(m.arrives_at == pytest.approx(0.055) for m in c.in_flight())
    c.run(0.056)
    # each voter persisted the vote: its reply waits too
    assert all(m.arrives_at == pytest.approx(0.055 + 0.05 + 0.005) for m in c.in_flight())
    elect(c, 0.2)
    c.run(0.3)
    # a heartbeat changes nothing on disk: its reply is not delayed
    beat = [r for r in c.trace_rows() if r[1] == "deliver" and r[4] == "AppendEntriesReply"][-1]
    assert beat[0] - beat[6] == pytest.approx(0.005)


def test_without_storage_latency_messages_leave_at_once():
    c = rl.Cluster(3, seed=22, latency=(0.005, 0.005))
    c.timeout("S1")
    assert all(m.arrives_at == pytest.approx(0.005) for m in c.in_flight())


def test_noop_on_election_commits_earlier_entries_without_a_client():
    c = rl.Cluster(3, seed=23, noop_on_election=True)
    lead = elect(c)
    assert c[lead].log == [Entry(c[lead].current_term, NOOP)]
    assert c.run_until(lambda: c.committed(1) == (3, NOOP), 1)
    assert c.kv[lead].data == {}


# ----------------------------------------------------------- step, run_until
def test_step_carries_out_exactly_one_event():
    c = rl.Cluster(3, seed=24)
    first_timer = min(due for _, due in c.timers.values())
    event = c.step()
    assert isinstance(event, rl.Event)
    assert (event.kind, event.time, c.now) == ("timer", first_timer, first_timer)
    assert event.detail == "election" and c[event.server].role == CANDIDATE
    event = c.step()
    assert event.kind == "deliver" and type(event.detail) is RequestVote
    assert len(c.trace_rows()) == 3  # timer, role, deliver


def test_step_returns_none_when_nothing_is_left():
    c = rl.Cluster(2, seed=25)
    c.crash("S1")
    c.crash("S2")
    assert c.step() is None


def test_run_until_stops_when_the_predicate_holds_or_at_the_timeout():
    c = rl.Cluster(3, seed=26)
    assert c.run_until(lambda: True, 5) and c.now == 0  # already true: no time passes
    assert c.run_until(lambda: c.leader() is not None, 5)
    elected_at = c.now
    assert elected_at == [r[0] for r in c.trace_rows() if r[1] == "role" and r[7] == LEADER][0]
    assert not c.run_until(lambda: False, 0.25)
    assert c.now == pytest.approx(elected_at + 0.25)


def test_run_advances_the_clock_exactly():
    c = rl.Cluster(3, seed=27)
    c.run(0.123)
    assert c.now == 0.123
    c.run(0)
    assert c.now == 0.123


def test_processes_and_call_later_run_in_virtual_time():
    c = rl.Cluster(3, seed=28)
    seen = []

    def process():
        yield 0.5
        seen.append(c.now)
        yield 0.25
        return "done"

    c.call_later(0.1, lambda: seen.append(("call", c.now)))
    assert c.run_process(process(), timeout=1) == "done"
    assert seen == [("call", 0.1), 0.5] and c.now == 0.75


def test_check_every_event_catches_a_violation_when_it_happens():
    class VoteForEveryone(RaftNode):
        def handle_request_vote(self, m):
            self.voted_for = m.candidate_id
            self.reset_election_timer()
            granted = m.term == self.current_term
            self.send(RequestVoteReply(self.id, m.src, self.current_term, granted))

    c = rl.Cluster(3, seed=29, node_class=VoteForEveryone, check_every_event=True)
    c.timeout("S1")
    c.timeout("S2")
    with pytest.raises(rl.SafetyViolation, match="Election Safety") as caught:
        c.run(1)
    assert caught.value.prop == "Election Safety" and caught.value.seed == 29


def test_run_to_lands_on_the_time_itself_and_never_goes_back():
    c = rl.Cluster(3, seed=1)
    c.run_to(0.03499102790111778)
    t = 0.12323763094525629  # from here, now + (t - now) is one ulp short of t
    assert c.now + (t - c.now) != t
    c.run_to(t)
    assert c.now == t
    with pytest.raises(rl.ConfigError, match="in the past"):
        c.run_to(0.05)
