"""Server symmetry: states that differ only in the servers' names are explored once.

Raft treats its servers alike, so renaming them (S1 <-> S2, ...) maps every run
to a run. The explorer keeps one representative of each class of renamed states:
among the renamings that sort the servers by a signature that names no server
(term, log, role, ...: the same for every renaming), the smallest, compared as
tuples of interned ints. Servers whose signatures differ are thus ordered at
once, and only servers that tie need their renamings tried; the choice depends
only on the class, so it is a canonical form. (Random walks take the smallest
of all renamings, ``every=True``, as they always have, so that a seed keeps its
walk: lesson 11 names seeds.) For 3 servers this shrinks the
space by up to 3! = 6 times; it is used for 2 to 4 servers. It is sound for any node
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
    """The renamings of ``n`` servers and cached renamed parts."""

    def __init__(self, codec: Codec, ghost: Callable[[Any], int], ghosts: list,
                 every: bool = False) -> None:
        n = len(codec.ids)
        self.codec, self._ghost, self._ghosts = codec, ghost, ghosts
        self.every = every
        self.perms = list(itertools.permutations(range(n)))  # the identity first
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
        self._sigs: dict[int, int] = {}          # server tuple -> its signature's number
        self._sig_ids: dict[tuple, int] = {}
        self._patterns: dict[tuple, list[int]] = {}
        self._by_servers: dict[tuple, list[int]] = {}

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

    def _candidates(self, servers: tuple) -> list[int]:
        """The renamings that put the servers in order of their name-free signatures:
        only these can give the representative."""
        found = self._by_servers.get(servers)
        if found is None:
            found = self._by_servers[servers] = self._sorting(servers)
        return found

    def _sorting(self, servers: tuple) -> list[int]:
        sigs = self._sigs
        keys = []
        for s_id in servers:
            key = sigs.get(s_id)
            if key is None:
                key = sigs[s_id] = self._sig_ids.setdefault(_signature(self.codec.servers[s_id]),
                                                             len(self._sig_ids))
            keys.append(key)
        ranks = sorted(keys)
        pattern = tuple(ranks.index(key) for key in keys)
        found = self._patterns.get(pattern)
        if found is None:
            found = self._patterns[pattern] = [
                k for k, p in enumerate(self.perms)
                if all(pattern[p.index(j)] <= pattern[p.index(j + 1)] for j in range(len(p) - 1))]
        return found

    def canonical(self, state: tuple) -> tuple:
        """The representative of ``state``: the smallest of its renamings that order
        the servers by signature."""
        servers, in_flight, submitted, crashes, ghost = state
        best = None
        n = len(servers)
        for k in range(len(self.perms)) if self.every else self._candidates(servers):
            p = self.perms[k]
            smap = self._servers[k]
            renamed = [0] * n
            for i, s_id in enumerate(servers):
                key = s_id * n + i
                new = smap.get(key)
                if new is None:
                    new = smap[key] = self._server(k, i, s_id)
                renamed[p[i]] = new
            renamed_servers = tuple(renamed)
            if best is not None and renamed_servers > best[0]:
                continue  # cannot be smaller
            mmap = self._messages[k]
            msgs = []
            for m in in_flight:
                new = mmap.get(m)
                if new is None:
                    new = mmap[m] = self._message(k, m)
                msgs.append(new)
            msgs.sort()
            gmap = self._ghost_maps[k]
            g = gmap.get(ghost)
            if g is None:
                g = gmap[ghost] = self._ghost_map(k, ghost)
            candidate = (renamed_servers, tuple(msgs), submitted, crashes, g)
            if best is None or candidate < best:
                best = candidate
        return best


def _signature(s: tuple) -> tuple:
    """What a server tuple says without naming servers: the same for every renaming."""
    return (s[:VOTED_FOR], s[VOTED_FOR] is None, s[VOTED_FOR + 1:VOTES], len(s[VOTES]),
            tuple(sorted(s[NEXT])), tuple(sorted(s[MATCH])), s[MATCH + 1:])
