"""Raft's safety properties (Raft paper, Figure 3) and the 6.824 applier rule, checked.

Cheap checks run on every election and every apply: Election Safety, Leader
Completeness, State Machine Safety and the applier rule (applies in order, no
gaps, no two servers applying different entries at one index). The rest (Log
Matching, Leader Append-Only, Leader Completeness of every leader, and the
agreement of replicas' key-value stores) run in :meth:`SafetyMonitor.check`,
which the cluster calls on request or after every event with
``check_every_event=True``.

:meth:`SafetyMonitor.check` is incremental: its cost follows what changed since
the last check, not the length of the logs. Each server's log is a
:class:`TrackedLog`, a list that remembers the lowest position overwritten or
deleted; the monitor keeps a mirror of every log as last checked (references,
8 bytes an entry) and re-verifies only from the first changed position. Log
Matching is checked entry by entry: two logs holding an entry of the same index
and term must hold the same entry there and the same term just before it (by
induction on the index this is exactly Log Matching, §5.3). A log replaced by
another list object is verified in full once.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

from .core import LEADER, Entry
from .errors import SafetyViolation

if TYPE_CHECKING:
    from .cluster import Cluster
    from .core import RaftNode

_NOWHERE = 1 << 62  # "no position changed"


class TrackedLog(list):
    """A list that remembers ``low``, the lowest position overwritten or deleted since
    :meth:`changed_from` last asked. Appending is untracked and runs at list speed."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self.low = _NOWHERE

    def _touch(self, key: Any) -> None:
        if isinstance(key, slice):
            low = key.indices(len(self))[0] if key.step in (None, 1) else 0
        else:
            low = key + len(self) if key < 0 else key
        if low < self.low:
            self.low = max(0, low)

    def __setitem__(self, key, value):
        self._touch(key)
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._touch(key)
        super().__delitem__(key)

    def insert(self, index, value):
        self._touch(min(index, len(self)) if index >= 0 else max(0, len(self) + index))
        super().insert(index, value)

    def pop(self, index=-1):
        self._touch(index)
        return super().pop(index)

    def remove(self, value):
        self._touch(self.index(value))
        super().remove(value)

    def clear(self):
        self.low = 0
        super().clear()

    def sort(self, *args, **kwargs):
        self.low = 0
        super().sort(*args, **kwargs)

    def reverse(self):
        self.low = 0
        super().reverse()

    def __imul__(self, n):
        self.low = 0 if n < 1 else self.low
        return super().__imul__(n)

    def changed_from(self) -> int:
        """The lowest position changed since the last call (a large number if none)."""
        low, self.low = self.low, _NOWHERE
        return low


class SafetyMonitor:
    """Watches one cluster; raises :class:`SafetyViolation` with the evidence."""

    def __init__(self, cluster: "Cluster") -> None:
        self.cluster = cluster
        self.leaders: dict[int, str] = {}          # term -> the server elected in it
        self.chosen: list[Entry] = []              # the entry applied at each index
        self.chosen_term = array("q")              # the applier's term when first applied
        self._low_terms: list[int] = []            # suffix minima of chosen_term: values,
        self._low_index: list[int] = []            # and their lengths (index), increasing
        self.max_applied: dict[str, int] = {}      # per server, over all incarnations
        self._mirror: dict[str, list[Entry]] = {}  # each log as last checked
        self._logs: dict[str, TrackedLog] = {}     # the log object last checked
        self._leader_term: dict[str, int] = {}     # leaders at the last check, and their term
        self._complete: dict[str, int] = {}        # prefix of each log known equal to chosen

    def _fail(self, prop: str, evidence: str) -> None:
        raise SafetyViolation(prop, evidence, time=self.cluster.now, seed=self.cluster.seed)

    # ------------------------------------------------------- incremental checks
    def on_new_leader(self, sid: str, node: "RaftNode") -> None:
        term = node.current_term
        other = self.leaders.setdefault(term, sid)
        if other != sid:
            self._fail("Election Safety", f"{other} and {sid} were both elected leader in term {term}")
        log = node.log
        known = min(self._complete.get(sid, 0), log.low) if log is self._logs.get(sid) else 0
        self._check_completeness(sid, node, self._equal_prefix(log, known))

    def _bound(self, term: int) -> int:
        """How many entries a leader of ``term`` must hold: the longest prefix whose last
        entry was first applied in an earlier term (see :meth:`_check_completeness`)."""
        k = bisect_left(self._low_terms, term)
        return self._low_index[k - 1] if k else 0

    def _equal_prefix(self, log: list, start: int) -> int:
        """The length of the common prefix of ``log`` and the chosen entries, given that
        the first ``start`` are known equal."""
        chosen = self.chosen
        k, end = start, min(len(log), len(chosen))
        while k < end and (log[k] is chosen[k] or log[k] == chosen[k]):
            k += 1
        return k

    def _check_completeness(self, sid: str, node: "RaftNode", equal: int) -> None:
        """Entries committed in a term before this leader's must be in its log.

        An entry was committed no later than the term of the first server that
        applied it, and the entries before it no later than it. So the leader is
        held to the longest prefix whose last entry was first applied in an
        earlier term; a late or deposed leader of an older term is not held to
        entries committed after its term. ``equal`` is the length of the prefix
        of its log equal to the chosen entries.
        """
        k = self._bound(node.current_term)
        if equal < k:
            index = equal + 1
            have = node.log[index - 1] if index <= len(node.log) else "nothing"
            self._fail("Leader Completeness",
                       f"leader {sid} of term {node.current_term} lacks committed entry {index} "
                       f"{self.chosen[index - 1]} (it has {have})")

    def on_apply(self, sid: str, applies: list[tuple[int, Entry]]) -> None:
        expected = self.cluster._applied[sid] + 1
        chosen = self.chosen
        for index, entry in applies:
            if index != expected:
                self._fail("Applier order", f"{sid} applied index {index} but its next index to "
                                            f"apply was {expected}: applies must be in order, "
                                            f"without gaps, from index 1")
            expected += 1
            if index <= len(chosen):
                first = chosen[index - 1]
                if first is not entry and first != entry:
                    self._fail("State Machine Safety",
                               f"{sid} applied {entry} at index {index}, but {first} was "
                               f"applied there before")
            else:
                chosen.append(entry)
                self._add_chosen_term(self.cluster._nodes[sid].current_term)
        if expected - 1 > self.max_applied.get(sid, 0):
            self.max_applied[sid] = expected - 1

    def _add_chosen_term(self, term: int) -> None:
        self.chosen_term.append(term)
        values, lengths = self._low_terms, self._low_index
        while values and values[-1] >= term:
            values.pop()
            lengths.pop()
        values.append(term)
        lengths.append(len(self.chosen_term))

    def committed(self, index: int) -> tuple[int, Any]:
        count = sum(1 for top in self.max_applied.values() if top >= index)
        return count, (self.chosen[index - 1].command if index <= len(self.chosen) else None)

    # ------------------------------------------------------------ full check
    def check(self) -> None:
        """Check Log Matching, Leader Append-Only, Leader Completeness and the agreement
        of the key-value stores, re-verifying only what changed since the last call."""
        nodes = self.cluster._nodes
        changed = {}
        for sid, node in nodes.items():
            log = node.log
            if log is not self._logs.get(sid):  # a new list (a restart): verify it in full
                if type(log) is not TrackedLog:
                    log = node.log = TrackedLog(log)
                log.low = 0
                self._logs[sid] = log
            low = min(log.changed_from(), len(log))
            mirror = self._mirror.setdefault(sid, [])
            if low < len(mirror) or len(log) > len(mirror):
                changed[sid] = (min(low, len(mirror)), mirror[low:])
        for sid, (low, _) in changed.items():  # first forget every changed part, then
            del self._mirror[sid][low:]          # compare the new entries with the rest
        for sid, (low, _) in changed.items():
            self._learn(sid, nodes[sid].log, low)
        for sid, node in nodes.items():
            self._check_leader(sid, node, changed.get(sid))
        self._check_kv()

    def _learn(self, sid: str, log: list, low: int) -> None:
        """Check ``sid``'s entries from position ``low`` on against every other log
        holding an entry of the same index and term, then mirror them."""
        for other, mirror in self._mirror.items():
            end = min(len(log), len(mirror))
            start = max(0, low - 1)
            if other == sid or end <= low or log[start:end] == mirror[start:end]:
                continue  # nothing in common, or identical (the usual case, at C speed)
            for i in range(low, end):
                held, entry = mirror[i], log[i]
                if held.term == entry.term and (
                        (held is not entry and held != entry)
                        or (i and mirror[i - 1].term != log[i - 1].term)):
                    self._log_matching_failure(sid, log, i + 1, entry.term)
        self._mirror[sid].extend(log[low:])
        if self._complete.get(sid, 0) > low:
            self._complete[sid] = low

    def _log_matching_failure(self, sid: str, log: list, index: int, term: int) -> None:
        for other, node in self.cluster._nodes.items():
            if other != sid and len(self._mirror[other]) >= index and \
                    self._mirror[other][index - 1].term == term:
                self._check_log_matching(other, self._mirror[other], sid, log)
        self._fail("Log Matching", f"{sid} holds an entry of term {term} at index {index} that "
                                   f"differs from another log's (or follows a different term)")

    def _check_leader(self, sid: str, node: "RaftNode", change: tuple | None) -> None:
        if node.role != LEADER or not self.cluster.up[sid]:
            self._leader_term.pop(sid, None)
            return
        if change is not None and self._leader_term.get(sid) == node.current_term:
            low, old = change
            if node.log[low:low + len(old)] != old:
                self._fail("Leader Append-Only",
                           f"leader {sid} of term {node.current_term} overwrote or deleted "
                           f"entries from index {low + 1}: it had {len(old) + low} entries "
                           f"{old[-3:]}..., now {len(node.log)}")
        self._leader_term[sid] = node.current_term
        equal = self._equal_prefix(node.log, self._complete.get(sid, 0))
        self._complete[sid] = equal
        self._check_completeness(sid, node, equal)

    def _check_kv(self) -> None:
        """Replicas that applied the same prefix hold the same key-value data and the
        same last result per client (the state machine is deterministic)."""
        applied = self.cluster._applied
        groups: dict[int, list[str]] = {}
        for sid in self.cluster.nodes:
            groups.setdefault(applied[sid], []).append(sid)
        kv = self.cluster.kv
        for count, sids in groups.items():
            if len(sids) < 2:
                continue
            first = kv[sids[0]]
            for other in sids[1:]:
                store = kv[other]
                if store.data != first.data or store.sessions != first.sessions:
                    self._fail("State machine agreement",
                               f"{sids[0]} and {other} both applied indexes 1..{count}, but "
                               f"their key-value stores differ: {_diff(first, store)}")

    def _check_log_matching(self, a: str, log_a: list, b: str, log_b: list) -> None:
        """If two logs hold an entry with the same index and term, they are
        identical up to that index (§5.3)."""
        for index in range(min(len(log_a), len(log_b)), 0, -1):
            if log_a[index - 1].term == log_b[index - 1].term:
                if log_a[:index] != log_b[:index]:
                    first = next(i for i in range(1, index + 1) if log_a[i - 1] != log_b[i - 1])
                    self._fail("Log Matching",
                               f"{a} and {b} both hold an entry of term {log_a[index - 1].term} "
                               f"at index {index}, but differ at index {first}: "
                               f"{log_a[first - 1]} vs {log_b[first - 1]}")
                return


def _diff(a: Any, b: Any) -> str:
    """The first few keys on which two key-value stores differ."""
    keys = sorted({k for k in a.data.keys() | b.data.keys() if a.data.get(k) != b.data.get(k)},
                  key=repr)[:3]
    if keys:
        return ", ".join(f"{k!r}: {a.data.get(k)!r} vs {b.data.get(k)!r}" for k in keys)
    return f"sessions {a.sessions!r} vs {b.sessions!r}"
