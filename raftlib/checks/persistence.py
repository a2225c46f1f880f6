"""Exercise 08 (MIT lab 2C): what Raft persists and when, graded against crash schedules.

Figure 2 rules checked: "Persistent state on all servers (updated on stable
storage before responding to RPCs): currentTerm, votedFor, log[]"; the
volatile state (commitIndex, lastApplied, nextIndex[], matchIndex[]) is not
persisted. The clusters here have a disk that takes time
(``Cluster(storage_latency=...)``): a crash keeps only completed writes, so a
message that leaves before the write it rests on can be a promise the server
forgets.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from ..bugs import PersistAfterReply
from ..cluster import Cluster
from ..core import (AppendEntries, AppendEntriesReply, Entry, PersistentState, RaftNode,
                    RequestVote, RequestVoteReply)
from ..errors import SafetyViolation
from .agreement import one
from .common import (RUN_LIMIT, CheckFailed, LearnerError, exactly_bool, fresh, guard,
                     learner_class, learner_function, node_class)
from .messages import RULE, Msg, say
from .runs import rng, run_seeds

FIGURE2 = Msg("rule_persistent")
PERSISTENT = ("current_term", "voted_for", "log")
#: Volatile fields a learner may name by mistake, and why each is not persisted.
VOLATILE = {field: Msg(f"volatile_{field}") for field in (
    "commit_index", "last_applied", "next_index", "match_index", "role", "leader_id",
    "votes_received")}
HINTS = {
    "Election Safety": Msg("hint_persist_election_safety", "rule_persistent"),
    "Leader Completeness": Msg("hint_persist_leader_completeness", "rule_persistent"),
    "State Machine Safety": Msg("hint_persist_state_machine_safety", "rule_persistent"),
}
DISK = (0.005, 0.06)   # seconds per write: windows long enough to crash in


# ------------------------------------------------------------- Q1: the fields
def _fields(value: Any) -> set[str]:
    if not isinstance(value, (set, frozenset, list, tuple)) or \
            any(not isinstance(v, str) for v in value):
        raise CheckFailed(say("p_not_a_set", value=value))
    known = set(PERSISTENT) | set(VOLATILE)
    unknown = sorted(set(value) - known)
    if unknown:
        raise CheckFailed(say("p_unknown", unknown=unknown, known=sorted(known)))
    return set(value)


class _Keeps(RaftNode):
    """A server that saves only the fields in ``keeps`` (the others come back empty)."""

    keeps: frozenset = frozenset(PERSISTENT)

    def persistent_state(self) -> PersistentState:
        return PersistentState(self.current_term if "current_term" in self.keeps else 0,
                               self.voted_for if "voted_for" in self.keeps else None,
                               tuple(self.log) if "log" in self.keeps else ())


def _restarted(node: RaftNode) -> RaftNode:
    again = type(node)(node.id, [node.id, *node.peers])
    again.restore(node.persistent_state())
    again.outbox.clear()
    return again


def _forgets(keeps: set[str]) -> str | None:
    """Evidence that a server persisting only ``keeps`` breaks a promise, or None."""
    cls = type("Keeps", (_Keeps,), {"keeps": frozenset(keeps)})
    voter = fresh(cls, n=3, log=[1])
    voter.receive(RequestVote("S2", "S1", 3, "S2", 1, 1))
    again = _restarted(voter)
    again.receive(RequestVote("S3", "S1", 3, "S3", 1, 1))
    if again.outbox and again.outbox[-1].vote_granted:
        return say("p_forgot_vote")
    follower = fresh(cls, n=3, log=[1], current_term=1)
    follower.receive(AppendEntries("S2", "S1", 1, "S2", 1, 1, (Entry(1, "x"),), 1))
    again = _restarted(follower)
    if len(again.log) < 2:
        return say("p_forgot_entry")
    return None


def persistent_fields(persistent: Any, full: bool = False) -> None:
    """Question 1: ``PERSISTENT``, the set of fields Figure 2 puts on stable storage."""
    keeps = _fields(persistent)
    extra = sorted(keeps - set(PERSISTENT))
    if extra:
        raise CheckFailed(" ".join(str(VOLATILE[f]) for f in extra) + f"\n{RULE}{FIGURE2}")
    missing = sorted(set(PERSISTENT) - keeps)
    if not missing:
        return
    evidence = _forgets(keeps)
    if evidence is None and not full:
        return
    raise CheckFailed(say("p_missing", missing=missing, evidence=evidence or say("p_blank"))
                      + f"\n{RULE}{FIGURE2}")


# ------------------------------------------- Q2: persistent_state and restore
def _both(persistent_state: Callable, restore: Callable) -> type:
    learner_function(persistent_state, "persistent_state")
    learner_function(restore, "restore")
    return node_class(persistent_state=persistent_state, restore=restore)


def _saved(node: RaftNode) -> PersistentState:
    state = node.persistent_state()
    if not isinstance(state, PersistentState):
        raise CheckFailed(say("p_not_state", state=state))
    return state


def _round_trip(cls: type) -> None:
    node = fresh(cls, n=3, log=[1, 1, 2], current_term=4, voted_for="S2", commit_index=2,
                 last_applied=2)
    state = _saved(node)
    if (state.current_term, state.voted_for) != (4, "S2") or list(state.log) != node.log:
        raise CheckFailed(say("p_wrong_state", state=state) + f"\n{RULE}{FIGURE2}")
    again = cls("S1", ["S1", "S2", "S3"])
    again.restore(state)
    got = (again.current_term, again.voted_for, list(again.log))
    if got != (4, "S2", node.log):
        raise CheckFailed(say("p_restore_three", state=state, got=got))
    if (again.commit_index, again.last_applied, again.role) != (0, 0, "follower"):
        raise CheckFailed(say("p_volatile_restored", commit=again.commit_index,
                              applied=again.last_applied, role=again.role))


def _snapshot(cls: type) -> None:
    node = fresh(cls, n=3, log=[1, 1], current_term=2)
    state = _saved(node)
    node.log.append(Entry(2, "later"))
    node.log[0] = Entry(9, "changed")
    if len(state.log) != 2 or state.log[0] != Entry(1, "c1"):
        raise CheckFailed(say("p_live_log"))
    again = cls("S1", ["S1", "S2", "S3"])
    again.restore(state)
    if not isinstance(again.log, list):
        raise CheckFailed(say("p_log_not_list", kind=type(again.log).__name__))
    again.log.append(Entry(3, "new"))
    if len(state.log) != 2:
        raise CheckFailed(say("p_log_shared"))


def _crash_runs(in_window: bool) -> Callable[[type, int], None]:
    """The cluster scenario of Question 2 (crashes at any moment) or 3 (only while a
    disk write is under way), for :func:`~raftlib.checks.runs.run_seeds`."""
    def run(cls: type, seed: int) -> None:
        c = Cluster(3, seed=seed, node_class=cls, check_every_event=True, storage_latency=DISK)
        c.spawn(_crasher(c, rng(f"persist:{in_window}", seed), in_window=in_window))
        c.spawn(_submitter(c))
        c.run(3.0)
        _live(c, seed)
    run.__doc__ = ("Crashes in the middle of disk writes" if in_window else
                   "Crashes and restarts at random moments") + " while commands commit (3 servers)"
    run.__name__ = "crashes_in_writes" if in_window else "crashes_anytime"  # its message key
    return run


def persist_and_restore(persistent_state: Callable, restore: Callable,
                        full: bool = False) -> None:
    """Question 2: ``persistent_state(self)`` and ``restore(self, state)``."""
    cls = _both(persistent_state, restore)
    _round_trip(cls)
    if not full:
        return
    _snapshot(cls)
    run_seeds(_crash_runs(in_window=False), cls, range(6), HINTS)


# --------------------------------------------- Q3: which messages must wait
def _hold(cls: type, message: Any) -> bool:
    node = fresh(cls, n=3, log=[1], current_term=2)
    return exactly_bool(node.hold_until_persisted(message),
                        f"hold_until_persisted({message})")


MUST_WAIT = (
    (RequestVoteReply("S1", "S2", 2, True), Msg("p_wait_vote")),
    (AppendEntriesReply("S1", "S2", 2, True, 2, None, None), Msg("p_wait_ack")),
    (RequestVote("S1", "S2", 3, "S1", 1, 1), Msg("p_wait_request_vote")),
    (AppendEntries("S1", "S2", 2, "S1", 1, 1, (Entry(2, "x"),), 1), Msg("p_wait_entries")),
)


def hold_rules(hold_until_persisted: Callable, full: bool = False) -> None:
    """Question 3: ``hold_until_persisted(self, message)``, True for every message that
    rests on state not yet on disk."""
    cls = learner_class("hold_until_persisted", hold_until_persisted)
    for message, why in MUST_WAIT if full else MUST_WAIT[:2]:
        if not _hold(cls, message):
            raise CheckFailed(say("p_must_wait", message=message, why=why)
                              + f"\n{RULE}{FIGURE2}")
    for message in (RequestVoteReply("S1", "S2", 2, False),
                    AppendEntriesReply("S1", "S2", 2, False, 0, 1, 1)):
        _hold(cls, message)  # a refusal promises nothing: either answer is fine
    if full:
        run_seeds(_crash_runs(in_window=True), cls, range(12), HINTS)


# ------------------------------------------------ Q4: the learner's schedule
WINDOW_DISK = (0.05, 0.05)


def window_cluster(node_class: type, seed: int) -> Cluster:
    """The cluster Question 4's schedule drives: 3 servers, 50 ms disk writes, every
    safety property checked after each event."""
    return Cluster(3, seed=seed, node_class=node_class, storage_latency=WINDOW_DISK,
                   check_every_event=True)


def _violation(run: Callable, cls: type, seed: int) -> SafetyViolation | None:
    """Run the learner's schedule; the violation the cluster's monitor raised, if any."""
    c = window_cluster(cls, seed)
    try:
        run(c)
        c.check()
    except LearnerError as e:
        found = e.__cause__
        if not isinstance(found, SafetyViolation):
            raise
    except SafetyViolation as e:
        found = e
    else:
        return None
    tb = found.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or not tb.tb_frame.f_code.co_filename.endswith("safety.py"):
        raise CheckFailed(say("p_own_violation"))
    return found


def crash_schedule(crash_in_the_window: Callable, full: bool = False) -> None:
    """Question 4: ``crash_in_the_window(c)`` drives a fresh :func:`window_cluster` so that
    ``bugs.PersistAfterReply`` breaks a safety property and the correct server does not."""
    learner_function(crash_in_the_window, "crash_in_the_window")
    if "scenarios" in code_names(crash_in_the_window.__code__):
        raise CheckFailed(say("p_no_scenarios"))
    run = guard(crash_in_the_window, "crash_in_the_window", limit=RUN_LIMIT)
    seeds = range(3) if full else range(1)
    for seed in seeds:
        if _violation(run, PersistAfterReply, seed) is None:
            raise CheckFailed(say("p_not_caught", seed=seed))
    if not full:
        return
    for seed in seeds:
        found = _violation(run, RaftNode, seed)
        if found is not None:
            raise CheckFailed(say("p_breaks_correct", seed=seed, found=found))


def code_names(code: Any) -> set[str]:
    """The global and attribute names a function's code (and its inner functions) uses."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= code_names(const)
    return names


# ------------------------------------------------------------ shared runs
def _crasher(c: Cluster, r: random.Random, *, in_window: bool):
    """Crash one server at a time, back 0-50 ms later; with ``in_window``, only while a
    disk write is under way (the moment an early reply can be forgotten)."""
    back: dict[str, float] = {}
    while c.now < 2.5:
        yield 0.002
        for sid, when in list(back.items()):
            if c.now >= when:
                del back[sid]
                c.restart(sid)
        if back:
            continue
        chosen = [s for s in c.nodes if c.writing(s)] if in_window else c.nodes
        if chosen and r.random() < (0.1 if in_window else 0.01):
            sid = r.choice(chosen)
            c.crash(sid)
            back[sid] = c.now + r.uniform(0.0, 0.05)
    for sid in back:
        c.restart(sid)


def _submitter(c: Cluster):
    i = 0
    while c.now < 2.5:
        yield 0.02
        leader = c.leader()
        if leader is not None:
            i += 1
            c.submit(f"w{i}", to=leader)


def _live(c: Cluster, seed: int) -> None:
    one(c, ("after", seed), len(c.nodes), within=5.0)


__all__ = ["MUST_WAIT", "PERSISTENT", "code_names", "crash_schedule", "hold_rules", "persist_and_restore",
           "persistent_fields", "window_cluster"]
