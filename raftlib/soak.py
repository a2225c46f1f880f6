"""The soak command: Raft's safety under random faults, over many seeds.

    python -m raftlib.soak --seeds 10000

Each seed names one :func:`chaos_run`: a 3-5 server cluster under bursty
client load (``submit`` calls and a retrying key-value client) while a random
fault schedule (:mod:`raftlib.faults`, one of its profiles: everything mixed,
crash churn like 6.824's Figure8 test, or network faults only) crashes,
restarts, partitions, cuts and degrades the network. The safety properties
(Raft paper, Figure 3, and the 6.824 applier rule) are checked all along. Then
every fault is healed and liveness is checked: within 10 virtual seconds a
leader exists and a new command is applied by every server. The command
prints how many seeds ran, each violation with its seed and property, and the
wall time; it exits with 1 if any seed failed. Replay one seed with
``chaos_run(seed, duration=...)``; ``--node-class module:Class`` soaks another
server (a learner's, or one of :mod:`raftlib.bugs`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple, Sequence

from .cluster import Cluster
from .core import RaftNode
from .errors import ConfigError, SafetyViolation
from .faults import PROFILES, Fault, heal_all, install, random_schedule

LIVENESS_TIMEOUT = 10.0   # virtual seconds after healing, as 6.824's one()
ATTEMPT_TIMEOUT = 2.0     # one() waits this long for each submitted command
SLICE = 0.05              # virtual seconds run between two looks at the message rate
MAX_RATE = 5_000          # messages per virtual second beyond which a run is a message storm
                          # (a correct cluster of 5 peaks near 1,300 in these runs)


class _Storm(Exception):
    """A (buggy) server floods the network; the run stops instead of taking minutes."""


class Outcome(NamedTuple):
    """What one chaos run found: ``prop`` is None if every check passed, else the
    broken property ("Liveness" or "Exception" included) and ``evidence`` says how."""

    seed: int
    n: int
    prop: str | None = None
    evidence: str | None = None

    @property
    def ok(self) -> bool:
        return self.prop is None


def chaos_run(seed: int, *, n: int | None = None, schedule: Sequence[Fault] | None = None,
              duration: float = 4.0, check_every_event: bool = False,
              check_interval: float = 0.02, node_class: type = RaftNode,
              pre_vote: bool = False, check_quorum: bool = False,
              storage_latency: tuple[float, float] | None = None) -> Outcome:
    """Run one seed: load and faults for ``duration`` seconds, then heal and check liveness.

    ``n`` (default 3, 4 or 5, drawn from the seed) servers; ``schedule``
    (default :func:`~raftlib.faults.random_schedule` of the seed). Safety is
    checked after every event with ``check_every_event``, otherwise every
    ``check_interval`` virtual seconds (the cheap checks run on every apply
    and election anyway). ``pre_vote``, ``check_quorum`` and ``storage_latency``
    are passed to the :class:`~raftlib.Cluster`.
    """
    rng = random.Random(f"raftlib-soak:{seed}")
    if n is None:
        n = rng.choice((3, 4, 5))
    profile = rng.choice(sorted(PROFILES))
    c = Cluster(n, seed=seed, node_class=node_class, check_every_event=check_every_event,
                pre_vote=pre_vote, check_quorum=check_quorum, storage_latency=storage_latency)
    if schedule is None:
        schedule = random_schedule(c.nodes, seed, duration=duration, profile=profile)
    try:
        install(c, schedule)
        busy = _busy_periods(c.rng("workload:busy"), duration)
        c.spawn(_submitter(c, busy))
        c.spawn(_kv_client(c, busy))
        if not check_every_event:
            c.spawn(_checker(c, check_interval))
        _run_until(c, lambda: False, duration)
        heal_all(c)
        if not _agree_after_healing(c, ("live", seed)):
            leader = c.leader()
            return Outcome(seed, n, "Liveness",
                           f"after healing at t={duration}s, no new command was applied by all "
                           f"{n} servers within {LIVENESS_TIMEOUT}s (leader now: {leader}, "
                           f"terms: {[c[s].current_term for s in c.nodes]})")
        c.check()
    except SafetyViolation as violation:
        return Outcome(seed, n, violation.prop, str(violation))
    except _Storm as storm:
        return Outcome(seed, n, "Liveness", str(storm))
    except Exception as error:  # the engine itself broke: report it as a finding
        return Outcome(seed, n, "Exception", f"{type(error).__name__}: {error}")
    return Outcome(seed, n)


def _busy_periods(rng: random.Random, duration: float) -> list[tuple[float, float]]:
    """Alternating busy and idle stretches (mean 0.3 s each): idle ones let a new
    leader replicate old entries with no entry of its own term (Figure 8)."""
    periods, t = [], rng.expovariate(1 / 0.3) if rng.random() < 0.5 else 0.0
    while t < duration:
        end = min(duration, t + rng.expovariate(1 / 0.3))
        periods.append((t, end))
        t = end + rng.expovariate(1 / 0.3)
    return periods


def _submitter(c: Cluster, busy: list[tuple[float, float]]):
    """``Start()``-style load: in busy periods, a new command to the current
    leader every 5-50 ms."""
    rng = c.rng("workload")
    i = 0
    for start, end in busy:
        yield max(0.0, start - c.now)
        while c.now < end:
            if c.leader() is not None:
                i += 1
                c.submit(("w", i))
            yield rng.uniform(0.005, 0.05)


def _kv_client(c: Cluster, busy: list[tuple[float, float]]):
    """A key-value client appending to one key: in busy periods, a new request
    every 10-100 ms once the last one was answered (it retries on its own)."""
    rng = c.rng("workload:kv")
    client = c.client("C1", timeout=0.3)
    i = 0
    for start, end in busy:
        yield max(0.0, start - c.now)
        while c.now < end:
            if client.pending is None:
                i += 1
                client.append("k", f"{i},")
            yield rng.uniform(0.01, 0.1)


def _checker(c: Cluster, interval: float):
    while True:
        yield interval
        c.check()


def _run_until(c: Cluster, predicate, timeout: float) -> bool:
    """``c.run_until`` in slices of :data:`SLICE`, stopping a message storm."""
    end = c.now + timeout
    while c.now < end:
        sent = c.stats.total_sent
        if c.run_until(predicate, min(SLICE, end - c.now)):
            return True
        if c.stats.total_sent - sent > MAX_RATE * SLICE:
            raise _Storm(f"message storm: {c.stats.total_sent - sent} messages in {SLICE}s "
                         f"at t={c.now:.2f}s")
    return bool(predicate())


def _agree_after_healing(c: Cluster, command: object) -> bool:
    """6.824's ``one(command, n, retry=True)``: a leader takes the command and
    every server applies it, within :data:`LIVENESS_TIMEOUT` seconds."""
    n = len(c.nodes)
    deadline = c.now + LIVENESS_TIMEOUT
    while c.now < deadline:
        if not _run_until(c, lambda: c.leader() is not None, deadline - c.now):
            return False
        index, _, is_leader = c.submit(command)
        if is_leader and _run_until(c, lambda: c.committed(index) == (n, command),
                                    min(ATTEMPT_TIMEOUT, deadline - c.now)):
            return True
        _run_until(c, lambda: False, min(0.05, max(0.0, deadline - c.now)))
    return False


def load_node_class(path: str) -> type:
    """``"module:Name"`` -> the RaftNode subclass ``Name`` of ``module``."""
    module_name, _, name = path.partition(":")
    try:
        node_class = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ConfigError(f"node class {path!r} not found ({error}); write module:ClassName, "
                          f"e.g. raftlib.bugs:VoteTwice") from None
    if not (isinstance(node_class, type) and issubclass(node_class, RaftNode)):
        raise ConfigError(f"{path!r} is not a RaftNode subclass")
    return node_class


def _run_seed(args: tuple[int, float, str, dict]) -> Outcome:
    seed, duration, node_class, options = args
    return chaos_run(seed, duration=duration, node_class=load_node_class(node_class), **options)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m raftlib.soak", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--seeds", type=int, default=1000, help="how many seeds (default 1000)")
    parser.add_argument("--start", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--duration", type=float, default=4.0,
                        help="virtual seconds of faults per seed (default 4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes to use (default: one per core)")
    parser.add_argument("--node-class", default="raftlib.core:RaftNode",
                        help="the server to test, as module:ClassName (default: the "
                             "engine's RaftNode; e.g. raftlib.bugs:VoteTwice)")
    parser.add_argument("--pre-vote", action="store_true",
                        help="run the servers with PreVote (dissertation §9.6)")
    parser.add_argument("--check-quorum", action="store_true",
                        help="run the servers with CheckQuorum and the leader lease")
    parser.add_argument("--storage-latency", type=float, default=None, metavar="SECONDS",
                        help="every disk write takes this long (default: instantaneous)")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.workers < 1 or not 0 < args.duration < float("inf"):
        parser.error("--seeds and --workers must be >= 1 and --duration a number > 0")
    try:
        load_node_class(args.node_class)
    except ConfigError as error:
        parser.error(str(error))
    if args.storage_latency is not None and not 0 <= args.storage_latency < float("inf"):
        parser.error("--storage-latency must be a number of seconds >= 0")
    options = {"pre_vote": args.pre_vote, "check_quorum": args.check_quorum,
               "storage_latency": None if args.storage_latency is None
               else (args.storage_latency, args.storage_latency)}
    jobs = [(seed, args.duration, args.node_class, options)
            for seed in range(args.start, args.start + args.seeds)]
    violations = []
    started = time.perf_counter()  # wall time of the soak itself, never inside a simulation
    if args.workers == 1:
        outcomes = map(_run_seed, jobs)
        pool = None
    else:
        pool = ProcessPoolExecutor(args.workers)
        outcomes = pool.map(_run_seed, jobs, chunksize=max(1, min(50, len(jobs) // (
            8 * args.workers))))
    try:
        for outcome in outcomes:
            if not outcome.ok:
                violations.append(outcome)
                print(f"VIOLATION seed={outcome.seed} n={outcome.n} {outcome.prop}: "
                      f"{outcome.evidence}", flush=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    wall = time.perf_counter() - started
    if violations:
        print(f"replay one: python -c 'from raftlib.soak import *; print(chaos_run(SEED, "
              f"duration={args.duration}, node_class=load_node_class(\"{args.node_class}\"), "
              f"**{options!r}))'")
    print(f"seeds run: {len(jobs)} (seeds {args.start}..{args.start + len(jobs) - 1}), "
          f"violations: {len(violations)}, wall time: {wall:.1f} s ({args.workers} workers)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
