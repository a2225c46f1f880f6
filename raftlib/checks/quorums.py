"""Exercise 01: majorities, failures tolerated, quorum intersection and availability.

Each question grades one function with the reference versions of the
learner's other functions (:func:`~raftlib.checks.common.isolate`), so a
mistake in ``majority`` costs question 1 only.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from typing import Any, Callable

from .messages import say
from .common import RUN_LIMIT, CheckFailed, exactly_bool, guard, isolate, learner_function


def ref_majority(n: int) -> int:
    return n // 2 + 1


def ref_tolerated(n: int) -> int:
    return (n - 1) // 2


def ref_majorities(servers: list[str]) -> list[frozenset]:
    need = ref_majority(len(servers))
    return [frozenset(q) for k in range(need, len(servers) + 1)
            for q in itertools.combinations(servers, k)]


def ref_intersect(a: Any, b: Any) -> bool:
    return bool(set(a) & set(b))


def ref_always_intersect(quorums: list) -> bool:
    return all(ref_intersect(a, b) for a, b in itertools.combinations(quorums, 2))


def ref_availability(n: int, p: float) -> float:
    """Probability that a majority of ``n`` servers is up, each down with probability ``p``."""
    need = ref_majority(n)
    return sum(math.comb(n, k) * (1 - p) ** k * p ** (n - k) for k in range(need, n + 1))


REFERENCE = {"majority": ref_majority, "tolerated": ref_tolerated, "majorities": ref_majorities,
             "intersect": ref_intersect, "always_intersect": ref_always_intersect,
             "availability": ref_availability}


def _prepare(fn: Callable, name: str) -> Callable:
    others = {k: v for k, v in REFERENCE.items() if k != name}
    learner_function(fn, name, frozenset(others))
    return guard(isolate(fn, **others), name, lambda *args: say("for_args", args=args), RUN_LIMIT)


def _int_answer(fn: Callable, name: str, n: int, want: int, rule: str) -> None:
    got = fn(n)
    if type(got) is not int or got != want:
        raise CheckFailed(say("q_int", name=name, n=n, got=got, want=want, rule=rule))


def sizes(majority: Callable, tolerated: Callable, full: bool = False) -> None:
    """Question 1: ``majority(n)`` and ``tolerated(n)``."""
    m = _prepare(majority, "majority")
    t = _prepare(tolerated, "tolerated")
    rule_m, rule_t = say("rule_majority_n"), say("rule_tolerated")
    ns = [3, 5] if not full else list(range(1, 100))
    for n in ns:
        _int_answer(m, "majority", n, ref_majority(n), rule_m)
        _int_answer(t, "tolerated", n, ref_tolerated(n), rule_t)


def _quorum_set(value: Any, what: str, servers: list[str]) -> set[frozenset]:
    if type(value) not in (list, tuple, set):
        raise CheckFailed(say("q_list_of_sets", what=what, kind=type(value).__name__))
    found = set()
    for q in value:
        if type(q) not in (set, frozenset, list, tuple) or not set(q) <= set(servers) or \
                len(set(q)) != len(q):
            raise CheckFailed(say("q_bad_quorum", what=what, q=q, servers=servers))
        found.add(frozenset(q))
    if len(found) != len(value):
        raise CheckFailed(say("q_twice", what=what))
    return found


def intersection(majorities: Callable, intersect: Callable, always_intersect: Callable,
                 full: bool = False) -> None:
    """Question 2: every majority, whether two quorums meet, whether all pairs meet."""
    mj = _prepare(majorities, "majorities")
    it = _prepare(intersect, "intersect")
    al = _prepare(always_intersect, "always_intersect")
    cases = [(["S1", "S2", "S3"], {"S1", "S2"}, {"S2", "S3"}), (["S1", "S2", "S3"], {"S1"}, {"S3"})]
    if full:
        cases += [([f"S{i}" for i in range(1, n + 1)], {"S1", "S2"}, {"S3", "S4"})
                  for n in range(1, 8)]
        cases += [(["S1", "S2", "S3", "S4", "S5"], {"S1", "S2", "S3"}, {"S3", "S4", "S5"}),
                  (["S1", "S2", "S3", "S4", "S5"], set(), {"S1"})]
    for servers, a, b in cases:
        got = _quorum_set(mj(list(servers)), f"majorities({servers})", servers)
        want = set(ref_majorities(servers))
        if got != want:
            missing = sorted(map(sorted, want - got))[:3]
            extra = sorted(map(sorted, got - want))[:3]
            raise CheckFailed(say("q_majorities", servers=servers, missing=missing, extra=extra,
                                  need=ref_majority(len(servers)), n=len(servers)))
        for x, y in ((a, b), (b, a)):
            r = exactly_bool(it(set(x), set(y)), f"intersect({sorted(x)}, {sorted(y)})")
            if r != ref_intersect(x, y):
                raise CheckFailed(say("q_intersect", x=sorted(x), y=sorted(y), r=r))
        quorums = [set(q) for q in ref_majorities(servers)]
        r = exactly_bool(al(quorums), f"always_intersect(majorities of {len(servers)})")
        if r is not True:
            raise CheckFailed(say("q_always_majorities", servers=servers, r=r))
    if full:
        for n in (2, 4, 6):
            servers = [f"S{i}" for i in range(1, n + 1)]
            halves = [set(q) for q in itertools.combinations(servers, n // 2)]
            r = exactly_bool(al(halves), f"always_intersect(halves of {n})")
            if r is not False:
                raise CheckFailed(say("q_always_halves", half=n // 2, n=n, r=r))
        r = exactly_bool(al([{"S1"}]), "always_intersect([{'S1'}])")
        if r is not True:
            raise CheckFailed(say("q_always_single"))


def _close(got: Any, want: float, what: str) -> None:
    if type(got) not in (float, int) or not math.isfinite(got) or abs(got - want) > 1e-9:
        raise CheckFailed(say("q_availability", what=what, got=got, want=want))


def availability(availability: Callable, full: bool = False) -> None:
    """Question 3: the probability that a majority is up."""
    av = _prepare(availability, "availability")
    cases = [(3, 0.1), (5, 0.1)]
    if full:
        cases += [(n, p) for n in (1, 2, 3, 4, 5, 6, 7, 9) for p in (0.0, 0.01, 0.2, 0.5, 0.9, 1.0)]
    for n, p in cases:
        _close(av(n, p), ref_availability(n, p), f"availability({n}, {p})")
    if full:
        for p in (0.05, 0.1, 0.3):
            three, four = av(3, p), av(4, p)
            if not four < three:
                raise CheckFailed(say("q_four", p=p, four=four, three=three))


def plot(availability_plot: Callable, full: bool = False) -> None:
    """Question 4: the availability plot for n = 1, 3, 5, 7 (with the reference formula)."""
    import matplotlib.figure
    import matplotlib.pyplot as plt
    import numpy as np

    fn = _prepare(availability_plot, "availability_plot")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = fn()
    try:
        if not isinstance(fig, matplotlib.figure.Figure):
            raise CheckFailed(say("q_not_figure", kind=type(fig).__name__))
        axes = fig.get_axes()
        if len(axes) != 1:
            raise CheckFailed(say("q_one_axes", count=len(axes)))
        ax = axes[0]
        if not ax.get_xlabel().strip() or not ax.get_ylabel().strip():
            raise CheckFailed(say("q_labels"))
        if ax.get_legend() is None:
            raise CheckFailed(say("q_legend"))
        lines = {}
        for line in ax.get_lines():
            numbers = [int(x) for x in re.findall(r"\d+", str(line.get_label()))]
            for n in numbers:
                lines.setdefault(n, line)
        for n in (1, 3, 5, 7):
            if n not in lines:
                raise CheckFailed(say("q_no_line", n=n, labels=[l.get_label() for l in ax.get_lines()]))
            x = np.asarray(lines[n].get_xdata(), dtype=float)
            y = np.asarray(lines[n].get_ydata(), dtype=float)
            if x.shape != y.shape or x.size < 10 or x.min() > 0.01 or x.max() < 0.49:
                raise CheckFailed(say("q_points", n=n))
            want = np.array([ref_availability(n, float(p)) for p in x])
            if not np.allclose(y, want, atol=1e-6):
                worst = int(np.argmax(np.abs(y - want)))
                raise CheckFailed(say("q_line_value", n=n, p=x[worst], got=y[worst],
                                      want=want[worst]))
        if full and ax.get_ylim()[1] < 0.99:
            raise CheckFailed(say("q_ylim"))
    finally:
        if isinstance(fig, matplotlib.figure.Figure):
            plt.close(fig)


__all__ = ["availability", "intersection", "plot", "sizes"]
