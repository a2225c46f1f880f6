"""A deterministic discrete-event simulation of nodes on a network.

Nothing here knows Raft: :class:`Simulation` owns the virtual clock, the event
queue, the seeded random streams, the network, crashes and restarts, timers,
the trace and message statistics. Subclasses (the Raft ``Cluster``, the naive
primary/backup system) say what a node does with a message or a timer.

Determinism: every random draw comes from a named stream seeded from
``(seed, name)`` through SHA-512 (``random.Random(str)``), so results do not
depend on ``PYTHONHASHSEED``; events at the same instant run in the order they
were scheduled.
"""

from __future__ import annotations

import copy
import heapq
import math
import pickle
import random
from typing import Any, Callable, Generator, Iterable, NamedTuple

from ..errors import ConfigError
from .network import Network

DELIVER, TIMER, CALL, PROCESS = 0, 1, 2, 3
_ATOMIC = (str, int, float, bool, bytes, type(None))


class Event(NamedTuple):
    """What :meth:`Simulation.step` did: ``kind`` is "deliver", "drop", "timer" or "call"."""

    time: float
    kind: str
    server: str | None
    peer: str | None
    detail: Any


class InFlight(NamedTuple):
    """A message on the wire: ``id`` for drop/duplicate/deliver_now, and when it left and lands."""

    id: int
    sent_at: float
    arrives_at: float
    message: Any


def copy_value(value: Any) -> Any:
    """A copy that shares nothing mutable with ``value`` (atoms and tuples of atoms as is)."""
    if type(value) in _ATOMIC:
        return value
    if isinstance(value, tuple) and all(type(v) in _ATOMIC for v in value):
        return value  # tuples and named tuples of atoms are immutable
    return copy.deepcopy(value)


def payload_size(value: Any) -> int:
    """Deterministic wire size of a command or payload in bytes."""
    kind = type(value)
    if kind is str:
        return len(value.encode("utf-8"))
    if kind is bytes:
        return len(value)
    if kind is int or kind is float:
        return 8
    if value is None or kind is bool:
        return 1
    return len(pickle.dumps(value, protocol=4))


def check_time(name: str, value: Any) -> float:
    if isinstance(value, (bool, str, bytes)):
        raise ConfigError(f"{name} must be a number of virtual seconds, got {value!r}")
    try:
        t = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number of virtual seconds, got {value!r}") from None
    if not math.isfinite(t) or t < 0:
        raise ConfigError(f"{name} must be a finite number of seconds >= 0, got {value!r}")
    return t


def _event(entry: tuple, kind: str) -> Event:
    """Describe a carried-out queue entry for :meth:`Simulation.step`."""
    time, _, _, a, b, _ = entry
    if kind in ("deliver", "drop"):
        return Event(time, kind, a.dst, a.src, a)
    if kind == "timer":
        return Event(time, kind, a, None, b)
    return Event(time, kind, None, None, a)


class Stats:
    """Message counts and bytes, by message type and by server.

    ``sent``/``bytes``/``delivered``/``dropped`` are keyed by type name;
    ``sent_by``/``bytes_by`` by sender; ``received_by`` counts requests that
    reached the handler of each server (labrpc's ``GetCount``). Sent bytes
    are counted when a message is sent, delivered or not.
    """

    def __init__(self, reply_types: tuple = ()) -> None:
        self.reply_names = {t.__name__ for t in reply_types}
        self.out: dict[tuple[str, str], list[int]] = {}  # (type, sender) -> [count, bytes]
        self.into: dict[tuple[str, str], int] = {}       # (type, receiver) -> delivered
        self.dropped: dict[str, int] = {}

    @staticmethod
    def _sum(items, key_index: int, value: Callable[[Any], int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for key, v in items:
            out[key[key_index]] = out.get(key[key_index], 0) + value(v)
        return out

    @property
    def sent(self) -> dict[str, int]:
        return self._sum(self.out.items(), 0, lambda v: v[0])

    @property
    def bytes(self) -> dict[str, int]:
        return self._sum(self.out.items(), 0, lambda v: v[1])

    @property
    def sent_by(self) -> dict[str, int]:
        return self._sum(self.out.items(), 1, lambda v: v[0])

    @property
    def bytes_by(self) -> dict[str, int]:
        return self._sum(self.out.items(), 1, lambda v: v[1])

    @property
    def delivered(self) -> dict[str, int]:
        return self._sum(self.into.items(), 0, int)

    @property
    def received_by(self) -> dict[str, int]:
        """Requests (not replies) delivered to each server's handlers."""
        return self._sum(((k, v) for k, v in self.into.items() if k[0] not in self.reply_names),
                         1, int)

    @property
    def total_sent(self) -> int:
        return sum(v[0] for v in self.out.values())

    @property
    def total_bytes(self) -> int:
        return sum(v[1] for v in self.out.values())

    @property
    def total_delivered(self) -> int:
        return sum(self.into.values())

    def rpc_count(self, server: str) -> int:
        """Requests delivered to ``server``'s handlers so far."""
        return self.received_by.get(server, 0)

    def __repr__(self) -> str:
        return (f"<Stats sent={self.total_sent} delivered={self.total_delivered} "
                f"bytes={self.total_bytes}>")


class Simulation:
    """Clock, events, network and faults for a set of named nodes.

    Subclasses implement ``_handle_message(msg)``, ``_handle_timer(node, name)``,
    ``_crash_node(node)`` and ``_restart_node(node)`` and set ``reply_types``.
    """

    reply_types: tuple = ()

    def __init__(self, nodes: list[str], *, seed: int, latency: tuple[float, float]) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ConfigError(f"seed must be an int, got {seed!r}")
        self.seed = seed
        self.now = 0.0
        self.nodes = list(nodes)
        self._streams: dict[str, random.Random] = {}
        self.network = Network(nodes, self.rng("network"), latency)
        self.stats = Stats(self.reply_types)
        self.up = {n: True for n in nodes}
        self.incarnation = {n: 0 for n in nodes}
        self.timers: dict[tuple[str, str], tuple[float, float]] = {}  # (node, name) -> (set, due)
        self._timer_entry: dict[tuple[str, str], tuple[float, int]] = {}  # queued (time, seq)
        self._heap: list = []
        self._seq = 0
        self._cancelled: set[int] = set()
        self._trace: list[tuple] = []
        self._delivered: list[tuple[float, float, Any]] = []  # (time, sent_at, message)
        self._message_detail: dict[type, Callable[[Any], Any]] = {}
        self.clients: dict[str, Any] = {}  # endpoints that are not nodes, by id

    def _add_client(self, client: Any) -> None:
        """Put a client (an object with an ``id``) on the network as an endpoint."""
        if client.id in self.clients:
            raise ConfigError(f"a client called {client.id!r} already exists")
        self.clients[client.id] = client
        self.network.add_endpoint(client.id)
        self.up[client.id] = True
        self.incarnation[client.id] = 0

    # ------------------------------------------------------------ randomness
    def rng(self, name: str) -> random.Random:
        """The random stream called ``name``, seeded from (seed, name)."""
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = random.Random(f"raftlib:{self.seed}:{name}")
        return stream

    # ------------------------------------------------------------ scheduling
    def _push(self, time: float, kind: int, a: Any = None, b: Any = None, c: Any = None) -> int:
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, kind, a, b, c))
        return self._seq

    def call_later(self, delay: float, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` after ``delay`` virtual seconds."""
        if not callable(fn):
            raise ConfigError(f"call_later needs a function to call, got {fn!r}")
        self._push(self.now + check_time("delay", delay), CALL, fn)

    def spawn(self, process: Generator[float, None, Any]) -> None:
        """Run a generator as a process: each value it yields is a sleep in seconds."""
        if not hasattr(process, "__next__"):
            raise ConfigError(f"spawn needs a generator (call a function that yields "
                              f"sleeps in seconds), got {process!r}")
        self._push(self.now, PROCESS, process)

    def set_timer(self, node: str, name: str, delay: float) -> None:
        """(Re)start ``node``'s timer ``name``; an earlier one of that name is replaced.

        Restarting a timer is frequent (every heartbeat restarts a follower's
        election timer), so the queue keeps at most one entry per timer: when that
        entry comes due but the timer was pushed later, it is queued again then.
        """
        key = (node, name)
        due = self.now + delay
        self.timers[key] = (self.now, due)
        pending = self._timer_entry.get(key)
        if pending is None or pending[0] > due:
            self._timer_entry[key] = (due, self._push(due, TIMER, node, name))

    def cancel_timer(self, node: str, name: str) -> None:
        """Stop ``node``'s timer ``name`` if it is running."""
        self.timers.pop((node, name), None)

    def cancel_timers(self, node: str) -> None:
        """Stop every timer of ``node``."""
        for key in [k for k in self.timers if k[0] == node]:
            del self.timers[key]

    # -------------------------------------------------------------- messages
    def send(self, msg: Any, extra_delay: float = 0.0) -> None:
        """Put ``msg`` (with ``src``/``dst`` fields) on the network."""
        src = msg.src
        key = (type(msg).__name__, src)
        size = self.wire_size(msg)
        counts = self.stats.out.get(key)
        if counts is None:
            self.stats.out[key] = [1, size]
        else:
            counts[0] += 1
            counts[1] += size
        network = self.network
        if network.blocked and (src, msg.dst) in network.blocked:
            self._drop(msg, "unreachable", self.now)
            return
        delays = network.delays(type(msg) in self.reply_types)
        if not delays:
            self._drop(msg, "lost", self.now)
        start = self.now + extra_delay
        for delay in delays:
            self._push(start + delay, DELIVER, msg, self.now, self.incarnation[src])

    def wire_size(self, msg: Any) -> int:
        """Bytes on the wire: 8 per field plus the payload sizes (override for more detail)."""
        return 8 * len(msg)

    def in_flight(self) -> list[InFlight]:
        """Messages sent but not yet delivered or dropped, soonest first."""
        out = [InFlight(seq, sent, t, msg) for t, seq, kind, msg, sent, _ in self._heap
               if kind == DELIVER and seq not in self._cancelled]
        return sorted(out, key=lambda m: (m.arrives_at, m.id))

    def _find_in_flight(self, msg_id: int) -> tuple:
        for entry in self._heap:
            if entry[1] == msg_id and entry[2] == DELIVER and msg_id not in self._cancelled:
                return entry
        ids = [m.id for m in self.in_flight()]
        raise ConfigError(f"no message with id {msg_id!r} is in flight; in flight now: {ids}")

    def drop(self, msg_id: int) -> None:
        """Lose the in-flight message ``msg_id``."""
        entry = self._find_in_flight(msg_id)
        self._cancelled.add(msg_id)
        self._drop(entry[3], "dropped by hand", entry[4])

    def duplicate(self, msg_id: int) -> None:
        """Deliver the in-flight message ``msg_id`` a second time, after a fresh delay."""
        entry = self._find_in_flight(msg_id)
        low, high = self.network.latency
        self._push(self.now + self.rng("network").uniform(low, high), DELIVER, *entry[3:])
        self._trace_row("duplicate", entry[3].src, entry[3].dst, entry[3], entry[4])

    def deliver_now(self, msg_id: int) -> Event:
        """Deliver the in-flight message ``msg_id`` at once, ahead of everything else."""
        entry = self._find_in_flight(msg_id)
        self._cancelled.add(msg_id)
        self._seq += 1
        entry = (self.now, self._seq) + entry[2:]
        kind = self._dispatch(entry)
        self._after_event()
        return _event(entry, kind)

    def _drop(self, msg: Any, reason: str, sent_at: float) -> None:
        kind = type(msg).__name__
        self.stats.dropped[kind] = self.stats.dropped.get(kind, 0) + 1
        self._trace_row("drop", msg.dst, msg.src, msg, sent_at, reason)

    def _trace_row(self, event: str, server: str | None, peer: str | None, msg: Any = None,
                   sent_at: float | None = None, detail: Any = None) -> None:
        if msg is not None:
            if detail is None:
                describe = self._message_detail.get(type(msg))
                detail = describe(msg) if describe else None
            self._trace.append((self.now, event, server, peer, type(msg).__name__,
                                getattr(msg, "term", None), sent_at, detail))
        else:
            self._trace.append((self.now, event, server, peer, None, None, None, detail))

    # --------------------------------------------------------------- running
    def _dispatch(self, entry: tuple) -> str | None:
        """Carry out one queue entry and return its kind; ``None`` if it was stale
        (a superseded or cancelled timer, a message dropped by hand)."""
        time, seq, kind, a, b, c = entry
        if kind == DELIVER:
            if self._cancelled and seq in self._cancelled:
                self._cancelled.discard(seq)
                return None
            self.now = time
            msg = a
            src, dst = msg.src, msg.dst
            up = self.up
            if not up[dst]:
                reason = "receiver down"
            elif not up[src] or c != self.incarnation[src]:
                reason = "sender crashed"
            elif self.network.blocked and (src, dst) in self.network.blocked:
                reason = "unreachable"
            else:
                cls = type(msg)
                key = (cls.__name__, dst)
                into = self.stats.into
                into[key] = into.get(key, 0) + 1
                describe = self._message_detail.get(cls)
                self._trace.append((time, "deliver", dst, src, key[0], getattr(msg, "term", None),
                                    b, describe(msg) if describe else None))
                self._delivered.append((time, b, msg))
                self._handle_message(msg)
                return "deliver"
            self._drop(msg, reason, b)
            return "drop"
        if kind == TIMER:
            key = (a, b)
            if self._timer_entry.get(key, (0, 0))[1] != seq:
                return None  # superseded by an earlier-due entry
            del self._timer_entry[key]
            armed = self.timers.get(key)
            if armed is None:
                return None  # cancelled
            if armed[1] > time:  # restarted since this entry was queued
                self._timer_entry[key] = (armed[1], self._push(armed[1], TIMER, a, b))
                return None
            self.now = time
            del self.timers[key]
            self._trace.append((time, "timer", a, None, None, None, None, b))
            self._handle_timer(a, b)
            return "timer"
        self.now = time
        if kind == CALL:
            a()
        else:
            self._resume(a)
        return "call"

    def _resume(self, process: Generator) -> None:
        try:
            delay = next(process)
        except StopIteration:
            return
        self._push(self.now + check_time("a process's sleep", delay), PROCESS, process)

    def step(self) -> Event | None:
        """Carry out exactly one event and return it (``None`` if nothing is queued)."""
        heap = self._heap
        while heap:
            entry = heapq.heappop(heap)
            kind = self._dispatch(entry)
            if kind is not None:
                self._after_event()
                return _event(entry, kind)
        return None

    def run(self, seconds: float) -> None:
        """Advance virtual time by ``seconds``, carrying out every event on the way."""
        self.run_to(self.now + check_time("seconds", seconds))

    def run_to(self, time: float) -> None:
        """Advance virtual time to exactly ``time`` (not before now), carrying out
        every event on the way. Replaying a run to a recorded time lands on that
        very float, which ``run(time - now)`` need not."""
        end = check_time("time", time)
        if end < self.now:
            raise ConfigError(f"time {time!r} is in the past (now is {self.now!r}); "
                              f"virtual time only moves forward")
        heap, dispatch, after = self._heap, self._dispatch, self._after_event
        while heap and heap[0][0] <= end:
            if dispatch(heapq.heappop(heap)) is not None:
                after()
        self.now = end

    def run_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Run until ``predicate()`` is true (checked after every event) or
        ``timeout`` virtual seconds pass; return whether it became true."""
        if not callable(predicate):
            raise ConfigError(f"predicate must be a function of no arguments, e.g. "
                              f"lambda: c.leader() is not None; got {predicate!r}")
        end = self.now + check_time("timeout", timeout)
        if predicate():
            return True
        heap, dispatch, after = self._heap, self._dispatch, self._after_event
        while heap and heap[0][0] <= end:
            if dispatch(heapq.heappop(heap)) is not None:
                after()
                if predicate():
                    return True
        self.now = end
        return bool(predicate())

    def run_process(self, process: Generator[float, None, Any], timeout: float = math.inf) -> Any:
        """Run the simulation until ``process`` finishes and return its result."""
        box: dict[str, Any] = {}

        def wrapper():
            box["result"] = yield from process
            box["done"] = True

        self.spawn(wrapper())
        if not self.run_until(lambda: "done" in box, timeout):
            raise ConfigError(f"the process did not finish within {timeout} virtual seconds")
        return box["result"]

    def _after_event(self) -> None:
        """Hook run after every event (continuous checking)."""

    # ---------------------------------------------------------------- faults
    def crash(self, node: str) -> None:
        """Stop ``node``: its timers stop and its messages still in flight are lost."""
        self.network.check_endpoint(node)
        if not self.up[node]:
            return
        self.up[node] = False
        self.cancel_timers(node)
        self._trace_row("crash", node, None)
        self._crash_node(node)

    def restart(self, node: str) -> None:
        """Start a crashed node again from what it persisted (a running one is crashed first)."""
        self.network.check_endpoint(node)
        self.crash(node)
        self.up[node] = True
        self.incarnation[node] += 1
        self._trace_row("restart", node, None)
        self._restart_node(node)

    def disconnect(self, node: str) -> None:
        """Take ``node`` off the network (it keeps running): it reaches nobody."""
        self.network.disconnect(node)
        self._trace_row("disconnect", node, None)

    def connect(self, node: str) -> None:
        """Put a disconnected ``node`` back on the network."""
        self.network.connect(node)
        self._trace_row("connect", node, None)

    def partition(self, *groups: Iterable[str]) -> None:
        """Split the servers into groups that cannot talk to each other."""
        if len(groups) < 1:
            raise ConfigError("partition() needs at least one group, e.g. "
                              "partition(['S1', 'S2'], ['S3', 'S4', 'S5'])")
        self.network.partition(self.nodes, *groups)
        self._trace_row("partition", None, None,
                        detail=" | ".join(",".join(g) for g in self.network.groups))

    def cut(self, src: str, dst: str) -> None:
        """Cut one direction of a link: ``src`` can no longer reach ``dst``."""
        self.network.cut(src, dst)
        self._trace_row("cut", src, dst)

    def heal(self) -> None:
        """Remove every partition, cut and disconnection."""
        self.network.heal()
        self._trace_row("heal", None, None)

    # ------------------------------------------------------- for subclasses
    def _handle_message(self, msg: Any) -> None:
        raise NotImplementedError

    def _handle_timer(self, node: str, name: str) -> None:
        raise NotImplementedError

    def _crash_node(self, node: str) -> None:
        raise NotImplementedError

    def _restart_node(self, node: str) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------------- trace
    TRACE_COLUMNS = ("time", "event", "server", "peer", "type", "term", "sent_at", "detail")

    @property
    def trace(self):
        """Every event so far as a pandas DataFrame (columns: ``TRACE_COLUMNS``)."""
        import pandas as pd

        return pd.DataFrame.from_records(self._trace, columns=self.TRACE_COLUMNS)

    def trace_rows(self) -> list[tuple]:
        """The raw trace, a list of tuples in ``TRACE_COLUMNS`` order."""
        return list(self._trace)

    def deliveries(self) -> list[tuple[float, float, Any]]:
        """Every message delivered so far, in order, whole: ``(time, sent_at, message)``.

        The trace keeps one ``detail`` per message; this keeps every field, for
        tables that show one column per field (``raftlib.tables.append_entries``).
        """
        return list(self._delivered)

    def trace_length(self) -> int:
        """How many events the trace holds (without copying it)."""
        return len(self._trace)

    def trace_tail(self, n: int) -> list[tuple]:
        """The last ``n`` trace rows (without copying the rest)."""
        return self._trace[-n:] if n > 0 else []
