"""Exercise 06: questions answered by running the simulator.

The learner's function builds and runs a :class:`~raftlib.Cluster` and returns
it; the check reads what happened from the cluster's own trace (which learner
code cannot write: graded code may not touch ``_`` names or assign to
attributes) and from its final state, and re-runs the safety check.
"""

from __future__ import annotations

from typing import Any, Callable

from ..cluster import Cluster
from ..core import LEADER, RaftNode
from .messages import say
from .common import RUN_LIMIT, CheckFailed, exactly_bool, guard, learner_function

_T, _EVENT, _SERVER, _PEER, _TYPE, _TERM, _SENT, _DETAIL = range(8)


def _run(fn: Callable, name: str) -> Cluster:
    learner_function(fn, name)
    c = guard(fn, name, limit=RUN_LIMIT)()
    if type(c) is not Cluster:
        raise CheckFailed(say("sc_not_cluster", name=name, kind=type(c).__name__))
    if c.node_class is not RaftNode or c.nodes != ["S1", "S2", "S3", "S4", "S5"]:
        raise CheckFailed(say("sc_five", name=name, c=c, cls=c.node_class.__name__))
    c.check()
    return c


def _rows(c: Cluster, event: str, server: str | None = None) -> list[tuple]:
    return [r for r in c.trace_rows()
            if r[_EVENT] == event and (server is None or r[_SERVER] == server)]


def _became_leader(c: Cluster, server: str, after: float,
                   before: float = float("inf")) -> list[float]:
    return [r[_T] for r in _rows(c, "role", server)
            if r[_DETAIL] == LEADER and after <= r[_T] <= before]


def _d1(c: Cluster) -> tuple[int, float, float]:
    """Where D1 went: its index, when S1 (as leader) took it, when S1 applied it."""
    submits = [r for r in _rows(c, "submit", "S1")
               if isinstance(r[_DETAIL], int) and r[_DETAIL] > 0]
    for row in submits:
        index = row[_DETAIL]
        entry = c["S1"].log[index - 1] if index <= len(c["S1"].log) else None
        if entry is not None and entry.command == "D1" and type(entry.command) is str:
            applied = [r[_T] for r in _rows(c, "apply", "S1")
                       if r[_T] >= row[_T] and r[_DETAIL] >= index]
            if not applied:
                raise CheckFailed(say("sc_not_applied"))
            return index, row[_T], applied[0]
    raise CheckFailed(say("sc_no_d1"))


def _crashed_after(c: Cluster, server: str, t: float) -> float:
    times = [r[_T] for r in _rows(c, "crash", server) if r[_T] >= t]
    if not times or c.up[server]:
        raise CheckFailed(say("sc_must_crash", server=server))
    return times[0]


def _acks_only(c: Cluster, index: int, start: float, end: float) -> None:
    carried = {r[_SERVER] for r in c.trace_rows()
               if r[_EVENT] == "deliver" and r[_TYPE] == "AppendEntries" and r[_PEER] == "S1"
               and start <= r[_T] <= end and isinstance(r[_DETAIL], int) and r[_DETAIL] > 0}
    if carried != {"S2", "S3"}:
        raise CheckFailed(say("sc_acks", carried=sorted(carried)))


def _has_d1(c: Cluster, server: str, index: int) -> bool:
    log = c[server].log
    return len(log) >= index and log[index - 1].command == "D1"


def s4_question(s4_question: Callable, s4_can_be_leader: Any, full: bool = False) -> None:
    """Question 1: the seed's question, run; and the typed answer about S4."""
    answer = exactly_bool(s4_can_be_leader, "s4_can_be_leader")
    c = _run(s4_question, "s4_question")
    index, took, committed = _d1(c)
    crash1 = _crashed_after(c, "S1", committed)
    crash2 = _crashed_after(c, "S2", committed)
    _acks_only(c, index, took, min(crash1, crash2))
    after = max(crash1, crash2)
    if c.now < after + 1.0:
        raise CheckFailed(say("sc_run_longer", ended=c.now - after))
    if _became_leader(c, "S4", after):
        raise CheckFailed(say("sc_s4_leader"))
    if not _became_leader(c, "S3", after):
        raise CheckFailed(say("sc_s3_not_leader"))
    if not all(_has_d1(c, s, index) for s in ("S3", "S4", "S5")):
        raise CheckFailed(say("sc_hold_d1", index=index))
    if answer is not False:
        raise CheckFailed(say("sc_s4_answer"))


def s3_also_down(s3_also_down: Callable, two_of_five_elect: Any, full: bool = False) -> None:
    """Question 2: S1, S2 and S3 down: no leader; S3 back: the cluster recovers with D1."""
    answer = exactly_bool(two_of_five_elect, "two_of_five_elect")
    c = _run(s3_also_down, "s3_also_down")
    index, took, committed = _d1(c)
    crashes = [r[_T] for r in c.trace_rows() if r[_EVENT] == "crash" and r[_T] >= committed]
    down = {r[_SERVER] for r in c.trace_rows() if r[_EVENT] == "crash" and r[_T] >= committed}
    if not {"S1", "S2", "S3"} <= down:
        raise CheckFailed(say("sc_crash_three", down=sorted(down)))
    last_crash = max(crashes)
    restarts = [r[_T] for r in _rows(c, "restart", "S3") if r[_T] > last_crash]
    if not restarts:
        raise CheckFailed(say("sc_restart_s3"))
    back = restarts[0]
    if back - last_crash < 2.0:
        raise CheckFailed(say("sc_wait", waited=back - last_crash))
    early = [s for s in ("S4", "S5") if _became_leader(c, s, last_crash, back)]
    if early:
        raise CheckFailed(say("sc_early", early=early))
    if not any(_became_leader(c, s, back) for s in ("S3", "S4", "S5")):
        raise CheckFailed(say("sc_no_leader_back"))
    if not all(_has_d1(c, s, index) for s in ("S3", "S4", "S5")):
        raise CheckFailed(say("sc_hold_d1_disk", index=index))
    if answer is not False:
        raise CheckFailed(say("sc_two_answer"))


def symmetry(no_randomness: Callable, with_randomness: Callable, full: bool = False) -> None:
    """Question 3: equal election timeouts never elect; random ones do (§5.2)."""
    fixed = _run(no_randomness, "no_randomness")
    low, high = fixed.election_timeout
    if low != high:
        raise CheckFailed(say("sc_equal_bounds", used=fixed.election_timeout))
    if fixed.now < 2.0:
        raise CheckFailed(say("sc_run_2s"))
    if any(r[_DETAIL] == LEADER for r in _rows(fixed, "role")):
        raise CheckFailed(say("sc_fixed_elected"))
    terms = max(fixed[s].current_term for s in fixed.nodes)
    if terms < 5:
        raise CheckFailed(say("sc_few_terms", terms=terms))
    rand = _run(with_randomness, "with_randomness")
    low, high = rand.election_timeout
    if not high > low or rand.seed != fixed.seed:
        raise CheckFailed(say("sc_same_seed", seed=fixed.seed, used_seed=rand.seed,
                              used=rand.election_timeout))
    firsts = [r[_T] for r in _rows(rand, "role") if r[_DETAIL] == LEADER]
    if not firsts or firsts[0] > 1.0:
        raise CheckFailed(say("sc_random_elects"))


__all__ = ["s3_also_down", "s4_question", "symmetry"]
