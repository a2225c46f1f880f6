"""A Raft server as a pure state machine, following Figure 2 of the Raft paper.

Inputs are method calls: :meth:`RaftNode.on_election_timeout`,
:meth:`RaftNode.on_heartbeat_timeout`, :meth:`RaftNode.receive` (a message)
and :meth:`RaftNode.propose` (a client command). Outputs are left on the node
for its environment to collect after each input:

- ``outbox``: messages to send, in order;
- ``to_apply``: ``(index, Entry)`` pairs newly committed, in index order;
- ``election_timer_reset``: the election timer must be restarted with a fresh
  random timeout (the environment draws it: the node has no randomness);
- ``heartbeat_timer_reset``: a leader wants its heartbeat timer (re)started;
- ``lease_timer_reset``: (options ``pre_vote``/``check_quorum`` only) the
  server heard from its leader: the environment restarts a timer of the
  *minimum* election timeout and calls :meth:`RaftNode.on_lease_timeout`.

Two options of Ongaro's dissertation, both off by default (then the server is
exactly Figure 2): ``pre_vote`` (§9.6) and ``check_quorum`` (§6.2, with the
leader lease of §4.2.3), as etcd-io/raft implements them.

The node has no clock, no random numbers and no I/O. Each rule of Figure 2
lives in its own method so that an exercise can replace exactly one of them
through ``Cluster(node_class=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .messages import (AppendEntries, AppendEntriesReply, Entry, PreVote, PreVoteReply,
                       RequestVote, RequestVoteReply)

FOLLOWER = "follower"
CANDIDATE = "candidate"
LEADER = "leader"


class _NoOp:
    """The command of the empty entry a new leader may append (option ``noop_on_election``)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOOP"

    def __reduce__(self):
        return (_NoOp, ())


NOOP = _NoOp()


@dataclass(frozen=True)
class PersistentState:
    """What Figure 2 says must be on stable storage before answering an RPC."""

    current_term: int
    voted_for: str | None
    log: tuple  # tuple[Entry, ...]


class RaftNode:
    """One Raft server. ``log[0]`` holds the entry with Raft index 1."""

    def __init__(self, id: str, peers: Sequence[str], *, noop_on_election: bool = False,
                 pre_vote: bool = False, check_quorum: bool = False) -> None:
        self.id = id
        self.peers = tuple(p for p in peers if p != id)
        self.cluster_size = len(self.peers) + 1
        self.noop_on_election = noop_on_election
        self.pre_vote = pre_vote
        self.check_quorum = check_quorum
        # Persistent state on all servers (Figure 2).
        self.current_term = 0
        self.voted_for: str | None = None
        self.log: list[Entry] = []
        # Volatile state on all servers.
        self.commit_index = 0
        self.last_applied = 0
        self.role = FOLLOWER
        self.leader_id: str | None = None
        # Volatile state on candidates and leaders.
        self.votes_received: set[str] = set()
        self.next_index: dict[str, int] = {}
        self.match_index: dict[str, int] = {}
        # Volatile state of the dissertation's options (untouched when they are off).
        self.pre_votes_received: set[str] | None = None  # a pre-vote is under way
        self.heard_from_leader = False   # within the minimum election timeout: the lease
        self.heard_since_check: set[str] = set()  # followers a leader heard from (CheckQuorum)
        # Outputs, collected and cleared by the environment after each input.
        self.outbox: list = []
        self.to_apply: list[tuple[int, Entry]] = []
        self.election_timer_reset = True  # a new server starts its timer
        self.heartbeat_timer_reset = False
        self.lease_timer_reset = False
        self._handlers = {
            RequestVote: self.handle_request_vote,
            RequestVoteReply: self.handle_request_vote_reply,
            AppendEntries: self.handle_append_entries,
            AppendEntriesReply: self.handle_append_entries_reply,
            PreVote: self.handle_pre_vote,
            PreVoteReply: self.handle_pre_vote_reply,
        }

    # ----------------------------------------------------------------- helpers
    @property
    def last_log_index(self) -> int:
        return len(self.log)

    @property
    def last_log_term(self) -> int:
        return self.log[-1].term if self.log else 0

    def term_at(self, index: int) -> int:
        """The term of the entry at ``index`` (0 for index 0, before the log)."""
        return self.log[index - 1].term if index > 0 else 0

    def majority(self) -> int:
        """How many servers make a majority (the server itself included)."""
        return self.cluster_size // 2 + 1

    def send(self, message: Any) -> None:
        self.outbox.append(message)

    def reset_election_timer(self) -> None:
        """Ask the environment to restart the election timer with a fresh random timeout."""
        self.election_timer_reset = True

    def hold_until_persisted(self, message: Any) -> bool:
        """Whether ``message`` must wait until the state changed by this input is on
        stable storage (the environment delays it by the disk write).

        Figure 2: persistent state "updated on stable storage before responding to
        RPCs". Every message qualifies: a vote grant, an AppendEntries success and
        a candidate's RequestVote (its own vote) all rest on persisted state.

        [Figure 2: persistent-state]
        """
        return True

    def persistent_state(self) -> PersistentState:
        """What survives a crash: current_term, voted_for and the log (Figure 2).

        [Figure 2: persistent-state]
        """
        return PersistentState(self.current_term, self.voted_for, tuple(self.log))

    def restore(self, state: PersistentState) -> None:
        """Reload persisted state after a restart; volatile state starts afresh.

        [Figure 2: persistent-state, volatile-state]
        """
        self.current_term = state.current_term
        self.voted_for = state.voted_for
        self.log = list(state.log)

    # ------------------------------------------------------------------ inputs
    def receive(self, message: Any) -> None:
        """Handle one message. Any RPC or reply with a higher term first makes
        this server adopt the term and become a follower (Figure 2, all servers).

        Options: a :class:`PreVote` or its reply changes no term (§9.6); with
        ``check_quorum``, a RequestVote of a higher term that arrives within the
        lease is ignored: "if a server receives a RequestVote request within the
        minimum election timeout of hearing from a current leader, it does not
        update its term or grant its vote" (dissertation §4.2.3).

        [Figure 2: all-term, follower-respond]
        """
        cls = type(message)
        if cls is PreVote or cls is PreVoteReply:
            self._handlers[cls](message)
            return
        if message.term > self.current_term:
            if cls is RequestVote and self.check_quorum and self.in_lease():
                return
            self.step_down(message.term)
        self._handlers[cls](message)

    def propose(self, command: Any) -> tuple[int, int, bool]:
        """A client command, like ``Start()`` in the MIT 6.824 lab.

        Returns ``(index, term, is_leader)`` at once; the command may or may not
        be committed later. A server that is not leader returns ``(-1, term, False)``.

        [Figure 2: leader-client]
        """
        if self.role != LEADER:
            return -1, self.current_term, False
        self.log.append(Entry(self.current_term, command))
        self.broadcast_append_entries()
        self.advance_commit_index()  # a one-server cluster commits at once
        return len(self.log), self.current_term, True

    # ---------------------------------------------------------------- election
    def on_election_timeout(self) -> None:
        """Followers and candidates start an election when the timer fires (§5.2).

        A leader needs no election timer: if one still fires, it is ignored
        (and not restarted; :meth:`step_down` starts it again).

        [Figure 2: follower-timeout, candidate-timeout]
        """
        if self.role == LEADER:
            if self.check_quorum:
                self.check_leader_quorum()
            return
        if self.pre_vote:
            self.start_pre_vote()
        else:
            self.start_election()

    def start_election(self) -> None:
        """Become candidate: increment current_term, vote for self, reset the
        election timer, send RequestVote to all other servers (§5.2).

        [Figure 2: candidate-start]
        """
        self.role = CANDIDATE
        self.current_term += 1
        self.voted_for = self.id
        self.leader_id = None
        self.votes_received = {self.id}
        self.pre_votes_received = None
        self.heard_from_leader = False
        self.reset_election_timer()
        for peer in self.peers:
            self.send(RequestVote(self.id, peer, self.current_term, self.id,
                                  self.last_log_index, self.last_log_term))
        if len(self.votes_received) >= self.majority():
            self.become_leader()

    # ------------------------------------------- options of the dissertation
    def in_lease(self) -> bool:
        """A leader, or a server that heard from a current leader within the
        minimum election timeout (the lease of §4.2.3 and §9.6)."""
        return self.role == LEADER or self.heard_from_leader

    def on_lease_timeout(self) -> None:
        """The minimum election timeout has passed since the leader was last heard."""
        self.heard_from_leader = False

    def note_leader_contact(self) -> None:
        """An AppendEntries of the current leader was accepted: the lease starts again."""
        if self.pre_vote or self.check_quorum:
            self.heard_from_leader = True
            self.lease_timer_reset = True
        self.pre_votes_received = None

    def start_pre_vote(self) -> None:
        """PreVote (§9.6): before incrementing its term, ask whether a majority would
        vote for it; the server stays a follower meanwhile (etcd-io/raft's
        pre-candidate), so a server cut off from a majority never raises its term."""
        self.role = FOLLOWER
        self.leader_id = None
        self.heard_from_leader = False
        self.pre_votes_received = {self.id}
        self.reset_election_timer()
        for peer in self.peers:
            self.send(PreVote(self.id, peer, self.current_term + 1, self.id,
                              self.last_log_index, self.last_log_term))
        if len(self.pre_votes_received) >= self.majority():
            self.start_election()

    def handle_pre_vote(self, m: PreVote) -> None:
        """Grant a pre-vote if the proposed term is above ours, the candidate's log is
        at least as up-to-date and no leader was heard within the minimum election
        timeout (§9.6). Nothing is recorded: no term, no vote, no timer reset."""
        granted = (m.term > self.current_term and not self.in_lease()
                   and self.log_is_up_to_date(m.last_log_term, m.last_log_index))
        self.send(PreVoteReply(self.id, m.src, m.term if granted else self.current_term,
                               granted))

    def handle_pre_vote_reply(self, m: PreVoteReply) -> None:
        """A majority of pre-votes starts the real election; a refusal from a higher
        term makes the server adopt that term (as any higher term does, Figure 2)."""
        if not m.vote_granted:
            if m.term > self.current_term:
                self.step_down(m.term)
            return
        if self.pre_votes_received is None or m.term != self.current_term + 1:
            return
        self.pre_votes_received.add(m.src)
        if len(self.pre_votes_received) >= self.majority():
            self.start_election()

    def check_leader_quorum(self) -> None:
        """CheckQuorum (§6.2): a leader steps down if an election timeout passed
        without hearing from a majority. It stays in its term, so its vote stands."""
        if len(self.heard_since_check) + 1 >= self.majority():
            self.heard_since_check = set()
            self.reset_election_timer()
            return
        self.role = FOLLOWER
        self.leader_id = None
        self.reset_election_timer()

    # ---------------------------------------------------------------- votes
    def log_is_up_to_date(self, last_log_term: int, last_log_index: int) -> bool:
        """The election restriction (§5.4.1): compare last terms, then lengths.

        [Figure 2: rv-2]
        """
        if last_log_term != self.last_log_term:
            return last_log_term > self.last_log_term
        return last_log_index >= self.last_log_index

    def handle_request_vote(self, m: RequestVote) -> None:
        """RequestVote receiver (Figure 2): grant if the term is current, this
        server has not voted for someone else in it, and the candidate's log is
        at least as up-to-date; granting a vote resets the election timer.

        [Figure 2: rv-1, rv-2, follower-timeout]
        """
        granted = (m.term == self.current_term
                   and self.voted_for in (None, m.candidate_id)
                   and self.log_is_up_to_date(m.last_log_term, m.last_log_index))
        if granted:
            self.voted_for = m.candidate_id
            self.reset_election_timer()
        self.send(RequestVoteReply(self.id, m.src, self.current_term, granted))

    def handle_request_vote_reply(self, m: RequestVoteReply) -> None:
        """A candidate counts votes of its current term; a majority makes it leader.

        [Figure 2: candidate-majority]
        """
        if self.role != CANDIDATE or m.term != self.current_term or not m.vote_granted:
            return
        self.votes_received.add(m.src)
        if len(self.votes_received) >= self.majority():
            self.become_leader()

    def become_leader(self) -> None:
        """Initialise next_index and match_index, then send initial empty
        AppendEntries (heartbeats) to every server (Figure 2, leaders).

        [Figure 2: leader-state, leader-heartbeat]
        """
        self.role = LEADER
        self.leader_id = self.id
        self.next_index = {p: len(self.log) + 1 for p in self.peers}
        self.match_index = {p: 0 for p in self.peers}
        if self.check_quorum:  # the election timer now times the quorum check
            self.heard_since_check = set()
            self.reset_election_timer()
        if self.noop_on_election:
            self.log.append(Entry(self.current_term, NOOP))
        self.broadcast_append_entries()
        self.heartbeat_timer_reset = True
        self.advance_commit_index()

    def step_down(self, term: int) -> None:
        """Adopt a higher term and become follower (Figure 2, all servers).

        A leader has no election timer running; as a follower it needs one again.

        [Figure 2: all-term]
        """
        if self.role == LEADER:
            self.reset_election_timer()
        self.current_term = term
        self.voted_for = None
        self.role = FOLLOWER
        self.leader_id = None
        self.pre_votes_received = None

    # ------------------------------------------------------------- replication
    def on_heartbeat_timeout(self) -> None:
        """A leader sends AppendEntries to every follower each heartbeat interval,
        carrying any entries a follower still lacks (§5.2, §5.3).

        [Figure 2: leader-heartbeat, leader-send]
        """
        if self.role != LEADER:
            return
        self.broadcast_append_entries()
        self.heartbeat_timer_reset = True

    def broadcast_append_entries(self) -> None:
        for peer in self.peers:
            self.send_append_entries(peer)

    def send_append_entries(self, peer: str) -> None:
        """Send ``peer`` every entry from its next_index on (empty: a heartbeat).

        [Figure 2: leader-send]
        """
        prev = self.next_index[peer] - 1
        self.send(AppendEntries(self.id, peer, self.current_term, self.id, prev,
                                self.term_at(prev), tuple(self.log[prev:]), self.commit_index))

    def handle_append_entries(self, m: AppendEntries) -> None:
        """AppendEntries receiver (Figure 2).

        1. Reply false if term < current_term.
        2. Reply false if the log has no entry at prev_log_index whose term is
           prev_log_term (with conflict information for fast backup).
        3. If an existing entry conflicts with a new one (same index, different
           term), delete it and all that follow; 4. append entries not yet in
           the log; 5. if leader_commit > commit_index, set
           commit_index = min(leader_commit, index of last new entry).

        [Figure 2: ae-1, ae-2, ae-5, candidate-append, follower-timeout]
        """
        if m.term < self.current_term:
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0, None, None))
            return
        # From the current leader: a candidate steps back, the timer restarts.
        self.role = FOLLOWER
        self.leader_id = m.leader_id
        self.reset_election_timer()
        self.note_leader_contact()
        prev = m.prev_log_index
        if prev > len(self.log):
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0,
                                         len(self.log) + 1, None))
            return
        if prev > 0 and self.log[prev - 1].term != m.prev_log_term:
            conflict_term = self.log[prev - 1].term
            first = prev
            while first > 1 and self.log[first - 2].term == conflict_term:
                first -= 1
            self.send(AppendEntriesReply(self.id, m.src, self.current_term, False, 0,
                                         first, conflict_term))
            return
        self.merge_entries(prev, m.entries)
        last_new = prev + len(m.entries)
        new_commit = min(m.leader_commit, last_new)
        if new_commit > self.commit_index:  # a stale, shorter request never lowers it
            self.commit_index = new_commit
            self.apply_committed()
        self.send(AppendEntriesReply(self.id, m.src, self.current_term, True, last_new, None, None))

    def merge_entries(self, prev_log_index: int, entries: tuple) -> None:
        """Steps 3 and 4 of the receiver: truncate only at a real conflict.

        [Figure 2: ae-3, ae-4]
        """
        log = self.log
        held = log[prev_log_index:prev_log_index + len(entries)]
        if held == list(entries[:len(held)]):  # the usual case: no conflict, append the rest
            log.extend(entries[len(held):])
            return
        for offset, entry in enumerate(entries):
            index = prev_log_index + 1 + offset
            if index > len(log):
                log.extend(entries[offset:])
                return
            if log[index - 1].term != entry.term:
                del log[index - 1:]
                log.extend(entries[offset:])
                return

    def handle_append_entries_reply(self, m: AppendEntriesReply) -> None:
        """The leader's side: on success advance match_index (from the reply,
        never from current state) and next_index, then try to commit; on a log
        conflict back next_index up past the conflicting term and retry.

        [Figure 2: leader-success, leader-backup]
        """
        if self.role != LEADER or m.term != self.current_term:
            return
        peer = m.src
        if self.check_quorum:
            self.heard_since_check.add(peer)
        if m.success:
            if m.match_index > self.match_index[peer]:
                self.match_index[peer] = m.match_index
            if m.match_index + 1 > self.next_index[peer]:
                self.next_index[peer] = m.match_index + 1
            self.advance_commit_index()
            return
        if m.conflict_index is None:  # refused for a stale term: nothing to learn
            return
        self.next_index[peer] = max(self.match_index[peer] + 1,
                                    min(self.backup_index(m), len(self.log) + 1))
        self.send_append_entries(peer)

    def backup_index(self, m: AppendEntriesReply) -> int:
        """Fast log backup (Students' Guide to Raft): if the leader has entries of
        the follower's conflicting term, retry just after its last one; otherwise
        retry from the follower's first index of that term (or its log end).

        [Figure 2: leader-backup]
        """
        if m.conflict_term is not None:
            for index in range(len(self.log), 0, -1):
                term = self.log[index - 1].term
                if term == m.conflict_term:
                    return index + 1
                if term < m.conflict_term:
                    break
        return m.conflict_index

    def advance_commit_index(self) -> None:
        """If there is an N > commit_index with a majority of match_index[i] >= N
        and log[N].term == current_term, set commit_index = N (§5.3, §5.4.2).

        The largest N stored on a majority is the majority-th largest of the
        match indexes (the leader's own log counts). Entries of earlier terms are
        committed only indirectly, when a current-term entry after them is
        (Figure 8): since terms never decrease along the log, if log[N] is of
        an older term, so is every entry before it.

        [Figure 2: leader-commit]
        """
        if self.role != LEADER:
            return
        matched = sorted([len(self.log), *self.match_index.values()], reverse=True)
        n = matched[self.majority() - 1]
        if n > self.commit_index and self.log[n - 1].term == self.current_term:
            self.commit_index = n
            self.apply_committed()

    def apply_committed(self) -> None:
        """While commit_index > last_applied, apply the next entry (Figure 2).

        [Figure 2: all-apply]
        """
        if self.commit_index > self.last_applied:
            first = self.last_applied
            self.to_apply.extend(zip(range(first + 1, self.commit_index + 1),
                                     self.log[first:self.commit_index]))
            self.last_applied = self.commit_index

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} {self.id} {self.role} term={self.current_term} "
                f"log={len(self.log)} commit={self.commit_index}>")
