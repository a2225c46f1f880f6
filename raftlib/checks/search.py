"""Search-based grading: explore a learner's handler on 3 servers within a time budget.

:func:`explore_handler` puts the learner's function into a ``RaftNode`` subclass
(:func:`~.common.learner_class`) and runs :func:`raftlib.explore` over a few bounds,
small to large, until one shows a violation or the budget is spent. A violation
becomes :class:`SearchFailed`, whose message holds the (shortest, for breadth-first
bounds) trace as text and whose ``result`` replays it: ``rl.show(e.result.cluster())``.
"""

from __future__ import annotations

import time
from typing import Any

from ..explore import ExploreResult, explore
from ..explore.catalogue import SMALL
from .common import CheckFailed, learner_class

#: Bounds tried in order: elections only, two terms, one entry with a crash, then random
#: walks through four terms with two commands for whatever budget is left.
BOUNDS: tuple[dict, ...] = (
    dict(max_term=1, max_log=0, max_in_flight=2, crashes=0, commands=()),
    dict(max_term=2, max_log=0, max_in_flight=2, crashes=0, drops=False, commands=()),
    SMALL,
    dict(max_term=4, max_log=1, max_in_flight=2, crashes=0, commands=("x", "y"),
         strategy="random"),
)


class SearchFailed(CheckFailed):
    """The search found a run of the learner's handler that breaks a safety property;
    ``result`` is the :class:`~raftlib.explore.ExploreResult` (``result.cluster()`` replays it)."""

    def __init__(self, message: str, result: ExploreResult) -> None:
        super().__init__(message)
        self.result = result


def explore_handler(name: str, fn: Any, *, budget: float = 20.0) -> list[ExploreResult]:
    """Explore the ``RaftNode`` whose method ``name`` is the learner's ``fn``; raise
    :class:`SearchFailed` on a violation, else return the results of the bounds searched."""
    cls = learner_class(name, fn)
    deadline = time.perf_counter() + budget
    results = []
    for bound in BOUNDS:
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        r = explore(3, node_class=cls, time_limit=left, **{k: v for k, v in bound.items()
                                                            if k != "n"})
        results.append(r)
        if r.violation is not None:
            raise SearchFailed(
                f"Searching the runs of 3 servers that use your `{name}` found one that "
                f"breaks {r.violation.prop} ({len(r.trace)} steps, {r.states} states "
                f"searched):\n{r.transcript()}\n\nTo step through it: "
                f"`rl.show(e.result.cluster())` where `e` is this error.", r)
    return results
