"""Speed benchmarks of the engine, reported as ratios measured in one run.

``python -m raftlib.bench`` prints:

- simulator throughput: delivered messages per second of a 5-server cluster under
  steady client load (a command every 5 ms of virtual time), as a ratio to a bare
  ``heapq`` event loop (pop the earliest event, call its handler, which pushes one
  new event at a random later time) measured alternately in the same process;
- the time ``import raftlib`` takes in a fresh interpreter, and whether it loaded
  pandas, matplotlib or ipywidgets (it must not);
- memory per virtual hour of a 5-server cluster with a command every 10 ms and a
  key-value client (puts over 100 keys), with every trace row kept and with
  ``trace_limit=10_000``: traced with ``tracemalloc`` over ``--memory-seconds``
  virtual seconds (after 10 s of warm-up) and scaled to an hour;
- the cost of ``check()`` after each new entry, on logs of 1,000 and 50,000 entries
  (and of the first check, which verifies the whole logs once).

Times are CPU times of this process (``time.process_time``), so other processes on a
shared machine disturb them less; still, only the ratios are meaningful.

``--compare REV`` measures the throughput ratio of this tree and of git revision ``REV``
side by side instead: alternate rounds, each in a fresh interpreter importing one tree's
``raftlib``, so both see the same machine load.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import io
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
from pathlib import Path


def bare_loop(events: int = 300_000) -> float:
    """Events per second of the minimal discrete-event loop."""
    rng = random.Random(1)
    heap: list = []
    push, pop = heapq.heappush, heapq.heappop
    seq = 0

    def handler(now: float, payload: int) -> None:
        nonlocal seq
        seq += 1
        push(heap, (now + rng.random(), seq, handler, payload))

    for i in range(64):
        handler(0.0, i)
    start = time.process_time()
    for _ in range(events):
        now, _, fn, payload = pop(heap)
        fn(now, payload)
    return events / (time.process_time() - start)


def cluster_throughput(virtual_seconds: float = 10.0, seed: int = 1) -> tuple[float, int]:
    """Delivered messages per wall-clock second, and how many were delivered."""
    from .cluster import Cluster

    c = Cluster(5, seed=seed)
    c.run(1.0)

    def load():
        i = 0
        while True:
            c.submit(i)
            i += 1
            yield 0.005

    c.spawn(load())
    before = c.stats.total_delivered
    start = time.process_time()
    c.run(virtual_seconds)
    elapsed = time.process_time() - start
    delivered = c.stats.total_delivered - before
    return delivered / elapsed, delivered


def _loaded_cluster(trace_limit: int | None):
    """5 servers, a command every 10 ms and a key-value client putting to 100 keys."""
    from .cluster import Cluster

    c = Cluster(5, seed=1, trace_limit=trace_limit)
    c.run(1.0)
    client = c.client("C1")

    def load():
        i = 0
        while True:
            i += 1
            c.submit(i)
            if client.pending is None:
                client.put(f"k{i % 100}", f"v{i}")
            yield 0.01

    c.spawn(load())
    return c


def memory_per_hour(trace_limit: int | None, virtual_seconds: float = 60.0) -> float:
    """MiB a loaded cluster grows by per virtual hour, measured over ``virtual_seconds``."""
    c = _loaded_cluster(trace_limit)
    tracemalloc.start()
    try:
        c.run(10.0)
        c.trace_rows()  # trims a bounded trace to exactly its limit (it is trimmed in bulk)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        c.run(virtual_seconds)
        c.trace_rows()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return grown / 2**20 * 3600 / virtual_seconds


def check_cost(entries: int, samples: int = 20) -> tuple[float, float]:
    """Seconds of the first ``check()`` on logs of ``entries`` entries, and the median
    seconds of a ``check()`` after each new entry from then on."""
    from .cluster import Cluster

    c = Cluster(5, seed=1)
    c.run_until(lambda: c.leader() is not None, 5.0)
    while len(c[c.leader()].log) < entries:
        for i in range(min(1000, entries - len(c[c.leader()].log))):
            c.submit(i)
        c.run(0.05)
    c.run(0.5)
    start = time.process_time()
    c.check()
    first = time.process_time() - start
    times = []
    for i in range(samples):
        c.submit(("more", i))
        c.run(0.05)
        start = time.process_time()
        c.check()
        times.append(time.process_time() - start)
    return first, statistics.median(times)


def import_time() -> tuple[float, list[str]]:
    """Seconds to ``import raftlib`` in a fresh interpreter, and heavy modules it loaded."""
    code = ("import sys, time; t = time.process_time(); import raftlib; "
            "d = time.process_time() - t; "
            "print(d, *[m for m in ('pandas', 'matplotlib', 'ipywidgets', 'jupyterlab') "
            "if m in sys.modules])")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(5)]
    return statistics.median(float(r[0]) for r in runs), sorted({m for r in runs for m in r[1:]})


_ROUND = ("import raftlib.bench as b; bare = b.bare_loop(); rate, _ = b.cluster_throughput(); "
          "print(bare, rate)")


def compare(rev: str, rounds: int) -> None:
    """Print the throughput ratio of this tree and of git revision ``rev``, measured in
    alternate rounds (each in a fresh interpreter, CPU time), and the load average."""
    here = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(here), "archive", rev, "raftlib"],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as old:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old, filter="data")
        results: dict[str, list[tuple[float, float]]] = {rev: [], "this tree": []}
        for _ in range(rounds):
            for name, tree in ((rev, old), ("this tree", str(here))):
                env = dict(os.environ, PYTHONPATH=tree)
                out = subprocess.run([sys.executable, "-c", _ROUND], capture_output=True,
                                     text=True, check=True, env=env, cwd=tree).stdout.split()
                results[name].append((float(out[0]), float(out[1])))
    for name, runs in results.items():
        ratios = [rate / bare for bare, rate in runs]
        print(f"{name:>12}: ratio {statistics.median(ratios):.3f} (median of {rounds}; "
              f"{min(ratios):.3f}-{max(ratios):.3f}), "
              f"{statistics.median(r for _, r in runs):,.0f} messages/s, bare loop "
              f"{statistics.median(b for b, _ in runs):,.0f} events/s")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (median)")
    parser.add_argument("--memory-seconds", type=float, default=60.0,
                        help="virtual seconds over which memory growth is measured (default 60)")
    parser.add_argument("--compare", metavar="REV",
                        help="only the throughput ratio, of this tree and of git revision REV "
                             "side by side")
    args = parser.parse_args(argv)
    if args.compare:
        compare(args.compare, args.rounds)
        return 0
    ratios, rates, bares = [], [], []
    for _ in range(args.rounds):
        bare = bare_loop()
        rate, delivered = cluster_throughput()
        bares.append(bare)
        rates.append(rate)
        ratios.append(rate / bare)
    print(f"bare heapq loop:        {statistics.median(bares):12,.0f} events/s")
    print(f"simulator (5 servers):  {statistics.median(rates):12,.0f} delivered messages/s "
          f"({delivered:,} per 10 virtual s)")
    print(f"throughput ratio:       {statistics.median(ratios):12.3f} "
          f"(median of {args.rounds} alternating rounds)")
    seconds, heavy = import_time()
    print(f"import raftlib:         {seconds:12.3f} s, heavy modules loaded: {heavy or 'none'}")
    for limit in (None, 10_000):
        mib = memory_per_hour(limit, args.memory_seconds)
        print(f"memory, trace_limit={str(limit):<6}: {mib:9.0f} MiB per virtual hour "
              f"(measured over {args.memory_seconds:g} virtual s, scaled)")
    for entries in (1_000, 50_000):
        first, each = check_cost(entries)
        print(f"check() at {entries:>6,} entries: {each * 1e3:8.3f} ms after each new entry "
              f"({first * 1e3:.1f} ms for the first, whole-log check)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
