"""A Raft cluster on the deterministic simulator: the object every lesson drives.

>>> import raftlib as rl
>>> c = rl.Cluster(5, seed=7)
>>> c.run(1.0); c.leader() is not None
True
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable

from .core import (AppendEntries, AppendEntriesReply, Entry, LEADER, PersistentState, PreVote,
                   PreVoteReply, RaftNode, RequestVote, RequestVoteReply)
from .core.messages import REPLY_TYPES
from .errors import ConfigError, InvalidCommandError, UnknownServerError
from .kv import Client, ClientReply, ClientRequest, KVStore, Op, op_problem
from .safety import SafetyMonitor
from .sim.simulation import Simulation, copy_value, payload_size
from .validate import (check_bool, check_choice, check_int, check_number, check_range,
                       check_time)

_SHARED = frozenset((str, int, float, bool, type(None)))  # commands that need no copy
_COMMAND = attrgetter("command")
_NO_INPUT = object()  # an input method called without an argument

#: Named timings. "paper": the Raft paper's 150-300 ms timeouts with 50 ms heartbeats.
#: "mit": the MIT 6.824 lab, whose tester allows at most 10 heartbeats a second.
TIMINGS = {
    "paper": {"election_timeout": (0.150, 0.300), "heartbeat_interval": 0.050},
    "mit": {"election_timeout": (0.300, 0.600), "heartbeat_interval": 0.100},
}
MAX_SERVERS = 101          # more makes every heartbeat round a 10,000-message affair
MIN_HEARTBEAT = 0.0001     # seconds (0.1 ms); far below, a virtual second takes minutes


def _check_command(command: Any) -> Any:
    """A private copy of ``command`` if it can be logged, else InvalidCommandError."""
    if isinstance(command, Op):
        problem = op_problem(command)
        if problem is not None:
            raise InvalidCommandError(f"submit({command!r}) refused: {problem}")
    try:
        payload_size(command)
        return copy_value(command)
    except Exception as err:  # noqa: BLE001 - whatever pickle/deepcopy raise for this type
        raise InvalidCommandError(
            f"submit: command {command!r} cannot be sent over the simulated wire "
            f"({type(err).__name__}: {err}); use data: strings, numbers, tuples, lists, "
            f"dicts or rl.Op(...)") from None


def _own(entry: Entry) -> Entry:
    """``entry`` with a command that shares nothing mutable (itself if it shares nothing)."""
    command = copy_value(entry.command)
    return entry if command is entry.command else Entry(entry.term, command)


class Cluster(Simulation):
    """``n`` Raft servers "S1".."Sn" on a simulated network, with faults and checks.

    Times are virtual seconds. ``election_timeout`` and ``latency`` are (low, high)
    ranges drawn uniformly. ``storage_latency`` (default none: writes are
    instantaneous) makes each change of a server's persistent state a disk write
    taking that long; its messages leave only when its writes are done (unless
    :meth:`RaftNode.hold_until_persisted` says otherwise) and a crash keeps only
    completed writes (:meth:`disk`). ``pre_vote`` and ``check_quorum`` switch on
    the dissertation's PreVote (§9.6) and CheckQuorum with the leader lease
    (§6.2, §4.2.3); off, the servers follow Figure 2 exactly. ``timing``
    picks a preset from :data:`TIMINGS` ("paper" by default, "mit" for the lab's).
    ``check_every_event`` runs :meth:`check` after every event.

    Bounds (ConfigError otherwise): 1 <= n <= :data:`MAX_SERVERS`;
    :data:`MIN_HEARTBEAT` <= ``heartbeat_interval`` < the low election timeout
    (else followers time out between heartbeats and elections never stop);
    the flags are real bools.
    ``trace_limit`` keeps only the last that many trace rows (None, the default,
    keeps all), so a long run's memory stays bounded; :attr:`trace_dropped` counts
    the rows dropped.
    """

    reply_types = REPLY_TYPES + (ClientReply,)
    TRACE_EVENTS = Simulation.TRACE_EVENTS + ("role", "apply", "submit", "client_send")
    #: The state machine each server applies committed commands to (exercise 09 swaps it).
    store_class: type = KVStore

    def __init__(self, n: int, *, seed: int = 0, timing: str = "paper",
                 election_timeout: tuple[float, float] | None = None,
                 heartbeat_interval: float | None = None,
                 latency: tuple[float, float] = (0.002, 0.010),
                 storage_latency: tuple[float, float] | None = None,
                 node_class: type = RaftNode, noop_on_election: bool = False,
                 pre_vote: bool = False, check_quorum: bool = False,
                 dedup: bool = True, check_every_event: bool = False,
                 trace_limit: int | None = None) -> None:
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SERVERS:
            raise ConfigError(f"n must be an int >= 1 and <= {MAX_SERVERS} (the number of "
                              f"servers), got {n!r}")
        check_choice("timing", timing, sorted(TIMINGS))
        for flag, value in (("noop_on_election", noop_on_election), ("dedup", dedup),
                            ("check_every_event", check_every_event), ("pre_vote", pre_vote),
                            ("check_quorum", check_quorum)):
            check_bool(flag, value)
        if not (isinstance(node_class, type) and issubclass(node_class, RaftNode)):
            raise ConfigError(f"node_class must be RaftNode or a subclass of it, got {node_class!r}")
        preset = TIMINGS[timing]
        self.election_timeout = check_range(
            "election_timeout", preset["election_timeout"] if election_timeout is None
            else election_timeout, allow_zero=False)
        self.heartbeat_interval = check_number(
            "heartbeat_interval", preset["heartbeat_interval"] if heartbeat_interval is None
            else heartbeat_interval, low=MIN_HEARTBEAT)
        if self.heartbeat_interval >= self.election_timeout[0]:
            raise ConfigError(f"heartbeat_interval ({self.heartbeat_interval:g} s) must be "
                              f"shorter than the low election timeout "
                              f"({self.election_timeout[0]:g} s), or followers time out between "
                              f"heartbeats; election_timeout={self.election_timeout}")
        self.storage_latency = (None if storage_latency is None
                                else check_range("storage_latency", storage_latency))
        super().__init__([f"S{i}" for i in range(1, n + 1)], seed=seed, latency=latency,
                         trace_limit=trace_limit)
        self.node_class = node_class
        self.noop_on_election = noop_on_election
        self.pre_vote = pre_vote
        self.check_quorum = check_quorum
        self.dedup = dedup
        self.check_every_event = check_every_event
        self._nodes: dict[str, RaftNode] = {}
        self._disk: dict[str, Any] = {}             # each server's completed writes
        self._writes: dict[str, list[tuple[float, Any]]] = {}  # (done at, state) not yet done
        self._disk_free: dict[str, float] = {}      # when each server's disk is idle again
        self.kv: dict[str, KVStore] = {}
        self._applied: dict[str, int] = {}  # how many entries applied, this incarnation
        self._pending: dict[str, dict[int, ClientRequest]] = {}
        self.safety = SafetyMonitor(self)
        self._timeout_rng = {sid: self.rng(f"timeout:{sid}") for sid in self.nodes}
        self._message_detail = {
            AppendEntries: lambda m: len(m.entries),
            AppendEntriesReply: lambda m: m.success,
            RequestVoteReply: lambda m: m.vote_granted,
            RequestVote: lambda m: m.last_log_index,
            PreVoteReply: lambda m: m.vote_granted,
            PreVote: lambda m: m.last_log_index,
        }
        for sid in self.nodes:
            self._start_server(sid, None)

    # ------------------------------------------------------------ servers
    def _start_server(self, sid: str, state: Any) -> None:
        node = self.node_class(sid, self.nodes, noop_on_election=self.noop_on_election,
                               pre_vote=self.pre_vote, check_quorum=self.check_quorum)
        if state is not None:
            node.restore(state)
        self._nodes[sid] = node
        self.kv[sid] = self.store_class(self.dedup)
        self._applied[sid] = 0
        self._pending[sid] = {}
        self._run(sid, lambda: None)  # start the timers the new node asks for

    def __getitem__(self, sid: str) -> RaftNode:
        """The server ``sid`` (its current incarnation, running or crashed)."""
        self._check_server(sid)
        return self._nodes[sid]

    @property
    def servers(self) -> dict[str, RaftNode]:
        return dict(self._nodes)

    def _check_server(self, sid: Any) -> str:
        if not isinstance(sid, str) or sid not in self._nodes:
            raise UnknownServerError(f"unknown server {sid!r}; the servers are "
                                     f"{', '.join(self.nodes)}")
        return sid

    def _run(self, sid: str, handler: Callable, arg: Any = _NO_INPUT) -> Any:
        """Feed one input to a server (``handler(arg)``, or ``handler()`` without an
        ``arg``), then carry out what it asks for."""
        node = self._nodes[sid]
        role = node.role
        durable = self._durable(node) if self.storage_latency is not None else None
        result = handler() if arg is _NO_INPUT else handler(arg)
        if node.election_timer_reset:
            node.election_timer_reset = False
            low, high = self.election_timeout
            self.set_timer(sid, "election", low + (high - low) * self._timeout_rng[sid].random())
        if node.heartbeat_timer_reset:
            node.heartbeat_timer_reset = False
            self.set_timer(sid, "heartbeat", self.heartbeat_interval)
        if node.lease_timer_reset:
            node.lease_timer_reset = False
            self.set_timer(sid, "lease", self.election_timeout[0])
        if node.role != role:
            self._trace_row("role", sid, None, detail=node.role)
            if node.role == LEADER:
                if not node.check_quorum:  # with it, the timer times the quorum check
                    self.cancel_timer(sid, "election")  # a leader has no election timer
                self.safety.on_new_leader(sid, node)
            elif role == LEADER:
                self.cancel_timer(sid, "heartbeat")  # nor a follower a heartbeat timer
        delay = 0.0
        if durable is not None:  # messages wait for every write issued so far (FIFO disk)
            if durable != self._durable(node):
                delay = self._disk_write(sid, node.persistent_state())
            else:
                delay = max(0.0, self._disk_free.get(sid, 0.0) - self.now)
        if node.outbox:
            out, node.outbox = node.outbox, []
            send = self.send
            if delay:
                hold = node.hold_until_persisted
                for msg in out:
                    send(msg, delay if hold(msg) else 0.0)
            else:
                for msg in out:
                    send(msg)
        if node.to_apply:
            applies, node.to_apply = node.to_apply, []
            self._apply(sid, applies)
        return result

    @staticmethod
    def _durable(node: RaftNode) -> tuple:
        """A cheap fingerprint of the persistent state (it changes when the state does)."""
        log = node.log
        return node.current_term, node.voted_for, len(log), log[-1] if log else None

    def _disk_write(self, sid: str, state: Any) -> float:
        """Queue one write of ``state`` on ``sid``'s disk; return how long until it is done.

        Writes complete in order; a crash keeps only the writes completed by then.
        """
        writes = self._writes.setdefault(sid, [])
        while writes and writes[0][0] <= self.now:   # fold completed writes into the disk
            self._disk[sid] = writes.pop(0)[1]
        start = max(self.now, self._disk_free.get(sid, 0.0))
        done = self._disk_free[sid] = start + self.rng(f"storage:{sid}").uniform(
            *self.storage_latency)
        writes.append((done, state))
        return done - self.now

    def writing(self, sid: str) -> bool:
        """Whether a disk write of server ``sid`` is still under way (a crash now loses it)."""
        self._check_server(sid)
        return self.up[sid] and self._disk_free.get(sid, 0.0) > self.now

    def disk(self, sid: str) -> Any:
        """What server ``sid``'s stable storage holds now: the
        :class:`~raftlib.core.PersistentState` of its last completed write (with
        no ``storage_latency``, every change is written at once)."""
        self._check_server(sid)
        if self.storage_latency is None:
            return (self._disk[sid] if not self.up[sid] and sid in self._disk
                    else self._nodes[sid].persistent_state())
        done = self._disk.get(sid)
        for when, state in self._writes.get(sid, ()):
            if when > self.now:
                break
            done = state
        return done if done is not None else PersistentState(0, None, ())

    def _apply(self, sid: str, applies: list[tuple[int, Entry]]) -> None:
        self.safety.on_apply(sid, applies)
        self._applied[sid] += len(applies)  # safety.chosen keeps the entries themselves
        kv, pending = self.kv[sid], self._pending[sid]
        for index, entry in applies:
            result = kv.apply(entry.command)
            request = pending.pop(index, None) if pending else None
            if request is not None:
                ok = type(entry.command) is Op and entry.command == request.op
                self.send(ClientReply(sid, request.src, request.op.seq, ok, result,
                                      self._nodes[sid].leader_id))
        self._trace.append((self.now, "apply", sid, None, None, None, None, applies[-1][0]))

    def _handle_message(self, msg: Any) -> None:
        dst = msg.dst
        cls = type(msg)
        if cls is ClientRequest:
            self._client_request(dst, msg)
        elif dst in self.clients:
            self.clients[dst].on_reply(msg)
        else:
            # give the receiver its own copy of commands that are not immutable atoms
            if cls is AppendEntries and not _SHARED.issuperset(map(type, map(_COMMAND,
                                                                            msg.entries))):
                msg = msg._replace(entries=tuple(_own(e) for e in msg.entries))
            self._run(dst, self._nodes[dst].receive, msg)

    def _handle_timer(self, node: str, name: str) -> None:
        if node in self.clients:
            self.clients[node].on_timer(name)
        elif name == "election":
            self._run(node, self._nodes[node].on_election_timeout)
        elif name == "lease":
            self._run(node, self._nodes[node].on_lease_timeout)
        else:
            self._run(node, self._nodes[node].on_heartbeat_timeout)

    def _crash_node(self, sid: str) -> None:
        if sid in self.clients:
            return
        self._disk[sid] = self.disk(sid) if self.storage_latency is not None \
            else self._nodes[sid].persistent_state()
        self._writes.pop(sid, None)        # a write still under way is lost
        self._disk_free.pop(sid, None)
        self._pending[sid] = {}

    def _restart_node(self, sid: str) -> None:
        if sid in self.clients:
            return
        self._start_server(sid, self._disk[sid])

    def _after_event(self) -> None:
        self.check()

    @property
    def check_every_event(self) -> bool:
        """Whether :meth:`check` runs after every event (settable at any time)."""
        return self._check_events

    @check_every_event.setter
    def check_every_event(self, value: bool) -> None:
        self._check_events = check_bool("check_every_event", value)

    def wire_size(self, msg: Any) -> int:
        size = 8 * len(msg)
        if type(msg) is AppendEntries:
            entries = msg.entries
            if entries:  # 8 bytes an entry (its term) and its command
                size += 8 * len(entries) + sum(map(payload_size, map(_COMMAND, entries)))
        elif type(msg) is ClientRequest:
            size += payload_size(msg.op)
        return size

    # ------------------------------------------------------------ clients
    def submit(self, command: Any, to: str | None = None) -> tuple[int, int, bool]:
        """Give ``command`` to server ``to`` (default: the current leader), like
        ``Start()`` in the MIT lab: returns ``(index, term, is_leader)`` at once.
        With no leader and no ``to``, returns ``(-1, 0, False)``.

        ``command`` must survive a copy and pickling (it goes over the simulated
        wire); an :class:`~raftlib.kv.Op` must be a valid key-value command.
        Otherwise :class:`~raftlib.errors.InvalidCommandError`, and nothing is logged."""
        command = _check_command(command)
        if to is None:
            to = self.leader()
            if to is None:
                return -1, 0, False
        self._check_server(to)
        if not self.up[to]:
            raise ConfigError(f"server {to} is crashed; restart({to!r}) it first or submit to "
                              f"a running server: {', '.join(s for s in self.nodes if self.up[s])}")
        result = self._run(to, self._nodes[to].propose, command)
        self._trace_row("submit", to, None, detail=result[0])
        return result

    def client(self, client_id: str = "C1", *, timeout: float = 0.5) -> Client:
        """A key-value client (put/append/get) that retries until a leader answers."""
        return Client(self, client_id, timeout=timeout)

    def _client_request(self, sid: str, msg: ClientRequest) -> None:
        node = self._nodes[sid]
        index, _, ok = self._run(sid, node.propose, msg.op)
        if ok:
            self._pending[sid][index] = msg
        else:
            self.send(ClientReply(sid, msg.src, msg.op.seq, False, None, node.leader_id))

    # -------------------------------------------------------- observation
    def leader(self) -> str | None:
        """The leader of the highest term among running servers, or None."""
        best = None
        for sid in self.nodes:
            node = self._nodes[sid]
            if self.up[sid] and node.role == LEADER and (
                    best is None or node.current_term > self._nodes[best].current_term):
                best = sid
        return best

    def applied(self, sid: str) -> list[tuple[int, Any]]:
        """``(index, command)`` pairs server ``sid`` applied, in order, since it last started
        (the safety monitor checked that each is the entry every server applies there)."""
        self._check_server(sid)
        chosen = self.safety.chosen
        return [(i, chosen[i - 1].command) for i in range(1, self._applied[sid] + 1)]

    def committed(self, index: int) -> tuple[int, Any]:
        """How many servers applied ``index`` (crashed ones included, as in 6.824's
        ``nCommitted``) and the command there (None if nobody did)."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 1:
            raise ConfigError(f"index must be an int >= 1, got {index!r}")
        return self.safety.committed(index)

    def timeout(self, sid: str) -> None:
        """Make ``sid``'s election timer fire now (RaftScope's "time out")."""
        self._check_server(sid)
        if not self.up[sid]:
            raise ConfigError(f"server {sid} is crashed; it has no timer to fire")
        self._trace_row("timer", sid, None, detail="election (forced)")
        self._run(sid, self._nodes[sid].on_election_timeout)

    def set_election_timer(self, sid: str, seconds: float) -> None:
        """Make ``sid``'s running election timer fire ``seconds`` from now instead
        (RaftScope's "align timers" and "spread timers" are made of this).

        Deterministic: no random draw. ConfigError if ``sid`` is crashed or has no
        election timer running (a leader has none).
        """
        self._check_server(sid)
        seconds = check_time("seconds", seconds)
        if not self.up[sid]:
            raise ConfigError(f"server {sid} is crashed; it has no election timer")
        if (sid, "election") not in self.timers:
            raise ConfigError(f"server {sid} ({self._nodes[sid].role}) has no election timer "
                              f"running; a leader has none, followers and candidates have one")
        self.set_timer(sid, "election", seconds)

    def heartbeat(self, sid: str) -> None:
        """Make leader ``sid``'s heartbeat timer fire now (a non-leader ignores it).

        With :meth:`timeout`, :meth:`deliver_now`, :meth:`drop`, :meth:`crash`,
        :meth:`restart` and :meth:`submit`, this steers a cluster step by step
        without letting time pass, as :func:`raftlib.explore` replays a trace.
        """
        self._check_server(sid)
        if not self.up[sid]:
            raise ConfigError(f"server {sid} is crashed; it has no timer to fire")
        self._trace_row("timer", sid, None, detail="heartbeat (forced)")
        self._run(sid, self._nodes[sid].on_heartbeat_timeout)

    def check(self) -> None:
        """Check every safety property now; raise :class:`SafetyViolation` if one fails."""
        self.safety.check()

    def transcript(self, *, deliveries: bool = True) -> str:
        """A compact, readable text log of the run (see :mod:`raftlib.transcript`)."""
        from .transcript import format_transcript

        return format_transcript(self.trace_rows(), deliveries=check_bool("deliveries", deliveries),
                                 dropped=self.trace_dropped)

    def widget(self):
        """An interactive picture of this cluster (see :class:`raftlib.widgets.ClusterView`)."""
        from .widgets import ClusterView

        return ClusterView(self)

    def __repr__(self) -> str:
        return (f"<Cluster n={len(self.nodes)} seed={self.seed} t={self.now:.3f}s "
                f"leader={self.leader()}>")
