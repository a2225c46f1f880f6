"""Server symmetry: states that differ only in the servers' names are explored once.

Raft treats its servers alike, so renaming them (S1 <-> S2, ...) maps every run
to a run. The explorer keeps one representative of each class of renamed states:
the smallest of its renamings, compared as tuples of interned ints. For 3
servers this shrinks the space by up to 3! = 6 times; beyond 4 servers trying
all n! renamings costs more than it saves, so it is used for 2 to 4 servers. It is sound for any node
class whose behaviour does not depend on the servers' names themselves (every
class in :mod:`raftlib.bugs` qualifies); ``symmetry=False`` turns it off.
Traces are always concrete: :meth:`Model.concretize` re-finds, step by step,
a renamed step that leads to each representative.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from .state import NEXT, MATCH, VOTED_FOR, VOTES, Codec

_RENAMED_FIELDS = ("src", "dst", "candidate_id", "leader_id")


class Symmetry:
    """The renamings of ``n`` servers (all but the identity) and cached renamed parts."""

    def __init__(self, codec: Codec, ghost: Callable[[Any], int], ghosts: list) -> None:
        n = len(codec.ids)
        self.codec, self._ghost, self._ghosts = codec, ghost, ghosts
        self.perms = [p for p in itertools.permutations(range(n)) if p != tuple(range(n))]
        self._names = [{codec.ids[i]: codec.ids[p[i]] for i in range(n)} for p in self.perms]
        # per renaming and server position: where each new peer slot reads from the old ones
        self._slots = []
        for p in self.perms:
            inverse = {p[i]: i for i in range(n)}
            per_server = []
            for i in range(n):
                old_peers = [j for j in range(n) if j != i]
                per_server.append(tuple(old_peers.index(inverse[k])
                                        for k in range(n) if k != p[i]))
            self._slots.append(per_server)
        self._servers: list[dict] = [{} for _ in self.perms]
        self._messages: list[dict] = [{} for _ in self.perms]
        self._ghost_maps: list[dict] = [{} for _ in self.perms]

    def _server(self, k: int, i: int, s_id: int) -> int:
        s = list(self.codec.servers[s_id])
        names = self._names[k]
        if s[VOTED_FOR] is not None:
            s[VOTED_FOR] = names.get(s[VOTED_FOR], s[VOTED_FOR])
        s[VOTES] = tuple(sorted(names.get(v, v) for v in s[VOTES]))
        slots = self._slots[k][i]
        if s[NEXT]:
            s[NEXT] = tuple(s[NEXT][j] for j in slots)
            s[MATCH] = tuple(s[MATCH][j] for j in slots)
        return self.codec.server(tuple(s))

    def _message(self, k: int, m_id: int) -> int:
        m = self.codec.messages[m_id]
        names = self._names[k]
        fields = {f: names[getattr(m, f)] for f in _RENAMED_FIELDS
                  if getattr(m, f, None) in names}
        return self.codec.message(m._replace(**fields))

    def _ghost_map(self, k: int, g: int) -> int:
        leaders, chosen = self._ghosts[g]
        names = self._names[k]
        return self._ghost((tuple(sorted((t, names[s]) for t, s in leaders)), chosen))

    def canonical(self, state: tuple) -> tuple:
        """The smallest renaming of ``state``."""
        servers, in_flight, submitted, crashes, ghost = state
        best = state
        n = len(servers)
        for k, p in enumerate(self.perms):
            smap, mmap, gmap = self._servers[k], self._messages[k], self._ghost_maps[k]
            renamed = [0] * n
            for i, s_id in enumerate(servers):
                key = s_id * n + i
                new = smap.get(key)
                if new is None:
                    new = smap[key] = self._server(k, i, s_id)
                renamed[p[i]] = new
            renamed_servers = tuple(renamed)
            if renamed_servers > best[0]:
                continue  # cannot be smaller
            msgs = []
            for m in in_flight:
                new = mmap.get(m)
                if new is None:
                    new = mmap[m] = self._message(k, m)
                msgs.append(new)
            msgs.sort()
            g = gmap.get(ghost)
            if g is None:
                g = gmap[ghost] = self._ghost_map(k, ghost)
            candidate = (renamed_servers, tuple(msgs), submitted, crashes, g)
            if candidate < best:
                best = candidate
        return best
