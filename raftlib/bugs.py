"""A catalogue of classic Raft bugs, each a small :class:`RaftNode` subclass.

Every class overrides exactly one method of the correct server to commit one
mistake from the Students' Guide to Raft (Jon Gjengset, 2016) or the MIT 6.824
lab handout, and its docstring names the Guide's rule and the Figure 2 rule it
breaks. Use them with ``Cluster(..., node_class=bugs.VoteByLogLength)``: in
lessons (watch a bug break a property), in exercise graders (a grader must
reject each one) and in ``tests/test_bug_injection.py``, which checks that the
port of the 6.824 tests catches every bug in :data:`BUGS`.

:data:`STORAGE` lists bugs that need ``storage_latency`` to show.
:data:`SUBTLE` lists real bugs that the ported 6.824 tests (almost) never catch
on this simulator; each docstring says why. Lessons and graders need targeted
scenarios for them.
"""

from __future__ import annotations

from typing import Any

from .core import (CANDIDATE, FOLLOWER, LEADER, AppendEntries, AppendEntriesReply,
                   PersistentState, RaftNode, RequestVote, RequestVoteReply)

__all__ = ["BUGS", "SUBTLE", "HeartbeatSkipsCheck", "TruncateOnEveryAppend",
           "ResetTimerOnAnyMessage", "ResetTimerOnVoteRequest", "CandidateNeverRetries",
           "StepDownAfterHandling", "ContinueAfterReject", "AcceptPrevPastEnd",
           "VoteByLogLength", "CommitOldTermEntries", "BackUpOnHigherTerm",
           "MatchIndexFromLogLength", "CountStaleVotes", "UseStaleAppendReplies",
           "BackUpOneEntry", "VoteTwice", "ForgetVotedFor", "ForgetLog", "ChattyLeader",
           "CommitToLogEnd", "PersistAfterReply", "STORAGE"]


# ----------------------------------------------------------------- AppendEntries
class HeartbeatSkipsCheck(RaftNode):
    """A heartbeat (no entries) is accepted without the consistency check.

    Students' Guide: heartbeats are not special; an empty AppendEntries must
    pass the prev_log_index/prev_log_term check too; here it just resets the
    timer, commits up to leader_commit and answers success.
    Figure 2, AppendEntries receiver, step 2: reply false if the log has no entry
    at prev_log_index whose term matches prev_log_term.
    """

    def handle_append_entries(self, m: AppendEntries) -> None:
        if m.entries or m.term < self.current_term:
            return super().handle_append_entries(m)
        self.role = FOLLOWER
        self.leader_id = m.leader_id
        self.reset_election_timer()
        if m.leader_commit > self.commit_index:
            self.commit_index = min(m.leader_commit, len(self.log))
            self.apply_committed()
        self.send(AppendEntriesReply(self.id, m.src, self.current_term, True,
                                     m.prev_log_index, None, None))


class TruncateOnEveryAppend(RaftNode):
    """The follower deletes everything after prev_log_index on every AppendEntries.

    Students' Guide: truncate only if an existing entry conflicts with a new one;
    a delayed or reordered AppendEntries must not take back entries already
    acknowledged to the leader.
    Figure 2, AppendEntries receiver, steps 3 and 4: delete an entry and all that
    follow it only when it conflicts (same index, different term); append any new
    entries not already in the log.
    """

    def merge_entries(self, prev_log_index: int, entries: tuple) -> None:
        del self.log[prev_log_index:]
        self.log.extend(entries)


class ContinueAfterReject(RaftNode):
    """After answering false for a log mismatch, the follower carries on and appends.

    Students' Guide: when Figure 2 says "reply false", reply false and return at
    once; do not go on to append entries or advance commit_index.
    Figure 2, AppendEntries receiver, step 2: reply false if the log does not
    contain an entry at prev_log_index whose term matches prev_log_term.
    """

    def handle_append_entries(self, m: AppendEntries) -> None:
        if m.term < self.current_term:
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0, None, None))
            return
        self.role = FOLLOWER
        self.leader_id = m.leader_id
        self.reset_election_timer()
        prev = m.prev_log_index
        if prev > len(self.log):
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0,
                                         len(self.log) + 1, None))
        elif prev > 0 and self.log[prev - 1].term != m.prev_log_term:
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0,
                                         prev, self.log[prev - 1].term))
        # BUG: no return after "reply false".
        self.merge_entries(prev, m.entries)
        last_new = prev + len(m.entries)
        if m.leader_commit > self.commit_index:
            self.commit_index = min(m.leader_commit, last_new, len(self.log))
            self.apply_committed()
        self.send(AppendEntriesReply(self.id, m.src, self.current_term, True, last_new, None, None))


class AcceptPrevPastEnd(RaftNode):
    """A prev_log_index past the end of the follower's log is not rejected.

    Students' Guide: if the follower does not have prev_log_index in its log at
    all, it must reply false (with its log length, for fast backup); here the
    entries are appended at the end of the shorter log, at the wrong indices.
    Figure 2, AppendEntries receiver, step 2: reply false if the log does not
    contain an entry at prev_log_index ...
    """

    def handle_append_entries(self, m: AppendEntries) -> None:
        if m.term < self.current_term:
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0, None, None))
            return
        self.role = FOLLOWER
        self.leader_id = m.leader_id
        self.reset_election_timer()
        prev = m.prev_log_index
        # BUG: only an entry that exists is checked; a missing one passes.
        if 0 < prev <= len(self.log) and self.log[prev - 1].term != m.prev_log_term:
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0,
                                         prev, self.log[prev - 1].term))
            return
        self.merge_entries(prev, m.entries)  # past the end: appended at len(log) + 1
        last_new = prev + len(m.entries)
        if m.leader_commit > self.commit_index:
            self.commit_index = min(m.leader_commit, last_new, len(self.log))
            self.apply_committed()
        self.send(AppendEntriesReply(self.id, m.src, self.current_term, True, last_new, None, None))


class CommitToLogEnd(RaftNode):
    """The follower sets commit_index = min(leader_commit, end of its own log).

    Students' Guide: commit_index = min(leader_commit, index of the last *new*
    entry); otherwise a follower may apply entries of its own the leader never
    confirmed (the Guide warns that capping at the log's end is not enough).
    Figure 2, AppendEntries receiver, step 5.

    Why the 6.824 tests cannot catch it here: raftlib's leader always sends its
    whole log suffix from next_index, so the last new entry is the leader's last
    entry when it sent the message and leader_commit never exceeds it: the bug
    is masked. A leader that sends empty heartbeats or caps the entries per
    message exposes it.
    """

    def handle_append_entries(self, m: AppendEntries) -> None:
        if m.term < self.current_term or m.prev_log_index > len(self.log) or (
                m.prev_log_index > 0 and self.log[m.prev_log_index - 1].term != m.prev_log_term):
            return super().handle_append_entries(m)  # the refusals are right
        self.role = FOLLOWER
        self.leader_id = m.leader_id
        self.reset_election_timer()
        self.merge_entries(m.prev_log_index, m.entries)
        if m.leader_commit > self.commit_index:
            self.commit_index = min(m.leader_commit, len(self.log))  # BUG: not the last new entry
            self.apply_committed()
        self.send(AppendEntriesReply(self.id, m.src, self.current_term, True,
                                     m.prev_log_index + len(m.entries), None, None))


# ------------------------------------------------------------------- elections
class ResetTimerOnAnyMessage(RaftNode):
    """Every message received restarts the election timer.

    Students' Guide: reset the election timer only on AppendEntries from the
    current leader, when starting an election, or when granting a vote; a server
    that resets it on any RPC lets a candidate that can never win keep everyone
    else from timing out.
    Figure 2, followers: convert to candidate if the election timeout elapses
    without AppendEntries from the current leader or granting a vote.

    Why the 6.824 tests miss it here: every reset draws a fresh 300-600 ms
    timeout, so a candidate that cannot win still loses the race to an
    up-to-date server about half the time; elections slow down but finish well
    within one()'s 10 s (0 failures in 100 seeds of Figure8Unreliable and of
    UnreliableChurn).
    """

    def receive(self, message: Any) -> None:
        self.reset_election_timer()
        super().receive(message)


class ResetTimerOnVoteRequest(RaftNode):
    """A RequestVote restarts the election timer even when the vote is refused.

    Students' Guide: reset the timer when *granting* a vote, not on every
    RequestVote; otherwise candidates with stale logs hold back the servers
    that could win.
    Figure 2, followers: the timeout elapses "without ... granting vote to candidate".

    Why the 6.824 tests miss it here: as for :class:`ResetTimerOnAnyMessage`
    (0 failures in 100 seeds of Figure8Unreliable and of UnreliableChurn).
    """

    def handle_request_vote(self, m: RequestVote) -> None:
        super().handle_request_vote(m)
        self.reset_election_timer()


class CandidateNeverRetries(RaftNode):
    """A candidate whose election timer fires does not start a new election.

    Students' Guide: if the election timer fires while a server is already a
    candidate, it must start a new election (new term); otherwise lost or split
    votes stall the cluster for good.
    Figure 2, candidates: if the election timeout elapses, start a new election.
    """

    def on_election_timeout(self) -> None:
        if self.role == CANDIDATE:
            self.reset_election_timer()  # BUG: keep waiting for the old election
            return
        super().on_election_timeout()


class StepDownAfterHandling(RaftNode):
    """A higher term in a message is adopted only after the message is handled.

    Students' Guide: "If RPC request or response contains term T > currentTerm:
    set currentTerm = T, convert to follower" must happen *before* handling it;
    here a vote for a candidate of a higher term is refused because the term
    does not match yet.
    Figure 2, rules for all servers.
    """

    def receive(self, message: Any) -> None:
        self._handlers[type(message)](message)
        if message.term > self.current_term:
            self.step_down(message.term)


class VoteByLogLength(RaftNode):
    """The election restriction compares log lengths only.

    Students' Guide: "at least as up-to-date" means a higher last log term, or
    the same last term and a last index at least as large; a longer log with
    older entries is *not* more up to date.
    Figure 2, RequestVote receiver, step 2 (§5.4.1).
    """

    def log_is_up_to_date(self, last_log_term: int, last_log_index: int) -> bool:
        return last_log_index >= self.last_log_index


class VoteTwice(RaftNode):
    """A server grants its vote to every up-to-date candidate of its term.

    Students' Guide: follow Figure 2 exactly: once voted_for is set in a term,
    only that candidate may get the vote (again).
    Figure 2, RequestVote receiver, step 2: if voted_for is null or candidate_id,
    and the log is up to date, grant the vote.
    """

    def handle_request_vote(self, m: RequestVote) -> None:
        granted = (m.term == self.current_term  # BUG: voted_for is not looked at
                   and self.log_is_up_to_date(m.last_log_term, m.last_log_index))
        if granted:
            self.voted_for = m.candidate_id
            self.reset_election_timer()
        self.send(RequestVoteReply(self.id, m.src, self.current_term, granted))


class CountStaleVotes(RaftNode):
    """A candidate counts vote replies without checking their term.

    Students' Guide, "term confusion": a reply to a request sent in an earlier
    term must be dropped; a vote granted in term T is not a vote in term T + 1.
    Figure 2, candidates: become leader on votes from a majority *in this term*
    (Election Safety, Figure 3).

    Why the 6.824 tests rarely catch it: a vote must arrive after the candidate
    started its next election (only long reordering delays a reply that much)
    and a rival must win that same term: 1 failure (Election Safety, seed 71)
    in 100 seeds of Figure8Unreliable.
    """

    def handle_request_vote_reply(self, m: RequestVoteReply) -> None:
        if self.role != CANDIDATE or not m.vote_granted:
            return
        self.votes_received.add(m.src)
        if len(self.votes_received) >= self.majority():
            self.become_leader()


# ----------------------------------------------------------- the leader's side
class BackUpOnHigherTerm(RaftNode):
    """A leader refused for its stale term backs next_index up instead of stepping down.

    Students' Guide: an AppendEntries refused for a term reason (not a log
    inconsistency) means the leader's term is over: step down at once, do not
    touch next_index.
    Figure 2, rules for all servers: a reply with term T > current_term converts
    the server to follower.

    Why the 6.824 tests miss it here: the simulated server has no threads, so
    the race the Guide warns about (the decrement landing after next_index was
    reset by a re-election) cannot happen; the stale leader resends
    AppendEntries until the higher-term server's RequestVote deposes it, and no
    bound of the suite measures that (0 failures in 100 seeds of FailAgree,
    Figure8Unreliable and Count).
    """

    def receive(self, message: Any) -> None:
        if (type(message) is AppendEntriesReply and self.role == LEADER
                and message.term > self.current_term):
            peer = message.src
            self.next_index[peer] = max(1, self.next_index[peer] - 1)
            self.send_append_entries(peer)
            return
        super().receive(message)


class MatchIndexFromLogLength(RaftNode):
    """On success, match_index is taken from the leader's current log length.

    Students' Guide: set match_index from the request that was answered
    (prev_log_index + len(entries)), never from the leader's state when the
    reply arrives: the leader may have appended entries meanwhile.
    Figure 2, leaders: if successful, update next_index and match_index for the follower.
    """

    def handle_append_entries_reply(self, m: AppendEntriesReply) -> None:
        if m.success and self.role == LEADER and m.term == self.current_term:
            self.match_index[m.src] = len(self.log)
            self.next_index[m.src] = len(self.log) + 1
            self.advance_commit_index()
            return
        super().handle_append_entries_reply(m)


class UseStaleAppendReplies(RaftNode):
    """A leader acts on AppendEntries replies to requests of an earlier term.

    Students' Guide, "term confusion": when a reply arrives, compare the current
    term with the term of the request; if they differ, drop the reply. A success
    from an earlier term says nothing about the log of this term.
    Figure 2, leaders: match_index is "highest log entry known to be replicated"
    for *this* leader's log.

    Why the 6.824 tests miss it here: raftlib's replies carry the match_index
    of the request they answer, so only a reply from an *earlier term* can
    mislead, and only if the same server is leader again when it arrives after
    a long reordering delay: 0 failures in 100 seeds of Figure8Unreliable.
    """

    def handle_append_entries_reply(self, m: AppendEntriesReply) -> None:
        if m.success and self.role == LEADER:  # BUG: m.term is not compared
            self.match_index[m.src] = max(self.match_index[m.src], m.match_index)
            self.next_index[m.src] = max(self.next_index[m.src], m.match_index + 1)
            self.advance_commit_index()
            return
        super().handle_append_entries_reply(m)


class BackUpOneEntry(RaftNode):
    """After a rejection, next_index goes back one entry at a time.

    Students' Guide, accelerated log backtracking: use the follower's conflict
    term and index to skip a whole term at once; the 6.824 handout: backing up
    one entry at a time is too slow for the 2C tests.
    Figure 2, leaders: "if AppendEntries fails because of log inconsistency:
    decrement nextIndex and retry" (correct, but §5.3's optimisation is needed here).
    """

    def backup_index(self, m: AppendEntriesReply) -> int:
        return self.next_index[m.src] - 1


class CommitOldTermEntries(RaftNode):
    """The leader commits entries of earlier terms by counting replicas.

    Students' Guide: a leader may only advance commit_index to an N whose entry
    is of its current term (Raft paper, Figure 8); older entries are committed
    indirectly.
    Figure 2, leaders: if there exists an N > commit_index such that a majority
    of match_index[i] >= N *and log[N].term == current_term*, set commit_index = N.
    """

    def advance_commit_index(self) -> None:
        if self.role != LEADER:
            return
        for n in range(len(self.log), self.commit_index, -1):
            replicas = 1 + sum(1 for p in self.peers if self.match_index[p] >= n)
            if replicas >= self.majority():
                self.commit_index = n
                self.apply_committed()
                return


class ChattyLeader(RaftNode):
    """The leader answers every successful reply with another AppendEntries.

    6.824 handout: "the tester requires that the leader send heartbeat RPCs no
    more than ten times per second"; replication driven by every ack turns an
    idle cluster into an RPC storm (TestCount).
    Figure 2, leaders: send heartbeats during idle periods to prevent election
    timeouts (§5.2), not continuously.
    """

    def handle_append_entries_reply(self, m: AppendEntriesReply) -> None:
        super().handle_append_entries_reply(m)
        if m.success and self.role == LEADER and m.term == self.current_term:
            self.send_append_entries(m.src)


# ---------------------------------------------------------------- persistence
class ForgetVotedFor(RaftNode):
    """voted_for is not persisted: a restarted server may vote twice in one term.

    Students' Guide / 6.824 handout: persist at every change of persistent state.
    Figure 2, persistent state on all servers: current_term, voted_for, log[],
    "updated on stable storage before responding to RPCs".

    Why the 6.824 tests miss it here: a second vote needs a RequestVote of the
    same term to reach the server after its restart; a candidate asks each
    server once per term and messages take 2-36 ms, so the window is tiny
    (0 failures in 100 seeds of Figure8, Persist2, ReliableChurn and UnreliableChurn).
    """

    def persistent_state(self) -> PersistentState:
        return PersistentState(self.current_term, None, tuple(self.log))


class ForgetLog(RaftNode):
    """The log is not persisted: entries acknowledged before a crash are gone.

    Students' Guide / 6.824 handout: persist at every change of persistent state;
    an acknowledged entry may already be counted towards a commit.
    Figure 2, persistent state on all servers: current_term, voted_for, log[].
    """

    def persistent_state(self) -> PersistentState:
        return PersistentState(self.current_term, self.voted_for, ())


class PersistAfterReply(RaftNode):
    """Replies leave at once, before the disk write of the state they rest on.

    Students' Guide / 6.824 handout (lab 2C): persist before answering; a vote or
    an acknowledgement sent before the write is done is forgotten by a crash in
    the window, so a restarted server may vote again in the same term (two
    leaders) or lose an entry a leader counted towards a commit.
    Figure 2, persistent state on all servers: "updated on stable storage before
    responding to RPCs".

    Only visible with ``Cluster(storage_latency=...)``: without it every write
    is instantaneous and there is no window.
    """

    def hold_until_persisted(self, message: Any) -> bool:
        return False


#: Bugs the ported 6.824 suite catches (``tests/test_bug_injection.py`` checks it).
BUGS: tuple[type[RaftNode], ...] = (
    HeartbeatSkipsCheck, TruncateOnEveryAppend, ContinueAfterReject, AcceptPrevPastEnd,
    CandidateNeverRetries, StepDownAfterHandling, VoteByLogLength, VoteTwice,
    MatchIndexFromLogLength, BackUpOneEntry, CommitOldTermEntries, ChattyLeader, ForgetLog,
)
#: Real bugs the ported suite (almost) never catches here; each docstring says why.
SUBTLE: tuple[type[RaftNode], ...] = (
    ResetTimerOnAnyMessage, ResetTimerOnVoteRequest, CountStaleVotes, UseStaleAppendReplies,
    BackUpOnHigherTerm, ForgetVotedFor, CommitToLogEnd,
)
#: Bugs that need a disk that takes time (``Cluster(storage_latency=...)``); the
#: 6.824 port runs without one. ``raftlib.scenarios.lost_vote``/``lost_entry`` show them.
STORAGE: tuple[type[RaftNode], ...] = (PersistAfterReply,)
