"""Breadth-first, depth-first and random-walk search over a :class:`~.model.Model`.

Every strategy records, for each distinct state, the step that first reached it
(``parents``), so a path back to the initial state is always at hand. The order
of the search is fixed by the arguments; only where ``time_limit`` stops an
incomplete search depends on the machine's speed (``max_states`` stops it at the
same state everywhere).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from .model import KINDS, Model, State
from .steps import format_steps

_CLOCK_EVERY = 512  # states between two looks at the clock
#: Steps in one random walk before it starts again from the initial state.
WALK_DEPTH = 60
#: With ``max_states``, random walks also stop after this many steps per state allowed,
#: so that a space smaller than the cap ends at the same step on every machine too.
STEPS_PER_STATE = 10


@dataclass
class Outcome:
    states: list[State]
    parents: list[tuple[int, tuple | None]]
    violation: Any = None
    last: int = 0                   # index of the state the trace ends in
    final: State | None = None      # the state the violation is in
    final_label: tuple | None = None
    complete: bool = False
    seconds: float = 0.0
    cap: float = float("inf")       # stop once this many distinct states are found

    def path(self) -> list[State]:
        """The representatives from the initial state to the end of the trace."""
        k = self.last
        path = [self.states[k]]
        while k > 0:
            k = self.parents[k][0]
            path.append(self.states[k])
        return path[::-1]


def search(model: Model, strategy: str, time_limit: float, seed: int,
           max_states: int | None = None) -> Outcome:
    start = time.perf_counter()
    deadline = start + time_limit
    init = model.canonical(model.initial())
    out = Outcome([init], [(0, None)], cap=max_states or float("inf"))
    index = {init: 0}
    try:
        if strategy == "random":
            _walks(model, out, index, deadline, random.Random(f"raftlib:{seed}:explore"))
        else:
            _exhaust(model, out, index, deadline, lifo=strategy == "dfs")
    finally:
        out.seconds = time.perf_counter() - start
    return out


def _exhaust(model: Model, out: Outcome, index: dict, deadline: float, lifo: bool) -> None:
    states, parents = out.states, out.parents
    canonical = model.canonical
    todo = [0]
    head = 0
    clock = _CLOCK_EVERY
    while (todo if lifo else head < len(states)):
        clock -= 1
        if not clock:
            clock = _CLOCK_EVERY
            if time.perf_counter() > deadline:
                return
        if lifo:
            k = todo.pop()
        else:
            k, head = head, head + 1
        for label, nxt, violation in _successors(model, out, k):
            if violation is not None:
                out.violation, out.last, out.final, out.final_label = violation, k, nxt, label
                return
            if nxt in index:
                continue
            rep = canonical(nxt)
            if rep not in index:
                index[rep] = len(states)
                if lifo:
                    todo.append(len(states))
                states.append(rep)
                parents.append((k, label))
                if len(states) >= out.cap:
                    return
            index[nxt] = index[rep]  # a renamed state seen again skips canonical()
    out.complete = True


def _walks(model: Model, out: Outcome, index: dict, deadline: float, rng: random.Random) -> None:
    states, parents = out.states, out.parents
    clock = _CLOCK_EVERY
    steps_left = out.cap * STEPS_PER_STATE
    while True:
        # swarm testing: each walk weighs the kinds of steps differently, so that some
        # walks rarely time out or drop and get deep into the protocol
        weights = {kind: rng.random() ** 2 for kind in KINDS}
        weights["deliver"] = 1.0
        k = 0
        for _ in range(WALK_DEPTH):
            steps_left -= 1
            if steps_left < 0:
                return
            clock -= 1
            if not clock:
                clock = _CLOCK_EVERY
                if time.perf_counter() > deadline:
                    return
            steps = _successors(model, out, k)
            if not steps:
                break
            label, nxt, violation = rng.choices(steps, [weights[s[0][0]] for s in steps])[0]
            if violation is not None:
                out.violation, out.last, out.final, out.final_label = violation, k, nxt, label
                return
            j = index.get(nxt)
            if j is None:
                rep = model.canonical(nxt)
                j = index.get(rep)
                if j is None:
                    j = index[rep] = len(states)
                    states.append(rep)
                    parents.append((k, label))
                    if len(states) >= out.cap:
                        return
                index[nxt] = j
            k = j


def _successors(model: Model, out: Outcome, k: int) -> list:
    """The steps out of state ``k``; an exception from the node class is re-raised with
    the path that led to the state it failed in."""
    try:
        return list(model.successors(out.states[k]))
    except Exception as e:
        out.last = k
        labels, _, _ = model.concretize(out.path(), None, None)
        path = format_steps([model.step(label) for label in labels]) or "(the initial state)"
        e.add_note(f"raised by {model.node_class.__name__} in a step out of the state "
                   f"reached by:\n{path}")
        raise
