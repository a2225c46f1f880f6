"""Raft's messages, named and shaped after Figure 2 of the Raft paper.

Every message is an immutable named tuple carrying ``src``, ``dst`` and
``term``. Replies carry what the leader needs to act on them without keeping
the request (``match_index`` on success; ``conflict_index``/``conflict_term``
for fast log backup on failure, as in the Students' Guide to Raft).
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Entry(NamedTuple):
    """One log entry: the term in which a leader received it, and the command."""

    term: int
    command: Any


class RequestVote(NamedTuple):
    """Invoked by candidates to gather votes (§5.2)."""

    src: str
    dst: str
    term: int
    candidate_id: str
    last_log_index: int
    last_log_term: int


class RequestVoteReply(NamedTuple):
    """``term`` is the voter's current_term, for the candidate to update itself."""

    src: str
    dst: str
    term: int
    vote_granted: bool


class AppendEntries(NamedTuple):
    """Invoked by the leader to replicate log entries (§5.3); also the heartbeat (§5.2)."""

    src: str
    dst: str
    term: int
    leader_id: str
    prev_log_index: int
    prev_log_term: int
    entries: tuple  # tuple[Entry, ...]; empty for a heartbeat
    leader_commit: int


class AppendEntriesReply(NamedTuple):
    """The follower's answer.

    ``success``: the follower's log matched at ``prev_log_index`` and now holds
    the entries. ``match_index``: on success, ``prev_log_index + len(entries)``
    of the request answered (the leader must not derive it from its own state).
    On failure, ``conflict_index``/``conflict_term`` tell the leader where to
    back up to; both are ``None`` when the request was refused for its stale
    term rather than for the log.
    """

    src: str
    dst: str
    term: int
    success: bool
    match_index: int
    conflict_index: int | None
    conflict_term: int | None


class PreVote(RequestVote):
    """Would you vote for me? Sent before an election with option ``pre_vote``
    (dissertation §9.6; etcd-io/raft's ``MsgPreVote``). The fields of RequestVote;
    ``term`` is the term the sender would campaign in (its current_term + 1), and
    neither side changes its term. Handled by its exact type, never as a RequestVote."""

    __slots__ = ()


class PreVoteReply(RequestVoteReply):
    """The answer to a :class:`PreVote` (etcd-io/raft's ``MsgPreVoteResp``): ``term``
    is the proposed term if granted, the voter's current_term if refused."""

    __slots__ = ()


REQUEST_TYPES = (RequestVote, AppendEntries, PreVote)
REPLY_TYPES = (RequestVoteReply, AppendEntriesReply, PreVoteReply)
