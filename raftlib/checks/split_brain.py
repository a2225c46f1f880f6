"""Exercise 02: predict what the naive primary/backup does, show its split brain,
then state the majority rule and watch Raft's simulator agree with it."""

from __future__ import annotations

import itertools
from typing import Any, Callable

from ..cluster import Cluster
from ..primary_backup import PrimaryBackup
from .messages import Msg, say
from .common import RUN_LIMIT, CheckFailed, exactly_bool, guard, learner_function

#: The predictions asked for: name -> (what happens, explanation when the prediction is wrong).
#: situation -> (what happens, why the primaries are what they are), in the learner's language.
SITUATIONS = {name: (Msg(f"sb_{name}"), Msg(f"sb_{name}_why"))
              for name in ("p1_cut_off", "p2_cut_off", "ts_and_p1_crash")}


def situation(name: str, seed: int) -> PrimaryBackup:
    """Run one situation of :data:`SITUATIONS` on a fresh system and return it."""
    pb = PrimaryBackup(seed=seed)
    pb.run(0.3)
    if name == "p1_cut_off":
        pb.partition(["P1"], ["P2", "TS"])
    elif name == "p2_cut_off":
        pb.partition(["P1", "TS"], ["P2"])
    else:
        pb.crash("TS")
        pb.run(0.1)
        pb.crash("P1")
    pb.run(1.0)
    return pb


def _replicas(value: Any, what: str) -> set[str]:
    if type(value) not in (list, tuple, set) or any(type(v) is not str for v in value):
        raise CheckFailed(say("sb_not_replicas", what=what, value=value))
    return set(value)


def predictions(predicted: Any, full: bool = False) -> None:
    """Question 1: ``predicted`` maps each situation to the replicas that act as primary."""
    if type(predicted) is not dict:
        raise CheckFailed(say("sb_not_a_dict", kind=type(predicted).__name__))
    names = list(SITUATIONS) if full else ["p1_cut_off"]
    for name in names:
        if name not in predicted:
            raise CheckFailed(say("sb_no_entry", name=name))
        guess = _replicas(predicted[name], f"predicted[{name!r}]")
        for seed in (range(1, 6) if full else [1]):
            actual = set(situation(name, seed).primaries())
            if guess != actual:
                what, why = SITUATIONS[name]
                raise CheckFailed(say("sb_predicted", what=what, guess=sorted(guess), seed=seed,
                                      actual=sorted(actual), why=why))


def split_brain(split_brain_run: Callable, full: bool = False) -> None:
    """Question 2: the learner's run shows two primaries accepting conflicting writes."""
    learner_function(split_brain_run, "split_brain_run")
    pb = guard(split_brain_run, "split_brain_run", limit=RUN_LIMIT)()
    if type(pb) is not PrimaryBackup:
        raise CheckFailed(say("sb_not_pb", kind=type(pb).__name__))
    if not any(r[1] == "partition" for r in pb.trace_rows()):
        raise CheckFailed(say("sb_no_partition"))
    writes = pb.writes()
    accepted = writes[writes["as"] == "primary"]
    by_key = {}
    for row in accepted.itertuples(index=False):
        by_key.setdefault(row.key, {}).setdefault(row.replica, set()).add(repr(row.value))
    conflicts = [key for key, replicas in by_key.items()
                 if len(replicas) >= 2 and len(set().union(*replicas.values())) >= 2]
    if not conflicts:
        raise CheckFailed(say("sb_no_conflict"))
    key = conflicts[0]
    final = {r: pb.data(r).get(key) for r in pb.replica_ids}
    if len({repr(v) for v in final.values()}) < 2:
        raise CheckFailed(say("sb_agree", key=key, final=final))


def majority_rule(can_commit: Callable, full: bool = False) -> None:
    """Question 3: ``can_commit(side, n)`` against Raft runs on every partition side."""
    learner_function(can_commit, "can_commit")
    fn = guard(can_commit, "can_commit", lambda *a: say("for_args", args=a))
    # Even sizes too: there exactly half is not a majority ("half is enough" must fail).
    sizes = (3, 4, 5, 6) if full else (4, 5)
    for n in sizes:
        nodes = [f"S{i}" for i in range(1, n + 1)]
        sides = [list(s) for k in range(1, n + 1) for s in itertools.combinations(nodes, k)]
        if not full:
            sides = [nodes[:n // 2], nodes[:n // 2 + 1]]
        elif n == 6:  # 63 sides would take long: every size once, in two different places
            sides = [nodes[:k] for k in range(1, 7)] + [nodes[-k:] for k in range(1, 6)]
        for side in sides:
            said = exactly_bool(fn(list(side), n), f"can_commit({side}, {n})")
            if said != _raft_commits(side, n, seed=len(side)):
                raise CheckFailed(say("sb_can_commit_" + ("no" if said else "yes"), side=side,
                                      n=n, said=said))


def _raft_commits(side: list[str], n: int, seed: int) -> bool:
    """Whether Raft servers ``side``, cut off from the rest, commit a new command."""
    c = Cluster(n, seed=seed)
    rest = [s for s in c.nodes if s not in side]
    if rest:
        c.partition(side, rest)
    c.run(1.0)
    leader = next((s for s in side if c[s].role == "leader"), None)
    if leader is None:
        c.timeout(side[0])
        c.run(0.5)
        leader = next((s for s in side if c[s].role == "leader"), None)
    if leader is None:
        return False
    index, _, _ = c.submit("w", to=leader)
    c.run(1.0)
    return c[leader].commit_index >= index


__all__ = ["SITUATIONS", "majority_rule", "predictions", "situation", "split_brain"]
