"""Time travel: record what is done to a cluster and rebuild any past moment exactly.

The simulation is deterministic, so a moment is fully described by a starting
state and the operations applied since: "advance to time t", "carry out one
event" and user actions (crash, drop a message, partition, ...). A
:class:`Timeline` records those operations. Rewinding to ``t`` restores the
starting state and re-applies the operations up to ``t``; going forward again
follows the recording (the same actions at the same moments); acting at a past
moment forks history: the recorded future is discarded, as in RaftScope.

    >>> import raftlib as rl
    >>> from raftlib.replay import Timeline
    >>> c = rl.Cluster(5, seed=3)
    >>> tl = Timeline(c)
    >>> tl.run_to(1.0); first = c.leader()
    >>> tl.act("crash", first); tl.run_to(2.0)
    >>> tl.seek(0.5); round(c.now, 3), c.up[first]
    (0.5, True)
    >>> tl.run_to(2.0); c.up[first], c.leader() != first
    (False, True)

The cluster object itself is rewound (its state is replaced in place), so every
variable that names it stays valid.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, RaftlibError, SafetyViolation

if TYPE_CHECKING:
    from .cluster import Cluster

#: The Cluster methods a Timeline records as user actions.
ACTIONS = frozenset({"crash", "restart", "timeout", "submit", "drop", "duplicate", "deliver_now",
                     "partition", "cut", "heal", "disconnect", "connect"})
_NETWORK_KNOBS = ("request_delay", "request_loss", "reply_loss", "duplicate", "long_reordering")


def snapshot(cluster: "Cluster") -> "Cluster":
    """A deep copy of ``cluster`` to restore later (TypeError if it holds a running
    process, e.g. from ``spawn``, since generators cannot be copied)."""
    return copy.deepcopy(cluster)


def restore(cluster: "Cluster", saved: "Cluster") -> None:
    """Put ``cluster`` (the same object) back into the state of ``saved``; ``saved`` is unchanged.

    Every reference inside ``saved`` to itself (its safety monitor's, its clients')
    is pointed at ``cluster``.
    """
    state = copy.deepcopy(vars(saved), {id(saved): cluster})
    vars(cluster).clear()
    vars(cluster).update(state)


def config(cluster: "Cluster") -> dict[str, Any]:
    """The keyword arguments that build a cluster configured like ``cluster`` (seed aside)."""
    return {"election_timeout": cluster.election_timeout,
            "heartbeat_interval": cluster.heartbeat_interval,
            "latency": cluster.network.latency, "storage_latency": cluster.storage_latency,
            "node_class": cluster.node_class, "noop_on_election": cluster.noop_on_election,
            "dedup": cluster.dedup, "check_every_event": cluster.check_every_event}


def fresh(cluster: "Cluster", seed: int | None = None) -> "Cluster":
    """A new cluster at t = 0 with ``cluster``'s size, configuration and network
    settings, and ``seed`` (default: the same seed)."""
    seed = cluster.seed if seed is None else seed
    new = type(cluster)(len(cluster.nodes), seed=seed, **config(cluster))
    for knob in _NETWORK_KNOBS:
        setattr(new.network, knob, getattr(cluster.network, knob))
    return new


def _time_of(op: tuple) -> float:
    return op[-1]


class Timeline:
    """The recorded history of one cluster, from the moment the Timeline is made.

    Operations are tuples: ``("run", t)`` (advance to virtual time t), ``("step", t)``
    (one event, which happened at t) and ``("act", method, args, t)``. ``done``
    holds the operations that produced the present state; ``future`` the recorded
    ones after it, which are followed while moving forward and dropped by an act.
    ``rewindable`` is False (with ``why``) when the cluster cannot be copied.
    """

    def __init__(self, cluster: "Cluster") -> None:
        self.cluster = cluster
        self.rebase()

    # ----------------------------------------------------------- bookkeeping
    def rebase(self) -> None:
        """Forget the history: the present becomes the earliest moment one can rewind to."""
        c = self.cluster
        self.done: list[tuple] = []
        self.future: list[tuple] = []
        self.origin_time = c.now
        try:
            self._origin = snapshot(c)
            self.rewindable, self.why = True, ""
        except TypeError as err:  # a spawned generator cannot be copied
            self._origin, self.rewindable = None, False
            self.why = f"the cluster cannot be copied ({err})"
        self._mark()

    def from_creation(self, max_events: int = 50_000) -> bool:
        """Make t = 0 the earliest moment, if the cluster's run so far is exactly what a fresh
        cluster with the same configuration and seed does (nothing was done to it but
        running) and is at most ``max_events`` events long (checking replays it). Returns
        whether that worked; if not, the history starts now."""
        c = self.cluster
        if c.now == 0 or not self.rewindable or self.done or c.trace_length() > max_events:
            return c.now == 0
        try:
            start = fresh(c)
            origin = snapshot(start)
            start.run_to(c.now)
        except (TypeError, RaftlibError):
            return False
        if start.trace_rows() != c.trace_rows():
            return False
        self._origin, self.origin_time = origin, 0.0
        self.done = [("run", c.now)]
        return True

    def _mark(self) -> None:
        c = self.cluster
        self._fingerprint = (c.now, c.trace_length())

    def in_sync(self) -> bool:
        """False if the cluster was changed since the last recorded operation (by code
        outside the Timeline), so the recording no longer describes it."""
        c = self.cluster
        return self._fingerprint == (c.now, c.trace_length())

    def _sync(self) -> bool:
        """Rebase if the cluster was changed behind our back; return whether that happened."""
        if self.in_sync():
            return False
        self.rebase()
        return True

    @property
    def end_time(self) -> float:
        """The latest moment recorded (the present, or the end of the recorded future)."""
        return max(self.cluster.now, _time_of(self.future[-1]) if self.future else 0.0)

    @property
    def replaying(self) -> bool:
        """True while the present is in the past of the recording (a future exists)."""
        return bool(self.future)

    def _record(self, op: tuple) -> None:
        if op[0] == "run" and self.done and self.done[-1][0] == "run":
            self.done[-1] = op  # run to a, then to b == run to b
        else:
            self.done.append(op)

    def _apply(self, op: tuple, *, replay: bool = False) -> Any:
        """Carry out one operation; during replay a known safety violation is not re-raised."""
        c = self.cluster
        try:
            if op[0] == "run":
                c.run_to(max(op[1], c.now))
                return None
            if op[0] == "step":
                return c.step()
            return getattr(c, op[1])(*op[2])
        except SafetyViolation:
            if not replay:
                raise
            return None

    # --------------------------------------------------------------- moving
    def run_to(self, t: float) -> None:
        """Advance to virtual time ``t`` (no-op if ``t`` is not ahead), following the recording."""
        c = self.cluster
        self._sync()
        if t < c.now:
            return
        try:
            while self.future:
                op = self.future[0]
                if op[0] == "run" and op[1] > t:
                    self._apply(("run", t), replay=True)  # a prefix of the recorded run
                    self._record(("run", t))
                    return
                if _time_of(op) > t:
                    break
                self._apply(op, replay=True)
                self._record(self.future.pop(0))
            if t > c.now:
                self._record(("run", t))
                self._apply(("run", t))
        finally:
            self._mark()

    def run(self, seconds: float) -> None:
        """Advance by ``seconds`` of virtual time."""
        if not seconds >= 0:
            raise ConfigError(f"seconds must be >= 0, got {seconds!r}")
        self.run_to(self.cluster.now + seconds)

    def step(self) -> bool:
        """Carry out one event (the recorded next one while replaying); False if none is queued."""
        c = self.cluster
        self._sync()
        try:
            while self.future:
                op = self.future[0]
                if op[0] == "act":
                    self._apply(op, replay=True)
                    self._record(self.future.pop(0))
                    continue
                if op[0] == "step":
                    self._apply(op, replay=True)
                    self._record(self.future.pop(0))
                    return True
                # Inside a recorded run to op[1]: take one event, but none beyond op[1].
                if self._bounded_step(op[1]):
                    return True
                self.future.pop(0)
            try:
                event = c.step()
            finally:
                self._record(("step", c.now))  # even with no event: stale timers were popped
            return event is not None
        finally:
            self._mark()

    def _bounded_step(self, limit: float) -> bool:
        """One event at a time <= ``limit``; if there is none, end at ``limit`` and return False."""
        c = self.cluster
        calls = []

        def after_first_event() -> bool:
            calls.append(None)
            return len(calls) > 1  # the first call is run_until's check before any event

        try:
            c.run_until(after_first_event, max(0.0, limit - c.now))
        except SafetyViolation:
            pass  # it was raised, and recorded, the first time this event ran
        if c.now < limit - 1e-12:
            self._record(("step", c.now))
            return True
        c.run_to(max(limit, c.now))  # land on the recorded time itself, not an ulp short of it
        self._record(("run", limit))
        return False

    def act(self, method: str, *args: Any) -> Any:
        """Call ``cluster.method(*args)`` now and record it; at a past moment this forks
        history (the recorded future is dropped). ``method`` must be in :data:`ACTIONS`."""
        if method not in ACTIONS:
            raise ConfigError(f"{method!r} is not a recordable action; use one of "
                              f"{', '.join(sorted(ACTIONS))}")
        self._sync()
        args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
        try:
            result = self._apply(("act", method, args))
        except SafetyViolation:
            self._fork(("act", method, args, self.cluster.now))
            raise
        else:
            self._fork(("act", method, args, self.cluster.now))
            return result
        finally:
            self._mark()

    def _fork(self, op: tuple) -> None:
        self.future.clear()
        self._record(op)

    def seek(self, t: float) -> None:
        """Go to virtual time ``t``: forward by running, backward by replaying from the start.

        ``t`` is clamped to [origin_time, end_time]. Raises ConfigError if the cluster
        could not be copied when the Timeline was made (see ``why``).
        """
        c = self.cluster
        self._sync()
        t = min(max(t, self.origin_time), self.end_time)
        if t >= c.now:
            self.run_to(t)
            return
        if not self.rewindable:
            raise ConfigError(f"cannot rewind: {self.why}")
        history = self.done + self.future
        restore(c, self._origin)
        self.done, self.future = [], history
        self._mark()
        self.run_to(t)
