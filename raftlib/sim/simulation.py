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

from ..errors import ConfigError, ReentrantRunError, UnknownServerError
from ..validate import check_callable, check_time
from .network import Network

DELIVER, TIMER, CALL, PROCESS = 0, 1, 2, 3
_INF = math.inf
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
    if kind is int or kind is float:
        return 8
    if kind is str:
        return len(value.encode("utf-8"))
    if kind is bytes:
        return len(value)
    if value is None or kind is bool:
        return 1
    return len(pickle.dumps(value, protocol=4))


def _event(entry: tuple, kind: str) -> Event:
    """Describe a carried-out queue entry for :meth:`Simulation.step`."""
    time, _, _, a, b, _ = entry
    if kind in ("deliver", "drop"):
        return Event(time, kind, a.dst, a.src, a)
    if kind == "timer":
        return Event(time, kind, a, None, b)
    return Event(time, kind, None, None, a)


class TraceLog(list):
    """The trace records (plain tuples), keeping the last ``limit`` (all if None).

    Records are rows in ``TRACE_COLUMNS`` order or compact delivery records (see
    :meth:`Simulation._rows`), appended as plain tuples; trimming happens in bulk (when
    twice the limit is reached, and exactly when the rows are read), so a bounded trace
    costs nothing per event. ``dropped`` counts the rows trimmed so far. A deep
    copy (a Timeline snapshot) shares the immutable rows.
    """

    __slots__ = ("limit", "dropped")

    def __init__(self, rows: Iterable[tuple] = (), limit: int | None = None,
                 dropped: int = 0) -> None:
        super().__init__(rows)
        self.limit = limit
        self.dropped = dropped

    def trim(self, keep: int | None = None) -> None:
        """Drop the oldest rows beyond ``keep`` (default: the limit)."""
        keep = self.limit if keep is None else keep
        if keep is not None and len(self) > keep:
            extra = len(self) - keep
            del self[:extra]
            self.dropped += extra

    def __deepcopy__(self, memo: dict) -> "TraceLog":
        return TraceLog(self, self.limit, self.dropped)

    def __reduce__(self):
        return TraceLog, (list(self), self.limit, self.dropped)


def check_trace_limit(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"trace_limit must be None (keep every row) or an int >= 1 "
                          f"(keep the last that many rows), got {value!r}")
    return value


class Stats:
    """Message counts and bytes, by message type and by server.

    ``sent``/``bytes``/``delivered``/``dropped`` are keyed by type name;
    ``sent_by``/``bytes_by`` by sender; ``received_by`` counts requests that
    reached the handler of each server (labrpc's ``GetCount``). Sent bytes
    are counted when a message is sent, delivered or not. The counters are keyed
    by message class (cheaper per message); the properties name the types.
    """

    def __init__(self, reply_types: tuple = ()) -> None:
        self.reply_types = frozenset(reply_types)
        self.out: dict[tuple[type, str], list[int]] = {}  # (type, sender) -> [count, bytes]
        self.into: dict[tuple[type, str], int] = {}       # (type, receiver) -> delivered
        self.dropped: dict[str, int] = {}

    @staticmethod
    def _sum(items, key_index: int, value: Callable[[Any], int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for key, v in items:
            name = key[key_index]
            if type(name) is not str:
                name = name.__name__
            out[name] = out.get(name, 0) + value(v)
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
        return self._sum(((k, v) for k, v in self.into.items() if k[0] not in self.reply_types),
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

    def __init__(self, nodes: list[str], *, seed: int, latency: tuple[float, float],
                 trace_limit: int | None = None) -> None:
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
        self._crashed_at: dict[str, dict[int, float]] = {}  # node -> incarnation -> crash time
        self.timers: dict[tuple[str, str], tuple[float, float]] = {}  # (node, name) -> (set, due)
        self._timer_entry: dict[tuple[str, str], tuple[float, int]] = {}  # queued (time, seq)
        self._heap: list = []
        self._seq = 0
        self._cancelled: set[int] = set()
        # Trace rows in TRACE_COLUMNS order, except deliveries: those are stored as
        # ``(time, code, sent_at, *message)``, a plain tuple (see _rows), and turned
        # into rows only when the trace is read.
        self._trace = TraceLog(limit=check_trace_limit(trace_limit))
        # bulk-trim the trace when it reaches this many rows (never, without a limit)
        self._trace_cap = math.inf if trace_limit is None else 2 * trace_limit
        self._codes: dict[type, int] = {}   # message class -> its code in delivery records
        self._classes: list[type] = []      # and back
        self._message_detail: dict[type, Callable[[Any], Any]] = {}
        self.clients: dict[str, Any] = {}  # endpoints that are not nodes, by id
        # run _after_event after every event (a subclass overriding it may switch it off)
        self._check_events = type(self)._after_event is not Simulation._after_event
        self._running: str | None = None   # the run method on the stack, if any

    def _enter(self, method: str) -> None:
        """Refuse a run from inside a run: time would go back when the inner one returns."""
        if self._running is not None:
            raise ReentrantRunError(
                f"{method}() was called from inside {self._running}() (from a callback, a "
                f"run_until predicate, a process or a client's wait() while the simulation "
                f"runs) at t={self.now:.6f}s; virtual time cannot go back. Schedule the work "
                f"with call_later()/spawn() instead, or call {method}() after {self._running}() "
                f"returns")
        self._running = method

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
        check_callable("fn", fn, "lambda: c.crash('S1')")
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
        try:
            ok = type(delay) is float and 0.0 <= delay < _INF and node in self.up
        except TypeError:
            ok = False
        if not ok or type(name) is not str or not name:
            self._check_timer(node, name, delay)
        key = (node, name)
        due = self.now + delay
        self.timers[key] = (self.now, due)
        pending = self._timer_entry.get(key)
        if pending is None or pending[0] > due:
            self._timer_entry[key] = (due, self._push(due, TIMER, node, name))

    def _check_timer(self, node: Any, name: Any, delay: Any) -> None:
        self._check_endpoint(node)
        if type(name) is not str or not name:
            raise ConfigError(f"a timer's name must be a non-empty str, got {name!r}")
        check_time("delay", delay)

    def _check_endpoint(self, node: Any) -> str:
        """``node`` must be a node or client id of this simulation."""
        try:
            known = node in self.up
        except TypeError:
            known = False
        if not known:
            raise UnknownServerError(f"unknown node {node!r}; the nodes are "
                                     f"{', '.join(self.up)}")
        return node

    def _check_node(self, node: Any, action: str) -> str:
        """``node`` must be one of ``self.nodes`` (not a client)."""
        if isinstance(node, str) and node in self.clients:
            raise ConfigError(f"{action}({node!r}): {node} is a client; only servers can be "
                              f"{action}ed: {', '.join(self.nodes)}")
        if not isinstance(node, str) or node not in self.nodes:
            raise UnknownServerError(f"unknown server {node!r}; the servers are "
                                     f"{', '.join(self.nodes)}")
        return node

    def cancel_timer(self, node: str, name: str) -> None:
        """Stop ``node``'s timer ``name`` if it is running."""
        self._check_endpoint(node)
        self.timers.pop((node, name), None)

    def cancel_timers(self, node: str) -> None:
        """Stop every timer of ``node``."""
        self._check_endpoint(node)
        for key in [k for k in self.timers if k[0] == node]:
            del self.timers[key]

    # -------------------------------------------------------------- messages
    def send(self, msg: Any, extra_delay: float = 0.0) -> None:
        """Put ``msg`` (a named tuple with ``src``/``dst`` fields) on the network."""
        cls, src, now = type(msg), msg.src, self.now
        key = (cls, src)
        size = self.wire_size(msg)
        out = self.stats.out
        counts = out.get(key)
        if counts is None:
            out[key] = [1, size]
        else:
            counts[0] += 1
            counts[1] += size
        network = self.network
        if network.blocked and (src, msg.dst) in network.blocked:
            self._drop(msg, "unreachable", now)
            return
        incarnation = self.incarnation[src]
        if extra_delay:  # held by the sender (a disk write): it leaves at ``start``
            incarnation = (incarnation, now + extra_delay)
        if network._reliable:  # Network.delays of a reliable network, inlined
            low, high = network._latency
            delay = low + (high - low) * network._rng.random()
            self._seq = seq = self._seq + 1
            heapq.heappush(self._heap, (now + extra_delay + delay, seq, DELIVER, msg, now,
                                        incarnation))
            return
        delays = network.delays(cls in self.reply_types)
        if not delays:
            self._drop(msg, "lost", now)
        start = now + extra_delay
        for delay in delays:
            self._seq += 1
            heapq.heappush(self._heap, (start + delay, self._seq, DELIVER, msg, now, incarnation))

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
        if self._running is not None:
            self._enter("deliver_now")
        entry = self._find_in_flight(msg_id)
        self._enter("deliver_now")
        try:
            self._cancelled.add(msg_id)
            self._seq += 1
            entry = (self.now, self._seq) + entry[2:]
            kind = self._dispatch(entry)
            if self._check_events:
                self._after_event()
        finally:
            self._running = None
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
            elif (not up[src] or c != self.incarnation[src]) and not self._still_sent(src, c):
                reason = "sender crashed"
            elif self.network.blocked and (src, dst) in self.network.blocked:
                reason = "unreachable"
            else:
                cls = type(msg)
                key = (cls, dst)
                into = self.stats.into
                into[key] = into.get(key, 0) + 1
                try:
                    code = self._codes[cls]
                except KeyError:
                    code = self._code(cls)
                self._trace.append((time, code, b) + msg)  # the delivery record
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
        self._enter("step")
        try:
            while heap:
                entry = heapq.heappop(heap)
                kind = self._dispatch(entry)
                if kind is not None:
                    if self._check_events:
                        self._after_event()
                    if len(self._trace) > self._trace_cap:
                        self._trim()
                    return _event(entry, kind)
            return None
        finally:
            self._running = None

    def run(self, seconds: float) -> None:
        """Advance virtual time by ``seconds``, carrying out every event on the way."""
        self._advance(self.now + check_time("seconds", seconds), "run")

    def run_to(self, time: float) -> None:
        """Advance virtual time to exactly ``time`` (not before now), carrying out
        every event on the way. Replaying a run to a recorded time lands on that
        very float, which ``run(time - now)`` need not."""
        end = check_time("time", time)
        if end < self.now:
            raise ConfigError(f"time {time!r} is in the past (now is {self.now!r}); "
                              f"virtual time only moves forward")
        self._advance(end, "run_to")

    def _advance(self, end: float, method: str) -> None:
        self._enter(method)
        try:
            heap, dispatch, pop = self._heap, self._dispatch, heapq.heappop
            trace, cap = self._trace, self._trace_cap
            while heap and heap[0][0] <= end:
                if dispatch(pop(heap)) is not None:
                    if self._check_events:
                        self._after_event()
                    if len(trace) > cap:
                        self._trim()
            self.now = end
        finally:
            self._running = None

    def run_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Run until ``predicate()`` is true (checked after every event) or
        ``timeout`` virtual seconds pass; return whether it became true."""
        check_callable("predicate", predicate, "lambda: c.leader() is not None")
        end = self.now + check_time("timeout", timeout)
        self._enter("run_until")
        try:
            if predicate():
                return True
            heap, dispatch, pop = self._heap, self._dispatch, heapq.heappop
            trace, cap = self._trace, self._trace_cap
            while heap and heap[0][0] <= end:
                if dispatch(pop(heap)) is not None:
                    if self._check_events:
                        self._after_event()
                    if len(trace) > cap:
                        self._trim()
                    if predicate():
                        return True
            self.now = end
            return bool(predicate())
        finally:
            self._running = None

    def run_process(self, process: Generator[float, None, Any], timeout: float = 60.0) -> Any:
        """Run the simulation until ``process`` finishes (at most ``timeout`` virtual
        seconds) and return its result."""
        if self._running is not None:
            self._enter("run_process")
        box: dict[str, Any] = {}

        def wrapper():
            box["result"] = yield from process
            box["done"] = True

        self.spawn(wrapper())
        if not self.run_until(lambda: "done" in box, timeout):
            raise ConfigError(f"the process did not finish within {timeout} virtual seconds")
        return box["result"]

    def _after_event(self) -> None:
        """Hook run after every event while ``_check_events`` (continuous checking)."""

    def _trim(self) -> None:
        """Keep the last ``trace_limit`` trace rows (deliveries among them)."""
        self._trace.trim()

    def _still_sent(self, src: str, tag: Any) -> bool:
        """Whether a message of ``src`` tagged ``tag`` (its sender's incarnation, with its
        departure time if the sender held it back) is delivered: it is the running
        incarnation's, or it left before that incarnation crashed and the network
        delivers such messages (``deliver_from_crashed``). A message still held back
        when its sender crashed never left."""
        incarnation, departs = tag if type(tag) is tuple else (tag, -math.inf)
        if self.up[src] and incarnation == self.incarnation[src]:
            return True
        return (self.network.deliver_from_crashed
                and departs <= self._crashed_at[src][incarnation])

    # ---------------------------------------------------------------- faults
    def crash(self, node: str) -> None:
        """Stop ``node``: its timers stop and its messages still in flight are lost
        (unless ``network.deliver_from_crashed``)."""
        self._check_node(node, "crash")
        if not self.up[node]:
            return
        self.up[node] = False
        self._crashed_at.setdefault(node, {})[self.incarnation[node]] = self.now
        self.cancel_timers(node)
        self._trace_row("crash", node, None)
        self._crash_node(node)

    def restart(self, node: str) -> None:
        """Start a crashed node again from what it persisted (a running one is crashed first)."""
        self._check_node(node, "restart")
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
    #: Every value the ``event`` column takes (subclasses add theirs).
    TRACE_EVENTS: tuple[str, ...] = ("deliver", "drop", "duplicate", "timer", "crash", "restart",
                                     "disconnect", "connect", "partition", "cut", "heal")

    @property
    def trace(self):
        """The trace as a pandas DataFrame (columns: ``TRACE_COLUMNS``): every event
        so far, or the last ``trace_limit`` (see :attr:`trace_dropped`)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.trace_rows(), columns=self.TRACE_COLUMNS)

    def trace_rows(self) -> list[tuple]:
        """The raw trace, a list of tuples in ``TRACE_COLUMNS`` order (the last
        ``trace_limit`` rows when the cluster was made with one)."""
        self._trim()
        return self._rows(self._trace)

    def _code(self, cls: type) -> int:
        """The code of message class ``cls`` in delivery records (given on first delivery)."""
        if not issubclass(cls, tuple):
            raise ConfigError(f"messages must be named tuples (with src and dst fields), "
                              f"got a {cls.__name__}")
        self._codes[cls] = len(self._classes)
        self._classes.append(cls)
        return self._codes[cls]

    def _message(self, record: tuple) -> Any:
        """The message a delivery record ``(time, code, sent_at, *fields)`` holds."""
        return tuple.__new__(self._classes[record[1]], record[3:])

    def _rows(self, records: Iterable[tuple]) -> list[tuple]:
        """Trace rows in ``TRACE_COLUMNS`` order from stored records.

        A delivery is stored as ``(time, code, sent_at, *message)``: one plain tuple of
        the message's fields, not the message object and a row beside it. That costs
        about half the memory, and a tuple of plain values leaves the garbage collector's
        tracking, which a growing trace of message objects would not."""
        detail, rows = self._message_detail, []
        for r in records:
            if type(r[1]) is int:
                msg = self._message(r)
                cls = type(msg)
                describe = detail.get(cls)
                r = (r[0], "deliver", msg.dst, msg.src, cls.__name__, getattr(msg, "term", None),
                     r[2], describe(msg) if describe else None)
            rows.append(r)
        return rows

    @property
    def trace_limit(self) -> int | None:
        """How many trace rows are kept (None: all)."""
        return self._trace.limit

    @property
    def trace_dropped(self) -> int:
        """How many of the oldest trace rows were dropped to respect ``trace_limit``."""
        self._trim()
        return self._trace.dropped

    @property
    def trace_count(self) -> int:
        """How many trace rows were ever recorded (kept and dropped)."""
        return self._trace.dropped + len(self._trace)

    def deliveries(self) -> list[tuple[float, float, Any]]:
        """Every message delivered so far, in order, whole: ``(time, sent_at, message)``
        (with ``trace_limit``, those among the trace rows kept).

        The trace keeps one ``detail`` per message; this keeps every field, for
        tables that show one column per field (``raftlib.tables.append_entries``).
        """
        self._trim()
        return [(r[0], r[2], self._message(r)) for r in self._trace if type(r[1]) is int]

    def trace_length(self) -> int:
        """How many events the trace holds (without copying it)."""
        return len(self._trace)

    def trace_tail(self, n: int) -> list[tuple]:
        """The last ``n`` trace rows (without copying the rest)."""
        self._trim()
        return self._rows(self._trace[-n:]) if n > 0 else []
