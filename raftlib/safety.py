"""Raft's safety properties (Raft paper, Figure 3) and the 6.824 applier rule, checked.

Cheap checks run on every election and every apply: Election Safety, Leader
Completeness, State Machine Safety and the applier rule (applies in order, no
gaps, no two servers applying different entries at one index). The rest (Log
Matching, Leader Append-Only) run in :meth:`SafetyMonitor.check`, which the
cluster calls on request or after every event with ``check_every_event=True``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import LEADER, Entry
from .errors import SafetyViolation

if TYPE_CHECKING:
    from .cluster import Cluster
    from .core import RaftNode


class SafetyMonitor:
    """Watches one cluster; raises :class:`SafetyViolation` with the evidence."""

    def __init__(self, cluster: "Cluster") -> None:
        self.cluster = cluster
        self.leaders: dict[int, str] = {}          # term -> the server elected in it
        self.chosen: list[Entry] = []              # the entry applied at each index
        self.chosen_term: list[int] = []           # the applier's term when first applied
        self.max_applied: dict[str, int] = {}      # per server, over all incarnations
        self._leader_logs: dict[str, tuple[int, list[Entry]]] = {}

    def _fail(self, prop: str, evidence: str) -> None:
        raise SafetyViolation(prop, evidence, time=self.cluster.now, seed=self.cluster.seed)

    # ------------------------------------------------------- incremental checks
    def on_new_leader(self, sid: str, node: "RaftNode") -> None:
        term = node.current_term
        other = self.leaders.setdefault(term, sid)
        if other != sid:
            self._fail("Election Safety", f"{other} and {sid} were both elected leader in term {term}")
        self._check_completeness(sid, node)

    def _check_completeness(self, sid: str, node: "RaftNode") -> None:
        """Entries committed in a term before this leader's must be in its log.

        An entry was committed no later than the term of the first server that
        applied it, and the entries before it no later than it. So the leader is
        held to the longest prefix whose last entry was first applied in an
        earlier term; a late or deposed leader of an older term is not held to
        entries committed after its term.
        """
        k = len(self.chosen)
        while k and self.chosen_term[k - 1] >= node.current_term:
            k -= 1
        if node.log[:k] != self.chosen[:k]:
            index = next((i for i in range(1, k + 1)
                          if i > len(node.log) or node.log[i - 1] != self.chosen[i - 1]), k)
            have = node.log[index - 1] if index <= len(node.log) else "nothing"
            self._fail("Leader Completeness",
                       f"leader {sid} of term {node.current_term} lacks committed entry {index} "
                       f"{self.chosen[index - 1]} (it has {have})")

    def on_apply(self, sid: str, applies: list[tuple[int, Entry]]) -> None:
        expected = len(self.cluster._applied[sid]) + 1
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
                self.chosen_term.append(self.cluster._nodes[sid].current_term)
        if expected - 1 > self.max_applied.get(sid, 0):
            self.max_applied[sid] = expected - 1

    def committed(self, index: int) -> tuple[int, Any]:
        count = sum(1 for top in self.max_applied.values() if top >= index)
        return count, (self.chosen[index - 1].command if index <= len(self.chosen) else None)

    # ------------------------------------------------------------ full check
    def check(self) -> None:
        nodes = self.cluster._nodes
        logs = {sid: node.log for sid, node in nodes.items()}
        ids = list(logs)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                self._check_log_matching(a, logs[a], b, logs[b])
        for sid, node in nodes.items():
            if node.role != LEADER or not self.cluster.up[sid]:
                self._leader_logs.pop(sid, None)
                continue
            seen = self._leader_logs.get(sid)
            if seen is not None and seen[0] == node.current_term and \
                    node.log[:len(seen[1])] != seen[1]:
                self._fail("Leader Append-Only",
                           f"leader {sid} of term {node.current_term} overwrote or deleted "
                           f"entries: its log had {len(seen[1])} entries {seen[1][-3:]}..., "
                           f"now {len(node.log)}")
            self._leader_logs[sid] = (node.current_term, list(node.log))
            self._check_completeness(sid, node)

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
