"""The replicated service: a small key-value state machine and a retrying client.

Each server applies committed commands to its own :class:`KVStore`. Commands
that are not :class:`Op` (plain strings, ints, as in the 6.824 tests) are only
logged. With ``dedup`` on, the store remembers each client's last sequence
number and answers a retried request from that table instead of executing it
twice (Raft paper §8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import ConfigError

if TYPE_CHECKING:
    from .cluster import Cluster

OP_KINDS = ("put", "append", "get")
BACKOFF = 0.05  # seconds a client waits before retrying when no leader is known


class Op(NamedTuple):
    """A key-value command: ``put`` / ``append`` a value, or ``get`` a key."""

    kind: str
    key: str
    value: Any = None
    client_id: str | None = None
    seq: int | None = None


class ClientRequest(NamedTuple):
    src: str
    dst: str
    op: Op


class ClientReply(NamedTuple):
    """``ok`` False means "not the leader (any more)": try ``leader_hint`` or another."""

    src: str
    dst: str
    seq: int
    ok: bool
    result: Any
    leader_hint: str | None


class KVStore:
    """A dict with put/append/get, plus the duplicate table when ``dedup`` is on."""

    def __init__(self, dedup: bool = True) -> None:
        self.dedup = dedup
        self.data: dict[str, Any] = {}
        self.sessions: dict[str, tuple[int, Any]] = {}  # client_id -> (last seq, its result)
        self.duplicates_suppressed = 0

    def is_duplicate(self, command: Op) -> bool:
        """Whether the client's request ``command`` was already executed: the client's
        last executed sequence number is at least its own (§8)."""
        last = self.sessions.get(command.client_id)
        return last is not None and command.seq <= last[0]

    def apply(self, command: Any) -> Any:
        """Execute one committed command and return its result."""
        if type(command) is not Op:
            return None
        if self.dedup and command.client_id is not None and self.is_duplicate(command):
            self.duplicates_suppressed += 1
            return self.sessions[command.client_id][1]
        if command.kind == "put":
            self.data[command.key] = command.value
            result = command.value
        elif command.kind == "append":
            result = self.data[command.key] = self.data.get(command.key, "") + command.value
        else:
            result = self.data.get(command.key)
        if command.client_id is not None:
            self.sessions[command.client_id] = (command.seq, result)
        return result


class Client:
    """A client that sends one request at a time to the server it believes leads,
    and retries on a wrong-leader answer or after ``timeout`` seconds of silence,
    with the same (client id, sequence number)."""

    def __init__(self, cluster: "Cluster", client_id: str = "C1", *, timeout: float = 0.5) -> None:
        if not isinstance(client_id, str) or client_id in cluster.nodes:
            raise ConfigError(f"client_id must be a new string name, not a server id; "
                              f"got {client_id!r}")
        if isinstance(timeout, (bool, str)) or not isinstance(timeout, (int, float)) \
                or not 0 < timeout < float("inf"):
            raise ConfigError(f"timeout must be a number of seconds > 0, got {timeout!r}")
        self.cluster = cluster
        self.id = client_id
        self.timeout = float(timeout)
        self.seq = 0
        self.target = cluster.nodes[0]
        self.pending: Op | None = None
        self.attempts = 0
        self.history: list[dict[str, Any]] = []  # one row per finished request
        self._started = 0.0
        cluster._add_client(self)

    # ----------------------------------------------------------------- API
    def put(self, key: str, value: Any) -> None:
        self.request("put", key, value)

    def append(self, key: str, value: str) -> None:
        self.request("append", key, value)

    def get(self, key: str) -> None:
        self.request("get", key)

    def request(self, kind: str, key: str, value: Any = None) -> None:
        """Start a request; run the cluster (or :meth:`wait`) to see it finish."""
        if kind not in OP_KINDS:
            raise ConfigError(f"kind must be one of {OP_KINDS}, got {kind!r}")
        if self.pending is not None:
            raise ConfigError(f"client {self.id} is still waiting for {self.pending}; "
                              f"one request at a time (call wait() first)")
        self.seq += 1
        self.pending = Op(kind, key, value, self.id, self.seq)
        self.attempts = 0
        self._started = self.cluster.now
        self._send()

    def wait(self, timeout: float = 10.0) -> Any:
        """Run the cluster until the pending request is answered; return its result."""
        if not self.cluster.run_until(lambda: self.pending is None, timeout):
            raise ConfigError(f"client {self.id}: no answer within {timeout} virtual seconds")
        return self.history[-1]["result"]

    # ------------------------------------------------------------ internals
    def _send(self) -> None:
        self.attempts += 1
        self.cluster._trace_row("client_send", self.id, self.target, detail=self.pending)
        self.cluster.send(ClientRequest(self.id, self.target, self.pending))
        self.cluster.set_timer(self.id, "retry", self.timeout)

    def _next_server(self) -> str:
        nodes = self.cluster.nodes
        return nodes[(nodes.index(self.target) + 1) % len(nodes)]

    def on_reply(self, reply: ClientReply) -> None:
        if self.pending is None or reply.seq != self.seq:
            return  # an answer to an earlier attempt
        if reply.ok:
            self.history.append({"seq": self.seq, "op": self.pending.kind, "key": self.pending.key,
                                 "value": self.pending.value, "result": reply.result,
                                 "attempts": self.attempts, "sent": self._started,
                                 "answered": self.cluster.now, "server": reply.src})
            self.pending = None
            self.cluster.cancel_timers(self.id)
            return
        hint = reply.leader_hint
        if hint and hint != reply.src:
            self.target = hint
            self._send()
        else:  # nobody known to lead: try the next server after a short pause
            self.target = self._next_server()
            self.cluster.set_timer(self.id, "backoff", BACKOFF)

    def on_timer(self, name: str) -> None:
        if self.pending is None:
            return
        if name == "retry":  # silence: that server may be down or cut off
            self.target = self._next_server()
        self._send()
