"""Canonical, hashable states for the explorer, and moving them in and out of a RaftNode.

A server's state is a tuple (see :data:`FIELDS`) of its Figure 2 state plus two
things the checker needs: whether it is up, and how many entries this
incarnation has applied. Fields no rule reads are normalised so that equal
behaviour means an equal tuple: ``next_index``/``match_index`` are kept only on a
leader, ``votes_received`` only on a candidate, ``leader_id`` not at all. A
crashed server keeps only what its class's ``persistent_state()`` saved.

Server tuples and messages are interned as small ints (:class:`Codec`), so a
whole cluster state is a short tuple of ints: cheap to hash and compare.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..core import CANDIDATE, FOLLOWER, LEADER, PersistentState, RaftNode

#: The fields of a server tuple, in order.
FIELDS = ("current_term", "voted_for", "log", "commit_index", "last_applied", "role",
          "votes_received", "next_index", "match_index", "up", "applied")
TERM, VOTED_FOR, LOG, COMMIT, LAST_APPLIED, ROLE, VOTES, NEXT, MATCH, UP, APPLIED = range(11)


def dump(node: RaftNode, applied: int) -> tuple:
    """The canonical tuple of a running ``node`` that has applied ``applied`` entries."""
    role = node.role
    leader = role == LEADER
    peers = node.peers
    return (node.current_term, node.voted_for, tuple(node.log), node.commit_index,
            node.last_applied, role,
            tuple(sorted(node.votes_received)) if role == CANDIDATE else (),
            tuple(node.next_index[p] for p in peers) if leader else (),
            tuple(node.match_index[p] for p in peers) if leader else (),
            True, applied)


def load(node: RaftNode, s: tuple) -> None:
    """Set ``node``'s state to the server tuple ``s`` and clear its outputs."""
    (node.current_term, node.voted_for, log, node.commit_index, node.last_applied, node.role,
     votes, nxt, match, _up, _applied) = s
    node.log = list(log)
    node.votes_received = set(votes)
    peers = node.peers
    node.next_index = dict(zip(peers, nxt))
    node.match_index = dict(zip(peers, match))
    node.leader_id = None
    node.outbox = []
    node.to_apply = []
    node.election_timer_reset = False
    node.heartbeat_timer_reset = False


def crashed(persisted: PersistentState) -> tuple:
    """The tuple of a crashed server: only what it persisted."""
    return (persisted.current_term, persisted.voted_for, tuple(persisted.log), 0, 0, FOLLOWER,
            (), (), (), False, 0)


def persisted(s: tuple) -> PersistentState:
    """What a crashed server's tuple holds, to restore on restart."""
    return PersistentState(s[TERM], s[VOTED_FOR], s[LOG])


class Codec:
    """Interns server tuples and messages as ints, numbered in order of discovery."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = tuple(ids)
        self.index = {sid: i for i, sid in enumerate(self.ids)}
        self.servers: list[tuple] = []
        self._server_ids: dict[tuple, int] = {}
        self.messages: list[Any] = []
        self.links: list[tuple[int, int]] = []      # per message: (src index, dst index)
        self.link_ids: list[int] = []               # per message: its link as one int
        self._message_ids: dict[Any, int] = {}

    def server(self, s: tuple) -> int:
        i = self._server_ids.get(s)
        if i is None:
            i = self._server_ids[s] = len(self.servers)
            self.servers.append(s)
        return i

    def message(self, m: Any) -> int:
        key = (type(m), m)  # messages of two types never compare equal
        i = self._message_ids.get(key)
        if i is None:
            i = self._message_ids[key] = len(self.messages)
            self.messages.append(m)
            src, dst = self.index[m.src], self.index[m.dst]
            self.links.append((src, dst))
            self.link_ids.append(src * len(self.ids) + dst)
        return i
