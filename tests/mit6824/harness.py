"""The MIT 6.824 Raft lab tester (``src/raft/config.go``, 2022) on raftlib's simulator.

A Go test becomes a *scenario*: a generator function that takes a :class:`Config`
and ``yield``s sleeps in virtual seconds (``yield 0.05`` is ``time.Sleep(50 ms)``).
Helpers that sleep are generators too and are called with ``yield from``
(``leader = yield from cfg.check_one_leader()``). Go's goroutines become simulator
processes (:meth:`Config.go`). Porting notes: ``../shared/reference/6824-tests.md``
sections 4, 5 and 8.

Mapping (server slot ``i`` is 0-based as in Go; raftlib's id is ``f"S{i + 1}"``):

- ``connect(i)``/``disconnect(i)``: raftlib's on/off network model, the same as
  labrpc's: a disconnected server reaches nobody, not even other disconnected ones.
- ``crash1(i)``: disconnect, then ``Cluster.crash``; persisted state survives.
- ``start1(i)``: ``crash1(i)`` then ``Cluster.restart``: the new incarnation stays
  disconnected until the test calls ``connect(i)``, as in Go.
- The applier checks (same command at an index on every server, applies in order
  per incarnation) are raftlib's own: a :class:`raftlib.SafetyViolation` is raised
  during the run. ``nCommitted`` is ``Cluster.committed``, which counts crashed
  servers' applies too, like the 2022 tester.
- ``rpcCount(i)`` is ``stats.rpc_count`` (requests delivered to a handler);
  ``bytesTotal()`` is ``stats.total_bytes``.

Seeds: every test runs over :func:`seeds` (5 in CI); the environment variable
``RAFT_SEEDS=N`` runs N seeds per test instead (``RAFT_SEED_BASE`` moves the first
one), e.g. ``RAFT_SEEDS=200 python -m pytest tests/mit6824 -n 2`` for a soak.
"""

from __future__ import annotations

import os
import random
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Generator

from raftlib import LEADER, Cluster, RaftNode, SafetyViolation

#: The tester's unit of patience: "the tester generously allows solutions to
#: complete elections in one second".
RAFT_ELECTION_TIMEOUT = 1.0
#: ``checkTimeout``: a test may take at most 120 s (here: virtual seconds).
TIME_LIMIT = 120.0

Process = Generator[float, None, Any]


class PortFailure(AssertionError):
    """A ``t.Fatalf`` of the Go tester: the message names the test, seed and time."""


@dataclass(frozen=True)
class Scenario:
    """One ported Go test: its body and the ``make_config`` arguments."""

    name: str
    body: Callable[["Config"], Process]
    servers: int
    unreliable: bool = False


#: Every ported test by its Go name without the part suffix ("Figure8Unreliable").
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, *, servers: int, unreliable: bool = False):
    """Register a scenario body under the Go test's name."""

    def register(body: Callable[["Config"], Process]) -> Scenario:
        if name in SCENARIOS:
            raise ValueError(f"scenario {name!r} registered twice")
        SCENARIOS[name] = Scenario(name, body, servers, unreliable)
        return SCENARIOS[name]

    return register


#: Seeds per test in an ordinary run.
CI_SEEDS = 5


def seeds(default: int = CI_SEEDS) -> list[int]:
    """The seeds a test runs over: ``range(default)``, or ``RAFT_SEEDS`` of them."""
    count = int(os.environ.get("RAFT_SEEDS", default))
    base = int(os.environ.get("RAFT_SEED_BASE", 0))
    if count < 1:
        raise ValueError(f"RAFT_SEEDS must be >= 1, got {count}")
    return list(range(base, base + count))


class _Proc:
    """A running goroutine: ``done`` and its ``result`` once it returns."""

    def __init__(self) -> None:
        self.done = False
        self.result: Any = None


class Config:
    """The Go tester's ``config``: one cluster plus the tester's own view of it."""

    def __init__(self, scn: Scenario, seed: int, node_class: type = RaftNode) -> None:
        self.name = scn.name
        self.seed = seed
        self.n = scn.servers
        self.c = Cluster(scn.servers, seed=seed, timing="mit", node_class=node_class)
        self.c.network.set_unreliable(scn.unreliable)
        self.rand = random.Random(f"test:{seed}")  # the test's choices, apart from the network
        self.ids = [f"S{i + 1}" for i in range(scn.servers)]
        self.connected = [True] * scn.servers
        self.alive = [True] * scn.servers
        self.finished = False
        self.warnings: list[str] = []

    # ------------------------------------------------------------- failing
    def fail(self, message: str) -> None:
        raise PortFailure(f"Test{self.name} (seed={self.seed}, t={self.c.now:.3f}s): {message}")

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def rand_int(self) -> int:
        """Go's ``rand.Int()``: a non-negative 63-bit int, from the test's own stream."""
        return self.rand.getrandbits(63)

    # ------------------------------------------------- network and crashes
    def connect(self, i: int) -> None:
        self.connected[i] = True
        self.c.connect(self.ids[i])

    def disconnect(self, i: int) -> None:
        self.connected[i] = False
        self.c.disconnect(self.ids[i])

    def crash1(self, i: int) -> None:
        """Shut server ``i`` down, keeping what it persisted; it is disconnected."""
        self.disconnect(i)
        if self.alive[i]:
            self.c.crash(self.ids[i])
            self.alive[i] = False

    def start1(self, i: int) -> None:
        """(Re)start server ``i`` from its persisted state; it stays disconnected."""
        self.crash1(i)
        self.c.restart(self.ids[i])
        self.alive[i] = True

    def setunreliable(self, unreliable: bool) -> None:
        self.c.network.set_unreliable(unreliable)

    def setlongreordering(self, on: bool) -> None:
        self.c.network.long_reordering = on

    # --------------------------------------------------- the Raft interface
    def start(self, i: int, cmd: Any) -> tuple[int, int, bool]:
        """``rafts[i].Start(cmd)``: ``(index, term, is_leader)``."""
        return self.c.submit(cmd, to=self.ids[i])

    def get_state(self, i: int) -> tuple[int, bool]:
        """``rafts[i].GetState()``: ``(term, is_leader)``."""
        node = self.c[self.ids[i]]
        return node.current_term, node.role == LEADER

    def rpc_count(self, i: int) -> int:
        return self.c.stats.rpc_count(self.ids[i])

    def bytes_total(self) -> int:
        return self.c.stats.total_bytes

    # ------------------------------------------------------- the checks
    def check_one_leader(self) -> Generator[float, None, int]:
        """A leader among the connected servers within 10 polls of 450-549 ms."""
        for _ in range(10):
            yield (450 + self.rand.randrange(100)) / 1000
            leaders: dict[int, list[int]] = {}
            for i in range(self.n):
                if self.connected[i] and self.alive[i]:
                    term, is_leader = self.get_state(i)
                    if is_leader:
                        leaders.setdefault(term, []).append(i)
            for term, group in leaders.items():
                if len(group) > 1:
                    self.fail(f"term {term} has {len(group)} (>1) leaders")
            if leaders:
                return leaders[max(leaders)][0]
        self.fail("expected one leader, got none")

    def check_terms(self) -> int:
        """All connected servers agree on the term; return it (-1 if none is connected)."""
        term = -1
        for i in range(self.n):
            if self.connected[i] and self.alive[i]:
                xterm, _ = self.get_state(i)
                if term == -1:
                    term = xterm
                elif term != xterm:
                    self.fail("servers disagree on term")
        return term

    def check_no_leader(self) -> None:
        for i in range(self.n):
            if self.connected[i] and self.alive[i] and self.get_state(i)[1]:
                self.fail(f"expected no leader among connected servers, "
                          f"but {i} claims to be leader")

    def n_committed(self, index: int) -> tuple[int, Any]:
        """How many servers applied ``index`` (crashed ones too) and the command there."""
        return self.c.committed(index)

    def wait(self, index: int, n: int, start_term: int) -> Generator[float, None, Any]:
        """Wait until ``n`` servers applied ``index``; -1 once a term passes ``start_term``."""
        to = 0.010
        for _ in range(30):
            if self.n_committed(index)[0] >= n:
                break
            yield to
            if to < 1.0:
                to *= 2
            if start_term > -1:
                for i in range(self.n):
                    if self.alive[i] and self.get_state(i)[0] > start_term:
                        return -1  # someone has moved on
        nd, cmd = self.n_committed(index)
        if nd < n:
            self.fail(f"only {nd} decided for index {index}; wanted {n}")
        return cmd

    def one(self, cmd: Any, expected_servers: int, retry: bool) -> Generator[float, None, int]:
        """A complete agreement on ``cmd``: its index, once ``expected_servers`` applied it."""
        t0 = self.c.now
        starts = 0
        while self.c.now - t0 < 10 and not self.finished:
            index = -1
            for _ in range(self.n):  # try all the servers, maybe one is the leader
                starts = (starts + 1) % self.n
                if self.connected[starts] and self.alive[starts]:
                    index1, _, ok = self.start(starts, cmd)
                    if ok:
                        index = index1
                        break
            if index != -1:
                # somebody claimed to be the leader; wait a while for agreement
                t1 = self.c.now
                while self.c.now - t1 < 2:
                    nd, cmd1 = self.n_committed(index)
                    if nd > 0 and nd >= expected_servers and cmd1 == cmd:
                        return index
                    yield 0.020
                if not retry:
                    self.fail(f"one({cmd!r:.40}) failed to reach agreement")
            else:
                yield 0.050
        if not self.finished:
            self.fail(f"one({cmd!r:.40}) failed to reach agreement")
        return -1

    # ------------------------------------------------------- goroutines
    def go(self, body: Process) -> _Proc:
        """Start ``body`` as a separate process, like ``go func() {...}()``."""
        proc = _Proc()

        def run() -> Process:
            proc.result = yield from body
            proc.done = True

        self.c.spawn(run())
        return proc

    def join(self, procs: list[_Proc]) -> Generator[float, None, list[Any]]:
        """``wg.Wait()``: wait for every process (checked each virtual millisecond)."""
        if not all(p.done for p in procs):
            yield 0.0  # processes spawned just now run first
        while not all(p.done for p in procs):
            yield 0.001
        return [p.result for p in procs]


def run_test(scn: Scenario, seed: int, *, node_class: type = RaftNode) -> Config:
    """Run one ported test on a fresh cluster; raise on any failure.

    Failures: :class:`PortFailure` for a Go ``Fatalf``, :class:`raftlib.SafetyViolation`
    for the appliers' checks (and Figure 3's properties, checked again at the end).
    """
    cfg = Config(scn, seed, node_class)
    box: dict[str, Any] = {}

    def main() -> Process:
        box["result"] = yield from scn.body(cfg)

    cfg.c.spawn(main())
    try:
        finished = cfg.c.run_until(lambda: "result" in box, TIME_LIMIT)
        if not finished:
            cfg.fail(f"test took longer than {TIME_LIMIT:.0f} seconds")
        cfg.finished = True
        cfg.c.check()
    except SafetyViolation as exc:
        exc.add_note(f"in Test{scn.name}, seed={seed}")
        raise
    for message in cfg.warnings:  # Go prints these and passes
        warnings.warn(f"Test{scn.name} (seed={seed}): {message}", stacklevel=2)
    return cfg
