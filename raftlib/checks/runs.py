"""Running learner code in real clusters: seeds, the safety checker, and hints.

A run is a function ``scenario(node_class, seed)`` that drives a
:class:`~raftlib.Cluster` built with ``node_class=`` and
``check_every_event=True`` and raises :class:`~raftlib.checks.CheckFailed`
when a liveness expectation fails; :func:`run_seeds` turns a
:class:`~raftlib.SafetyViolation` into a hint naming the rule most likely broken.
"""

from __future__ import annotations

import random
from typing import Callable, Iterable

from ..cluster import Cluster
from ..core import LEADER
from ..errors import SafetyViolation
from .common import CheckFailed
from .messages import HINT, MESSAGES, say

Scenario = Callable[[type, int], None]


def run_seeds(scenario: Scenario, node_class: type, seeds: Iterable[int],
              hints: dict[str, object]) -> None:
    """Run ``scenario`` for every seed; the first failure raises with its seed and a hint."""
    key = f"scenario_{scenario.__name__}"
    name = (say(key) if key in MESSAGES else
            scenario.__doc__.strip().splitlines()[0] if scenario.__doc__ else scenario.__name__)
    for seed in seeds:
        try:
            scenario(node_class, seed)
        except SafetyViolation as e:
            hint = hints.get(e.prop, "")
            raise CheckFailed(say("seed", name=name, seed=seed) + str(e)
                              + (f"\n{HINT}{hint}" if hint else "")) from None
        except CheckFailed as e:
            raise type(e)(say("seed", name=name, seed=seed) + str(e)) from e.__cause__
        except Exception as e:  # the library's own code tripped over the state left behind
            raise CheckFailed(say("seed", name=name, seed=seed)
                              + say("library_failed", error=type(e).__name__, detail=e)) from e


def cluster(node_class: type, seed: int, n: int = 5, **kwargs) -> Cluster:
    """A cluster of the learner's nodes with every safety property checked after each event."""
    return Cluster(n, seed=seed, node_class=node_class, check_every_event=True, **kwargs)


def leaders(c: Cluster, among: Iterable[str] | None = None) -> list[str]:
    """Running servers (of ``among``) that believe they lead, highest term first."""
    among = c.nodes if among is None else among
    found = [s for s in among if c.up[s] and c[s].role == LEADER]
    return sorted(found, key=lambda s: -c[s].current_term)


def connected_leader(c: Cluster, among: list[str], within: float = 5.0) -> str:
    """Run until exactly one server of ``among`` leads in the highest term among them
    (like 6.824's ``checkOneLeader``) and return it."""
    def one() -> bool:
        found = leaders(c, among)
        if not found:
            return False
        top = c[found[0]].current_term
        return sum(1 for s in found if c[s].current_term == top) == 1

    if not c.run_until(one, within):
        raise CheckFailed(say("no_leader", among=", ".join(among), within=within, now=c.now,
                              terms={s: c[s].current_term for s in among},
                              roles={s: c[s].role for s in among}))
    return leaders(c, among)[0]


def committed_everywhere(c: Cluster, servers: list[str], count: int, within: float) -> None:
    """Run until every server in ``servers`` has applied ``count`` entries."""
    def done() -> bool:
        return all(len(c.applied(s)) >= count for s in servers)

    if not c.run_until(done, within):
        have = {s: len(c.applied(s)) for s in servers}
        raise CheckFailed(say("not_applied_everywhere", within=within, count=count, have=have))


def rng(name: str, seed: int) -> random.Random:
    """The check's own random stream (never the global one), seeded by name and seed."""
    return random.Random(f"raftlib.checks:{name}:{seed}")
