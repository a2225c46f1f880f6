"""A naive primary/backup service with a test-and-set server: the system that splits its brain.

Lesson 2 runs it on the same simulator as Raft. Replicas "P1", "P2", ... keep a
key-value store; a test-and-set server "TS" holds one flag, the name of the
primary (VMware FT's shared-disk test-and-set, in spirit).

- The primary executes each client write, forwards it (``Replicate``) to every
  backup it believes alive and answers the client once they acknowledge.
- Every replica pings the other replicas and TS every ``ping_interval``. A peer
  not heard from for ``failure_timeout`` is presumed dead: the primary stops
  waiting for such a backup; a backup whose primary is presumed dead asks TS to
  make it primary (``TestAndSet``).
- TS grants the flag if it is free, or if TS, too, has not heard from the holder
  for ``failure_timeout``.

Nothing tells an old primary that it was replaced, and nobody can tell a
crashed server from a cut-off one. So a network partition that puts the
primary on one side and TS with a backup on the other makes two primaries that
both accept writes (split brain). With TS crashed, no backup can ever take
over (a single point of failure).

>>> import raftlib as rl
>>> pb = rl.PrimaryBackup(seed=1)
>>> pb.run(0.5); pb.primaries()
['P1']
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import ConfigError, UnknownServerError
from .kv import Client, ClientReply, ClientRequest, KVStore, Op
from .sim.simulation import Simulation, payload_size
from .validate import check_number, check_range, check_time

PRIMARY = "primary"
BACKUP = "backup"
TS = "TS"
MAX_REPLICAS = 50


class Ping(NamedTuple):
    """"I am alive", sent every ``ping_interval``; ``primary`` says whether the sender believes it is primary."""

    src: str
    dst: str
    primary: bool


class TestAndSet(NamedTuple):
    """A backup asks TS for the primary flag."""

    src: str
    dst: str


class TestAndSetReply(NamedTuple):
    """TS's answer: ``granted``, and who holds the flag now."""

    src: str
    dst: str
    granted: bool
    holder: str | None


class Replicate(NamedTuple):
    """The primary forwards a write it executed to a backup."""

    src: str
    dst: str
    op: Op


class ReplicateReply(NamedTuple):
    """A backup's acknowledgement; ``ok`` is False if the receiver is a primary itself."""

    src: str
    dst: str
    client_id: str | None
    seq: int | None
    ok: bool


@dataclass
class Replica:
    """One replica's state: its role, whom it believes is primary, and when it last heard each peer."""

    id: str
    role: str = BACKUP
    primary_id: str | None = None
    last_heard: dict[str, float] = field(default_factory=dict)
    # (client_id, seq) -> [the client's request, backups still to acknowledge]
    pending: dict[tuple[str | None, int | None], list] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Replica {self.id} {self.role} primary={self.primary_id}>"


@dataclass
class TestAndSetServer:
    """The coordinator: one flag (``holder``) and when it last heard each replica."""

    id: str
    holder: str | None = None
    last_heard: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<TestAndSetServer holder={self.holder}>"


class PrimaryBackup(Simulation):
    """``replicas`` replicas "P1".."Pn" plus the test-and-set server "TS" on a simulated network.

    ``initial_primary`` starts as primary with TS's flag already set to it (None:
    the replicas race for the flag at start). Times are virtual seconds. The
    fault controls (crash, restart, partition, disconnect, cut, heal) and
    ``run``/``run_until``/``trace`` come from :class:`~raftlib.sim.Simulation`;
    clients come from :meth:`client` (the same retrying client as Raft's).
    """

    reply_types = (TestAndSetReply, ReplicateReply, ClientReply)
    TRACE_EVENTS = Simulation.TRACE_EVENTS + ("role", "grant", "suspect", "client_send")

    def __init__(self, replicas: int = 2, *, seed: int = 0, ping_interval: float = 0.05,
                 failure_timeout: float = 0.2, latency: tuple[float, float] = (0.002, 0.010),
                 initial_primary: str | None = "P1") -> None:
        if isinstance(replicas, bool) or not isinstance(replicas, int) or \
                not 2 <= replicas <= MAX_REPLICAS:
            raise ConfigError(f"replicas must be an int >= 2 and <= {MAX_REPLICAS} (a primary "
                              f"and at least one backup), got {replicas!r}")
        self.ping_interval = check_time("ping_interval", ping_interval)
        if self.ping_interval <= 0:
            raise ConfigError(f"ping_interval must be > 0 seconds, got {ping_interval!r}")
        self.failure_timeout = check_time("failure_timeout", failure_timeout)
        if self.failure_timeout <= self.ping_interval:
            raise ConfigError(f"failure_timeout must be longer than ping_interval "
                              f"({self.ping_interval}s), or every peer looks dead; "
                              f"got {failure_timeout!r}")
        names = [f"P{i}" for i in range(1, replicas + 1)]
        if initial_primary is not None and initial_primary not in names:
            raise ConfigError(f"initial_primary must be one of {', '.join(names)} or None, "
                              f"got {initial_primary!r}")
        super().__init__(names + [TS], seed=seed, latency=check_range("latency", latency))
        self.replica_ids = names
        self.initial_primary = initial_primary
        self.replicas: dict[str, Replica] = {}
        self.kv: dict[str, KVStore] = {r: KVStore(dedup=True) for r in names}
        self.ts = TestAndSetServer(TS, holder=initial_primary)
        self._writes: list[tuple] = []
        self._message_detail = {
            Ping: lambda m: "primary" if m.primary else "backup",
            TestAndSetReply: lambda m: f"granted={m.granted} holder={m.holder}",
            Replicate: lambda m: _describe(m.op),
            ReplicateReply: lambda m: m.ok,
            ClientRequest: lambda m: _describe(m.op),
            ClientReply: lambda m: m.ok,
        }
        self.ts.last_heard = {r: 0.0 for r in names}
        for rid in names:
            self._start_replica(rid, first=True)

    # ------------------------------------------------------------ servers
    def _start_replica(self, rid: str, *, first: bool = False) -> None:
        """Start ``rid`` as a backup (the initial primary as primary on the first start)."""
        replica = Replica(rid, last_heard={p: self.now for p in self.replica_ids if p != rid})
        if first:
            replica.primary_id = self.initial_primary
            if rid == self.initial_primary:
                replica.role = PRIMARY
            elif self.initial_primary is None:
                self.send(TestAndSet(rid, TS))  # race for the flag
        self.replicas[rid] = replica
        self.set_timer(rid, "ping", self.ping_interval)

    def __getitem__(self, sid: str) -> Replica | TestAndSetServer:
        """A replica's state, or the test-and-set server's for ``"TS"``."""
        if sid == TS:
            return self.ts
        return self.replicas[self._check_replica(sid)]

    @property
    def servers(self) -> dict[str, Replica | TestAndSetServer]:
        return {**self.replicas, TS: self.ts}

    def _check_replica(self, sid: Any) -> str:
        if not isinstance(sid, str) or sid not in self.replicas:
            raise UnknownServerError(f"unknown replica {sid!r}; the replicas are "
                                     f"{', '.join(self.replica_ids)} (and the test-and-set "
                                     f"server {TS})")
        return sid

    def _alive(self, replica: Replica, peer: str) -> bool:
        """Whether ``replica`` has heard from ``peer`` within ``failure_timeout``."""
        return self.now - replica.last_heard[peer] <= self.failure_timeout

    # ----------------------------------------------------------- handlers
    def _handle_message(self, msg: Any) -> None:
        dst = msg.dst
        if dst in self.clients:
            self.clients[dst].on_reply(msg)
        elif dst == TS:
            self._ts_receive(msg)
        else:
            self._replica_receive(self.replicas[dst], msg)

    def _ts_receive(self, msg: Any) -> None:
        ts = self.ts
        kind = type(msg)
        if kind is Ping or kind is TestAndSet:
            ts.last_heard[msg.src] = self.now
        if kind is TestAndSet:
            holder = ts.holder
            free = holder is None or holder == msg.src or (
                self.now - ts.last_heard[holder] > self.failure_timeout)
            if free:
                ts.holder = msg.src
                self._trace_row("grant", TS, msg.src, detail=f"flag {holder} -> {msg.src}")
            self.send(TestAndSetReply(TS, msg.src, free, ts.holder))
        elif kind is ClientRequest:  # TS is no replica: point the client at the holder
            self.send(ClientReply(TS, msg.src, msg.op.seq, False, None, ts.holder))

    def _replica_receive(self, replica: Replica, msg: Any) -> None:
        kind = type(msg)
        if msg.src in replica.last_heard:
            replica.last_heard[msg.src] = self.now
        if kind is Ping:
            if msg.primary and replica.role == BACKUP:
                replica.primary_id = msg.src
        elif kind is TestAndSetReply:
            if msg.granted and replica.role == BACKUP:
                replica.role, replica.primary_id = PRIMARY, replica.id
                self._trace_row("role", replica.id, None, detail=PRIMARY)
            elif not msg.granted and replica.role == BACKUP:
                replica.primary_id = msg.holder
        elif kind is ClientRequest:
            self._client_request(replica, msg)
        elif kind is Replicate:
            ok = replica.role == BACKUP
            if ok:
                self._execute(replica, msg.op)
            self.send(ReplicateReply(replica.id, msg.src, msg.op.client_id, msg.op.seq, ok))
        elif kind is ReplicateReply:
            waiting = replica.pending.get((msg.client_id, msg.seq))
            if waiting is not None:
                waiting[1].discard(msg.src)
                self._answer_if_done(replica, (msg.client_id, msg.seq))

    def _client_request(self, replica: Replica, msg: ClientRequest) -> None:
        op = msg.op
        if replica.role != PRIMARY:
            hint = replica.primary_id if replica.primary_id != replica.id else None
            self.send(ClientReply(replica.id, msg.src, op.seq, False, None, hint))
            return
        key = (op.client_id, op.seq)
        if key in replica.pending:
            return  # a retry of a write still waiting for its backups
        result = self._execute(replica, op)
        if op.kind == "get":
            self.send(ClientReply(replica.id, msg.src, op.seq, True, result, replica.id))
            return
        backups = {p for p in replica.last_heard if self._alive(replica, p)}
        replica.pending[key] = [msg, backups, result]
        for backup in sorted(backups):
            self.send(Replicate(replica.id, backup, op))
        self._answer_if_done(replica, key)

    def _execute(self, replica: Replica, op: Op) -> Any:
        kv = self.kv[replica.id]
        last = kv.sessions.get(op.client_id)
        duplicate = last is not None and op.seq is not None and op.seq <= last[0]
        result = kv.apply(op)
        if op.kind != "get" and not duplicate:
            self._writes.append((self.now, replica.id, replica.role, op.client_id, op.seq,
                                 op.kind, op.key, op.value, kv.data.get(op.key)))
        return result

    def _answer_if_done(self, replica: Replica, key: tuple) -> None:
        request, waiting, result = replica.pending[key]
        if not waiting:
            del replica.pending[key]
            self.send(ClientReply(replica.id, request.src, request.op.seq, True, result,
                                  replica.id))

    def _handle_timer(self, node: str, name: str) -> None:
        if node in self.clients:
            self.clients[node].on_timer(name)
            return
        replica = self.replicas[node]
        is_primary = replica.role == PRIMARY
        for peer in (*replica.last_heard, TS):
            self.send(Ping(node, peer, is_primary))
        if is_primary:  # stop waiting for backups presumed dead
            for key in list(replica.pending):
                waiting = replica.pending[key][1]
                dead = {b for b in waiting if not self._alive(replica, b)}
                if dead:
                    waiting -= dead
                    self._trace_row("suspect", node, ",".join(sorted(dead)))
                    self._answer_if_done(replica, key)
        elif replica.primary_id is None or not self._alive(replica, replica.primary_id):
            self._trace_row("suspect", node, replica.primary_id)
            self.send(TestAndSet(node, TS))
        self.set_timer(node, "ping", self.ping_interval)

    def _crash_node(self, node: str) -> None:
        if node in self.replicas:
            self.replicas[node].pending.clear()

    def _restart_node(self, node: str) -> None:
        """A replica comes back as a backup with its store (kept on disk); TS keeps its flag."""
        if node == TS:
            self.ts.last_heard = {r: self.now for r in self.replica_ids}
        elif node in self.replicas:
            self._start_replica(node)

    def wire_size(self, msg: Any) -> int:
        size = 8 * len(msg)
        if type(msg) is Replicate or type(msg) is ClientRequest:
            size += payload_size(msg.op)
        return size

    # ------------------------------------------------------------ clients
    def client(self, client_id: str = "C1", *, timeout: float = 0.5) -> Client:
        """A key-value client (put/append/get) that retries, like Raft's :meth:`Cluster.client`."""
        return Client(self, client_id, timeout=timeout)

    # -------------------------------------------------------- observation
    def primaries(self) -> list[str]:
        """The running replicas that believe they are the primary (two of them: split brain)."""
        return [r for r in self.replica_ids if self.up[r] and self.replicas[r].role == PRIMARY]

    @property
    def ts_holder(self) -> str | None:
        """Whom the test-and-set server's flag names as primary."""
        return self.ts.holder

    def data(self, replica: str) -> dict[str, Any]:
        """A copy of ``replica``'s key-value store."""
        return dict(self.kv[self._check_replica(replica)].data)

    WRITE_COLUMNS = ("time", "replica", "as", "client", "seq", "kind", "key", "value", "now")

    def writes(self, replica: str | None = None):
        """Every write a replica executed, as a pandas DataFrame: ``as`` is the replica's
        role then ("primary": it accepted the write from a client; "backup": forwarded),
        ``now`` the key's value after it."""
        import pandas as pd

        if replica is not None:
            self._check_replica(replica)
        rows = self._writes if replica is None else [w for w in self._writes if w[1] == replica]
        return pd.DataFrame.from_records(rows, columns=self.WRITE_COLUMNS)

    def state(self):
        """One row per replica: up, role ("crashed" if down), whom it believes is primary, its data."""
        import pandas as pd

        rows = [{"replica": r, "up": self.up[r],
                 "role": self.replicas[r].role if self.up[r] else "crashed",
                 "believes primary": self.replicas[r].primary_id,
                 "data": dict(sorted(self.kv[r].data.items()))} for r in self.replica_ids]
        rows.append({"replica": TS, "up": self.up[TS], "role": "test-and-set",
                     "believes primary": self.ts.holder, "data": None})
        return pd.DataFrame(rows).set_index("replica")

    def view(self, server: str, *, since: float = 0.0):
        """What ``server`` received (its only window on the world): time, from, type, detail."""
        self.network.check_endpoint(server)
        since = check_number("since", since, low=-math.inf)
        rows = [(t, peer, kind, detail)
                for t, event, srv, peer, kind, _, _, detail in self.trace_rows()
                if event == "deliver" and srv == server and t >= since]
        import pandas as pd

        return pd.DataFrame.from_records(rows, columns=("time", "from", "type", "detail"))

    def __repr__(self) -> str:
        return (f"<PrimaryBackup replicas={len(self.replica_ids)} seed={self.seed} "
                f"t={self.now:.3f}s primaries={self.primaries()} ts={self.ts.holder}>")


def _describe(op: Op) -> str:
    if op.kind == "get":
        return f"get {op.key}"
    return f"{op.kind} {op.key}={op.value!r}"
