"""Dead messages: replies that no future state of their receiver can act on.

When the network may drop messages (``drops=True``), the explorer drops such a
message at once, instead of carrying it along until it is delivered or dropped.
A reply ``m`` to server ``d`` is *dead* when

- R1: ``m.term < d.current_term`` (a stale reply); or
- R2: ``m`` is a RequestVoteReply of ``d``'s term and it is refused, or ``d`` is
  not a candidate, or ``d`` already counted that vote; or
- R3: ``m`` is an AppendEntriesReply of ``d``'s term and ``d`` is a follower.

Why delivering a dead message changes nothing, now or later. ``RaftNode.receive``
lets a reply of a lower term change nothing before handing it on, and its reply
handlers return at once unless the reply's term is the current one, the
RequestVoteReply handler also unless the server is a candidate and the vote is
granted (adding a vote already counted changes no set), the AppendEntriesReply
handler unless the server is leader. So delivery is a no-op in the receiver's
present state; it stays one in every later state because (checked on every
reaction the explorer computes, :func:`monotone`) a server's term never
decreases, across crashes too, and within one term a follower stays a follower
and a server that is not a candidate never becomes one (a candidate only by a new
term), while a candidate's counted votes only grow.

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

The argument rests on the three methods named in :data:`METHODS` being
``RaftNode``'s own, so a node class that overrides one of them is explored
without this reduction, as is one that breaks :func:`monotone` (the search
then starts again without it).
"""

from __future__ import annotations

from ..core import CANDIDATE, FOLLOWER, AppendEntriesReply, RaftNode, RequestVoteReply
from .state import ROLE, TERM, VOTES

#: The methods whose ``RaftNode`` code the argument reads.
METHODS = ("receive", "handle_request_vote_reply", "handle_append_entries_reply")


class NotMonotone(Exception):
    """A node class broke an assumption of the reduction (:func:`monotone`)."""


def applies(node_class: type) -> bool:
    """Whether ``node_class`` handles replies with ``RaftNode``'s own code."""
    return all(getattr(node_class, name) is getattr(RaftNode, name) for name in METHODS)


def monotone(before: tuple, after: tuple) -> bool:
    """A server's step from tuple ``before`` to ``after`` keeps the facts the argument
    needs: the term does not decrease; within a term a follower stays a follower, a
    non-candidate does not become a candidate, and a candidate loses no vote."""
    if after[TERM] != before[TERM]:
        return after[TERM] > before[TERM]
    role, new = before[ROLE], after[ROLE]
    if role == FOLLOWER:
        return new == FOLLOWER
    if role == CANDIDATE:
        return new != CANDIDATE or set(before[VOTES]) <= set(after[VOTES])
    return new != CANDIDATE


def dead(m: object, d: tuple) -> bool:
    """Whether the message ``m`` is dead at a receiver in server tuple ``d`` (R1-R3)."""
    cls = type(m)
    if cls is AppendEntriesReply:
        return m.term < d[TERM] or (m.term == d[TERM] and d[ROLE] == FOLLOWER)
    if cls is RequestVoteReply:
        return m.term < d[TERM] or (m.term == d[TERM] and (
            not m.vote_granted or d[ROLE] != CANDIDATE or m.src in d[VOTES]))
    return False
