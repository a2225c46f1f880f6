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
import math
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, RaftlibError, SafetyViolation
from .validate import check_cluster, check_number, check_time

if TYPE_CHECKING:
    from .cluster import Cluster

#: The Cluster methods a Timeline records as user actions.
ACTIONS = frozenset({"crash", "restart", "timeout", "submit", "drop", "duplicate", "deliver_now",
                     "partition", "cut", "heal", "disconnect", "connect", "set_election_timer"})
_NETWORK_KNOBS = ("request_delay", "request_loss", "reply_loss", "duplicate", "long_reordering",
                  "deliver_from_crashed")


def snapshot(cluster: "Cluster") -> "Cluster":
    """A deep copy of ``cluster`` to restore later (TypeError if it holds a running
    process, e.g. from ``spawn``, since generators cannot be copied)."""
    return copy.deepcopy(cluster)


def restore(cluster: "Cluster", saved: "Cluster") -> None:
    """Put ``cluster`` (the same object) back into the state of ``saved``; ``saved`` is unchanged.

    Every reference inside ``saved`` to itself (its safety monitor's, its clients')
    is pointed at ``cluster``. A client object ``cluster`` has now that ``saved``
    also has (by id) stays the same object, its state (sequence number, pending
    request, history) rewound too, so a notebook's ``cl`` keeps working; one that
    ``saved`` lacks is detached (its next call raises StaleClientError).
    """
    memo: dict[int, Any] = {id(saved): cluster}
    kept = []
    for cid, old in getattr(saved, "clients", {}).items():
        live = getattr(cluster, "clients", {}).get(cid)
        if live is not None and type(live) is type(old):
            memo[id(old)] = live
            kept.append((live, old))
    state = copy.deepcopy(vars(saved), memo)
    client_states = [copy.deepcopy(vars(old), memo) for _, old in kept]
    vars(cluster).clear()
    vars(cluster).update(state)
    for (live, _), client_state in zip(kept, client_states):
        vars(live).clear()
        vars(live).update(client_state)


def config(cluster: "Cluster") -> dict[str, Any]:
    """The keyword arguments that build a cluster configured like ``cluster`` (seed aside)."""
    return {"election_timeout": cluster.election_timeout,
            "heartbeat_interval": cluster.heartbeat_interval,
            "latency": cluster.network.latency, "storage_latency": cluster.storage_latency,
            "node_class": cluster.node_class, "noop_on_election": cluster.noop_on_election,
            "dedup": cluster.dedup, "check_every_event": cluster.check_every_event,
            "pre_vote": cluster.pre_vote, "check_quorum": cluster.check_quorum,
            "trace_limit": cluster.trace_limit}


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

    Checkpoints make rewinding cost independent of how long the history is: every
    ``checkpoint_every`` virtual seconds the Timeline keeps a copy of the cluster
    (long runs are recorded in pieces that end on those moments), and a seek back
    restores the nearest checkpoint at or before the target and replays only from
    there. Checkpoints are taken at the end of the recording only (a replayed
    stretch keeps its own). At most ``max_checkpoints`` are kept; beyond that
    every other one of the older half is let go (the origin always stays).
    """

    def __init__(self, cluster: "Cluster", *, checkpoint_every: float = 1.0,
                 max_checkpoints: int = 64) -> None:
        if not (isinstance(checkpoint_every, (int, float)) and not isinstance(
                checkpoint_every, bool) and 0 < checkpoint_every < float("inf")):
            raise ConfigError(f"checkpoint_every must be a number of virtual seconds > 0, "
                              f"got {checkpoint_every!r}")
        if isinstance(max_checkpoints, bool) or not isinstance(max_checkpoints, int) \
                or max_checkpoints < 2:
            raise ConfigError(f"max_checkpoints must be an int >= 2, got {max_checkpoints!r}")
        self.cluster = check_cluster(cluster)
        self.checkpoint_every = float(checkpoint_every)
        self.max_checkpoints = max_checkpoints
        self.rebase()

    # ----------------------------------------------------------- bookkeeping
    def rebase(self) -> None:
        """Forget the history: the present becomes the earliest moment one can rewind to."""
        c = self.cluster
        self.done: list[tuple] = []
        self.future: list[tuple] = []
        self.origin_time = c.now
        # (time, len(done), copy of the cluster then), in the order of the history
        self._checkpoints: list[tuple[float, int, "Cluster"]] = []
        try:
            self._checkpoints.append((c.now, 0, snapshot(c)))
            self.rewindable, self.why = True, ""
        except TypeError as err:  # a spawned generator cannot be copied
            self.rewindable = False
            self.why = f"the cluster cannot be copied ({err})"
        self._mark()

    @property
    def checkpoints(self) -> list[float]:
        """The virtual times of the checkpoints kept (the origin first)."""
        return [t for t, _, _ in self._checkpoints]

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
        self.origin_time = 0.0
        self._checkpoints = [(0.0, 0, origin)]
        self.done = [("run", c.now)]
        self._mark()
        return True

    def _mark(self) -> None:
        """Remember the cluster's fingerprint, and take a checkpoint if one is due (only
        at the end of the recording: the checkpoints of a replayed stretch still hold)."""
        c = self.cluster
        self._fingerprint = (c.now, c.trace_count)
        if not self.rewindable or self.future:
            return
        done = len(self.done)
        points = self._checkpoints
        k = self._checkpoint_before(done)
        if points[k][1] == done or c.now < points[k][0] + self.checkpoint_every:
            return
        points.insert(k + 1, (c.now, done, snapshot(c)))
        if len(points) > self.max_checkpoints:
            half = len(points) // 2
            del points[1:half:2]

    def _checkpoint_before(self, done: int) -> int:
        """The position of the last checkpoint taken at or before ``done`` operations."""
        points = self._checkpoints
        k = len(points) - 1
        while points[k][1] > done:
            k -= 1
        return k

    def _next_checkpoint_time(self) -> float:
        if not self.rewindable:
            return float("inf")
        return self._checkpoints[self._checkpoint_before(len(self.done))][0] + \
            self.checkpoint_every

    def in_sync(self) -> bool:
        """False if the cluster was changed since the last recorded operation (by code
        outside the Timeline), so the recording no longer describes it."""
        c = self.cluster
        return self._fingerprint == (c.now, c.trace_count)

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

    def _record(self, op: tuple, consumed: bool = False) -> None:
        """Append ``op`` to ``done``; ``consumed`` if it stands for the first operation of
        the future, which the caller took out. Checkpoints later in the history keep
        pointing at the same moments."""
        before = len(self.done)
        if op[0] == "run" and self.done and self.done[-1][0] == "run" and (
                not self.rewindable or self._checkpoints[self._checkpoint_before(
                    before)][1] != before):
            self.done[-1] = op  # run to a, then to b == run to b (unless a checkpoint is at a)
        else:
            self.done.append(op)
        shift = len(self.done) - before - consumed
        if shift and self._checkpoints and self._checkpoints[-1][1] > before:
            self._checkpoints = [(t, d + shift if d > before else d, saved)
                                 for t, d, saved in self._checkpoints]

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
        t = check_number("t", t, low=-math.inf)
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
                self._record(self.future.pop(0), consumed=True)
                self._mark()
            while t > c.now:  # in pieces that end where checkpoints are due
                due = self._next_checkpoint_time()
                piece = min(t, due) if due > c.now else t
                self._record(("run", piece))
                self._apply(("run", piece))
                self._mark()
        finally:
            self._mark()

    def run(self, seconds: float) -> None:
        """Advance by ``seconds`` of virtual time."""
        seconds = check_time("seconds", seconds)
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
                    self._record(self.future.pop(0), consumed=True)
                    continue
                if op[0] == "step":
                    self._apply(op, replay=True)
                    self._record(self.future.pop(0), consumed=True)
                    return True
                # Inside a recorded run to op[1]: take one event, but none beyond op[1].
                if self._bounded_step(op[1]):
                    return True
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
        self.future.pop(0)  # the recorded run is over
        self._record(("run", limit), consumed=True)
        return False

    def act(self, method: str, *args: Any) -> Any:
        """Call ``cluster.method(*args)`` now and record it; at a past moment this forks
        history (the recorded future is dropped). ``method`` must be in :data:`ACTIONS`."""
        if not isinstance(method, str) or method not in ACTIONS:
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
        self.fork()
        self._record(op)

    def fork(self) -> None:
        """Make the present the end of history: the recorded future (and its checkpoints)
        is dropped, as acting at a past moment does (RaftScope's "fork")."""
        if self.future:
            self.future.clear()
            del self._checkpoints[self._checkpoint_before(len(self.done)) + 1:]

    def seek(self, t: float) -> None:
        """Go to virtual time ``t``: forward by running, backward by replaying from the
        nearest checkpoint at or before ``t``.

        ``t`` is clamped to [origin_time, end_time]. Raises ConfigError if the cluster
        could not be copied when the Timeline was made (see ``why``).
        """
        c = self.cluster
        t = check_number("t", t, low=-math.inf)
        self._sync()
        t = min(max(t, self.origin_time), self.end_time)
        if t >= c.now:
            self.run_to(t)
            return
        if not self.rewindable:
            raise ConfigError(f"cannot rewind: {self.why}")
        history = self.done + self.future
        k = len(self._checkpoints) - 1
        while self._checkpoints[k][0] > t:
            k -= 1
        _, done, saved = self._checkpoints[k]
        restore(c, saved)
        self.done, self.future = history[:done], history[done:]
        self._mark()
        self.run_to(t)
