"""Speed benchmarks of the engine, reported as ratios measured in one run.

``python -m raftlib.bench`` prints:

- simulator throughput: delivered messages per second of a 5-server cluster under
  steady client load (a command every 5 ms of virtual time), as a ratio to a bare
  ``heapq`` event loop (pop the earliest event, call its handler, which pushes one
  new event at a random later time) measured alternately in the same process;
- the time ``import raftlib`` takes in a fresh interpreter, and whether it loaded
  pandas, matplotlib or ipywidgets (it must not).

The machine's speed drifts between runs, so only the ratios are meaningful.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import subprocess
import sys
import time


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
    start = time.perf_counter()
    for _ in range(events):
        now, _, fn, payload = pop(heap)
        fn(now, payload)
    return events / (time.perf_counter() - start)


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
    start = time.perf_counter()
    c.run(virtual_seconds)
    elapsed = time.perf_counter() - start
    delivered = c.stats.total_delivered - before
    return delivered / elapsed, delivered


def import_time() -> tuple[float, list[str]]:
    """Seconds to ``import raftlib`` in a fresh interpreter, and heavy modules it loaded."""
    code = ("import sys, time; t = time.perf_counter(); import raftlib; "
            "d = time.perf_counter() - t; "
            "print(d, *[m for m in ('pandas', 'matplotlib', 'ipywidgets', 'jupyterlab') "
            "if m in sys.modules])")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(5)]
    return statistics.median(float(r[0]) for r in runs), sorted({m for r in runs for m in r[1:]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (median)")
    args = parser.parse_args(argv)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
