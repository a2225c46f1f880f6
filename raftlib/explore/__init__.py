"""Exhaustive exploration of small Raft clusters: a bounded model checker for RaftNode.

>>> import raftlib as rl
>>> r = rl.explore(2, max_term=1, max_log=0, crashes=0)
>>> r.complete, r.violation
(True, None)

:func:`explore` searches every interleaving of a small configuration (every
order of deliveries, drops, timeouts, crashes and requests, within the bounds)
and checks the properties of :mod:`raftlib.safety` after every step. A
counterexample comes back as a trace that :meth:`ExploreResult.cluster` replays
on a real :class:`~raftlib.Cluster`. See :mod:`.model` for the states and steps.

States that differ only in the servers' names are explored once
(:mod:`.symmetry`; ``symmetry=False`` turns it off), and with drops the replies
no later state can act on are dropped at once (:mod:`.dead`; ``reduce=False``
turns it off); traces are always concrete.
"""

from __future__ import annotations

import time
from typing import Any

from ..core import RaftNode
from ..errors import ConfigError
from .dead import NotMonotone
from .model import Model
from .result import ExploreResult, cluster_state
from .search import search
from .steps import Step

__all__ = ["explore", "ExploreResult", "Step", "cluster_state", "STRATEGIES"]

STRATEGIES = ("bfs", "dfs", "random")


def _count(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{name} must be an int >= {low}, got {value!r}")
    return value


def explore(n: int = 3, *, node_class: type = RaftNode, max_term: int = 3, max_log: int = 2,
            max_in_flight: int = 2, commands: tuple = ("x", "y"), crashes: int = 1,
            drops: bool = True, duplicates: bool = False, strategy: str = "bfs",
            time_limit: float = 60.0, seed: int = 0, symmetry: bool = True,
            reduce: bool = True) -> ExploreResult:
    """Search the states of ``n`` servers of ``node_class`` within the bounds.

    ``max_term``: highest term a server may reach; ``max_log``: longest log;
    ``max_in_flight``: messages in flight on one link (one direction); ``commands``:
    the client requests, given in order to whichever server is leader; ``crashes``:
    how many crashes may happen; ``drops``/``duplicates``: whether the network may
    lose/duplicate messages. ``strategy``: "bfs" (shortest counterexample; with
    ``drops`` and ``reduce``, shortest but for the drops of dead messages it puts
    back, :mod:`.dead`: ``reduce=False`` gives the strictly shortest), "dfs",
    or "random" (seeded random walks, never complete). The search stops at the
    first violation or after ``time_limit`` seconds. ``symmetry``: explore states
    that differ only in server names once (:mod:`.symmetry`); ``reduce``: with
    ``drops``, bfs and dfs drop at once the replies no later state can act on
    (:mod:`.dead`).
    """
    _count("n", n, 1)
    if not (isinstance(node_class, type) and issubclass(node_class, RaftNode)):
        raise ConfigError(f"node_class must be RaftNode or a subclass of it, got {node_class!r}")
    _count("max_term", max_term, 0)
    _count("max_log", max_log, 0)
    _count("max_in_flight", max_in_flight, 1)
    _count("crashes", crashes, 0)
    if isinstance(commands, (str, bytes)) or not isinstance(commands, (tuple, list)):
        raise ConfigError(f"commands must be a tuple of client commands, e.g. ('x', 'y'), "
                          f"got {commands!r}")
    try:
        hash(tuple(commands))
    except TypeError:
        raise ConfigError(f"commands must be hashable values (str, int, tuple), "
                          f"got {commands!r}") from None
    for name, flag in (("drops", drops), ("duplicates", duplicates), ("symmetry", symmetry),
                       ("reduce", reduce)):
        if not isinstance(flag, bool):
            raise ConfigError(f"{name} must be True or False, got {flag!r}")
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or \
            not 0 < time_limit < float("inf"):
        raise ConfigError(f"time_limit must be a number of seconds > 0, got {time_limit!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    settings = dict(n=n, node_class=node_class, max_term=max_term, max_log=max_log,
                    max_in_flight=max_in_flight, commands=tuple(commands), crashes=crashes,
                    drops=drops, duplicates=duplicates, strategy=strategy,
                    time_limit=time_limit, seed=seed, symmetry=symmetry, reduce=reduce)
    start = time.perf_counter()
    model = _model(settings, reduce)
    try:
        out = search(model, strategy, float(time_limit), seed)
    except NotMonotone:  # the class breaks an assumption of .dead: search without it
        model = _model(settings, False)
        out = search(model, strategy, max(start + time_limit - time.perf_counter(), 1e-3), seed)
    if out.violation is not None:
        labels, final, violation = model.concretize(out.path(), out.final_label, out.violation)
        if strategy != "bfs":  # bfs's trace is already a shortest one
            labels = model.shrink(labels, violation.prop)
        labels, final, violation = model.realize(labels)
    else:
        labels, final, violation = [], model.initial(), None
    trace = [model.step(label) for label in labels]
    return ExploreResult(violation, trace, len(out.states), out.complete,
                         len(out.states) / out.seconds if out.seconds > 0 else 0.0, out.seconds,
                         settings, model, final)


def _model(settings: dict, reduce: bool) -> Model:
    # random walks are not reduced (a walk gains little from it) and take the smallest
    # renaming as they always have: a seed keeps its walk
    walks = settings["strategy"] == "random"
    return Model(settings["n"], settings["node_class"], max_term=settings["max_term"],
                 max_log=settings["max_log"], max_in_flight=settings["max_in_flight"],
                 commands=settings["commands"], crashes=settings["crashes"],
                 drops=settings["drops"], duplicates=settings["duplicates"],
                 symmetry=settings["symmetry"], reduce=reduce and not walks, walks=walks)
