"""What :func:`raftlib.explore` returns, and the replay of its trace on a real Cluster."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..cluster import Cluster
from ..errors import SafetyViolation
from ..safety import SafetyMonitor
from .model import Model, State
from .state import crashed, dump
from .steps import Step, format_steps

#: Timer lengths of a replayed cluster: so long that no timer fires by itself.
NEVER = 1e9


@dataclass
class ExploreResult:
    """The outcome of a search.

    ``violation``: ``None`` or the :class:`SafetyViolation` found; ``trace``: the
    steps from the initial state to it (empty when there is none); ``states``:
    distinct states visited; ``complete``: the bounded space was exhausted with
    no violation; ``rate``: distinct states per second; ``seconds``: time taken.
    """

    violation: SafetyViolation | None
    trace: list[Step]
    states: int
    complete: bool
    rate: float
    seconds: float
    settings: dict
    _model: Model = field(repr=False)
    _final: State = field(repr=False)

    def transcript(self) -> str:
        """The trace as numbered text lines, ending with the violation if there is one."""
        text = format_steps(self.trace)
        if self.violation is not None:
            text += f"\n!!! {self.violation}"
        return text

    def cluster(self) -> Cluster:
        """A new :class:`Cluster` steered through :attr:`trace`, ready for ``rl.show``.

        No time passes in it (its timers are set :data:`NEVER` seconds ahead):
        each step is a forced timeout, a heartbeat, a delivery, a drop, a crash,
        a restart or a request. The violation is not raised again (the cluster's
        monitor keeps what it noticed in ``c.safety.found``); after the replay the
        monitor raises as usual, so ``c.run(0.1)`` delivers what is still in
        flight and shows what the violation leads to.
        """
        return replay(self._model, self.trace)

    def final_state(self) -> tuple[list[tuple], Counter]:
        """The explored state at the end of the trace: every server's tuple and the
        messages in flight (compare with :func:`cluster_state` of the replay)."""
        return self._model.server_tuples(self._final), Counter(self._model.messages(self._final))

    def __repr__(self) -> str:
        found = "no violation" if self.violation is None else f"{self.violation.prop} violated"
        done = "complete" if self.complete else "incomplete"
        return (f"<ExploreResult {found}, {self.states} states ({done}), {len(self.trace)} steps, "
                f"{self.rate:,.0f} states/s>")


class _ReplayMonitor(SafetyMonitor):
    """The cluster's safety monitor, which during the replay notes a violation
    (in ``found``) instead of raising it, so that the step completes as explored."""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.replaying = True
        self.found: list[SafetyViolation] = []

    def _fail(self, prop: str, evidence: str) -> None:
        if not self.replaying:
            super()._fail(prop, evidence)
        self.found.append(SafetyViolation(prop, evidence, time=self.cluster.now,
                                          seed=self.cluster.seed))


def replay(model: Model, steps: list[Step]) -> Cluster:
    """Steer a new cluster of ``model``'s servers through ``steps``.

    The cluster's monitor notes the violations the steps commit (in
    ``c.safety.found``) without stopping them; once replayed, it raises again.
    """
    c = Cluster(len(model.ids), node_class=model.node_class, election_timeout=(NEVER, NEVER),
                heartbeat_interval=NEVER / 2)
    c.safety = _ReplayMonitor(c)
    for step in steps:
        _do(c, step)
    c.safety.replaying = False
    return c


def _find(c: Cluster, message: Any) -> int:
    for m in c.in_flight():
        if type(m.message) is type(message) and m.message == message:
            return m.id
    raise AssertionError(f"replay: {message} is not in flight")  # the explorer has a bug


def _do(c: Cluster, step: Step) -> None:
    kind, sid = step.kind, step.server
    if kind == "deliver":
        c.deliver_now(_find(c, step.message))
    elif kind == "drop":
        c.drop(_find(c, step.message))
    elif kind == "duplicate":
        c.duplicate(_find(c, step.message))
    elif kind == "timeout":
        c.timeout(sid)
    elif kind == "heartbeat":
        c.heartbeat(sid)
    elif kind == "request":
        c.submit(step.command, to=sid)
    elif kind == "crash":
        c.crash(sid)
        for m in c.in_flight():  # lost with the sender, as in the explorer
            if m.message.src == sid:
                c.drop(m.id)
    else:
        c.restart(sid)


def cluster_state(c: Cluster) -> tuple[list[tuple], Counter]:
    """A cluster's state in the explorer's terms: server tuples and messages in flight."""
    servers = []
    for sid in c.nodes:
        node = c[sid]
        servers.append(dump(node, len(c.applied(sid))) if c.up[sid]
                       else crashed(node.persistent_state()))
    return servers, Counter(m.message for m in c.in_flight())
