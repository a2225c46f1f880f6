"""Dead messages: replies that no future state of their receiver can act on.

When the network may drop messages (``drops=True``), the explorer drops such a
message at once, instead of carrying it along until it is delivered or dropped.
A reply ``m`` to server ``d`` is *dead* when

- R1: ``m.term < d.current_term`` (a stale reply); or
- R2: ``m`` is a RequestVoteReply of ``d``'s term and it is refused, or ``d`` is
  not a candidate, or ``d`` already counted that vote; or
- R3: ``m`` is an AppendEntriesReply of ``d``'s term and ``d`` is a follower; or
- R4: ``m`` is a successful AppendEntriesReply of ``d``'s term, ``d`` leads, and
  ``m.match_index`` is at most ``d.match_index`` for the sender and below its
  ``next_index`` (an answer to a heartbeat that told the leader nothing new).

Why delivering a dead message changes nothing, now or later. ``RaftNode.receive``
lets a reply of a lower term change nothing before handing it on, and its reply
handlers return at once unless the reply's term is the current one, the
RequestVoteReply handler also unless the server is a candidate and the vote is
granted (adding a vote already counted changes no set), the AppendEntriesReply
handler unless the server is leader, and on a success that raises neither
``match_index`` nor ``next_index`` it changes nothing but calls
``advance_commit_index``, a no-op in every leader state the explorer reaches
(checked by :func:`monotone`: RaftNode calls it after every change of a leader's
log or match indexes). So delivery is a no-op in the receiver's present state; it stays
one in every later state because (checked on every reaction the explorer
computes, :func:`monotone`) a server's term never decreases, across crashes too,
and within one term a follower stays a follower, a server that is not a
candidate never becomes one (a candidate only by a new term), a candidate's
counted votes only grow, and a leader stays leader or steps down, its
``match_index`` never decreasing and its ``next_index`` staying above it.

Why dropping them at once is sound. Write ``r(s)`` for a state ``s`` with its
dead messages removed. Invariants read only the servers and the history, so
``s`` and ``r(s)`` break the same ones. Every step from ``s`` is a step from
``r(s)`` with the same effect up to dead messages (delivering, duplicating or
dropping a dead message from ``s`` leads to a state ``s'`` with ``r(s') = r(s)``;
a step that fits the per-link bound with the dead messages in flight fits
without them); conversely every step from ``r(s)`` is a step from ``s`` once the
dead messages on its links are dropped, which ``drops=True`` allows. So the
reduced search reaches exactly the states ``{r(s)}``, and the same violations.
``tests/test_explore.py`` checks this on small bounds against the unreduced
search. Traces stay concrete: :meth:`Model.realize` puts back the drops that a
step needs to find room on a full link.

The argument rests on the methods named in :data:`METHODS` being ``RaftNode``'s
own (R4 also on :data:`LEADER_METHODS`), so a node class that overrides one of
them is explored without the rules that need it, and one that breaks
:func:`monotone` without any (the search then starts again without them).
"""

from __future__ import annotations

from ..core import CANDIDATE, FOLLOWER, LEADER, AppendEntriesReply, RaftNode, RequestVoteReply
from .state import COMMIT, LOG, MATCH, NEXT, ROLE, TERM, VOTES

#: The methods whose ``RaftNode`` code the argument reads.
METHODS = ("receive", "handle_request_vote_reply", "handle_append_entries_reply")
#: The method R4 needs besides (that calling it changes nothing is checked by
#: :func:`monotone` on every leader state reached).
LEADER_METHODS = METHODS + ("advance_commit_index",)


class NotMonotone(Exception):
    """A node class broke an assumption of the reduction (:func:`monotone`)."""


def applies(node_class: type, methods: tuple = METHODS) -> bool:
    """Whether ``node_class`` uses ``RaftNode``'s own code for ``methods``."""
    return all(getattr(node_class, name) is getattr(RaftNode, name) for name in methods)


def monotone(before: tuple, after: tuple, leader_replies: bool) -> bool:
    """A server's step from tuple ``before`` to ``after`` keeps the facts the argument
    needs: the term does not decrease; within a term a follower stays a follower, a
    non-candidate does not become a candidate, a candidate loses no vote, and a
    leader's match indexes do not decrease and stay below its next indexes, and (for
    R4, if ``leader_replies``) a leader has committed all that RaftNode's rule allows."""
    if after[TERM] != before[TERM]:
        return after[TERM] > before[TERM]
    role, new = before[ROLE], after[ROLE]
    if leader_replies and new == LEADER and not _committed(after):
        return False
    if role == FOLLOWER:
        return new == FOLLOWER
    if role == CANDIDATE:
        return new != CANDIDATE or set(before[VOTES]) <= set(after[VOTES])
    if new == LEADER:
        return all(b <= a < n for b, a, n in zip(before[MATCH], after[MATCH], after[NEXT]))
    return new != CANDIDATE


def _committed(s: tuple) -> bool:
    """RaftNode.advance_commit_index would commit nothing more in leader tuple ``s``."""
    log, match = s[LOG], s[MATCH]
    n = sorted([len(log), *match], reverse=True)[(len(match) + 1) // 2]
    return not (n > s[COMMIT] and log[n - 1].term == s[TERM])


def dead(m: object, d: tuple, slot: int, leader_replies: bool) -> bool:
    """Whether the message ``m`` is dead at a receiver in server tuple ``d``, whose peer
    ``slot`` is the sender (R1-R3, and R4 if ``leader_replies``)."""
    cls = type(m)
    if cls is AppendEntriesReply:
        if m.term != d[TERM]:
            return m.term < d[TERM]
        if d[ROLE] == FOLLOWER:
            return True
        return (leader_replies and m.success and d[ROLE] == LEADER
                and m.match_index <= d[MATCH][slot] and m.match_index < d[NEXT][slot])
    if cls is RequestVoteReply:
        return m.term < d[TERM] or (m.term == d[TERM] and (
            not m.vote_granted or d[ROLE] != CANDIDATE or m.src in d[VOTES]))
    return False
