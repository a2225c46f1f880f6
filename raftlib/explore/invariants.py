"""The properties of :mod:`raftlib.safety`, checked on explored states.

The names and the evidence are those of :class:`raftlib.safety.SafetyMonitor`;
what the monitor remembers about the past (who was elected in each term, the
entry first applied at each index) is kept here in a small "ghost" part of the
state, as history variables are in TLA+ specifications of Raft.

Each function returns ``None`` when the property holds, or the
:class:`SafetyViolation` that shows it does not.
"""

from __future__ import annotations

from typing import Sequence

from ..core import Entry
from ..errors import SafetyViolation

#: The ghost state: ``leaders`` holds ``(term, server)`` for every election so far,
#: ``chosen`` holds ``(entry, term of its first applier)`` for every index applied so far.
Ghost = tuple[tuple[tuple[int, str], ...], tuple[tuple[Entry, int], ...]]


def election(leaders: tuple, sid: str, term: int) -> SafetyViolation | None:
    """Election Safety: at most one leader per term."""
    for t, other in leaders:
        if t == term and other != sid:
            return SafetyViolation("Election Safety",
                                   f"{other} and {sid} were both elected leader in term {term}")
    return None


def completeness(chosen: tuple, sid: str, term: int, log: Sequence[Entry]) -> SafetyViolation | None:
    """Leader Completeness: a leader holds every entry first applied in an earlier term
    (the same rule as ``SafetyMonitor._check_completeness``)."""
    k = len(chosen)
    while k and chosen[k - 1][1] >= term:
        k -= 1
    for index in range(1, k + 1):
        if index > len(log) or log[index - 1] != chosen[index - 1][0]:
            have = log[index - 1] if index <= len(log) else "nothing"
            return SafetyViolation("Leader Completeness",
                                   f"leader {sid} of term {term} lacks committed entry {index} "
                                   f"{chosen[index - 1][0]} (it has {have})")
    return None


def applies(chosen: tuple, sid: str, applied: int, term: int,
            entries: Sequence[tuple[int, Entry]]) -> tuple[tuple, SafetyViolation | None]:
    """The applier rule and State Machine Safety for the ``entries`` a server that had
    applied ``applied`` entries just applied in ``term``; returns the new ``chosen``."""
    expected = applied + 1
    grown = list(chosen)
    for index, entry in entries:
        if index != expected:
            return chosen, SafetyViolation(
                "Applier order", f"{sid} applied index {index} but its next index to apply was "
                                 f"{expected}: applies must be in order, without gaps, from index 1")
        expected += 1
        if index <= len(grown):
            first = grown[index - 1][0]
            if first != entry:
                return chosen, SafetyViolation(
                    "State Machine Safety",
                    f"{sid} applied {entry} at index {index}, but {first} was applied there before")
        else:
            grown.append((entry, term))
    return tuple(grown), None


def log_matching(a: str, log_a: Sequence[Entry], b: str,
                 log_b: Sequence[Entry]) -> SafetyViolation | None:
    """Log Matching (§5.3): logs that hold an entry with the same index and term are
    identical up to that index."""
    for index in range(min(len(log_a), len(log_b)), 0, -1):
        if log_a[index - 1].term == log_b[index - 1].term:
            if log_a[:index] != log_b[:index]:
                first = next(i for i in range(1, index + 1) if log_a[i - 1] != log_b[i - 1])
                return SafetyViolation(
                    "Log Matching", f"{a} and {b} both hold an entry of term "
                                    f"{log_a[index - 1].term} at index {index}, but differ at "
                                    f"index {first}: {log_a[first - 1]} vs {log_b[first - 1]}")
            return None
    return None


def append_only(sid: str, term: int, before: Sequence[Entry],
                after: Sequence[Entry]) -> SafetyViolation | None:
    """Leader Append-Only: a leader never overwrites or deletes entries of its log."""
    if tuple(after[:len(before)]) != tuple(before):
        return SafetyViolation("Leader Append-Only",
                               f"leader {sid} of term {term} overwrote or deleted entries: its "
                               f"log had {len(before)} entries {list(before[-3:])}..., "
                               f"now {len(after)}")
    return None
