"""Which ported 6.824 test catches which bug of ``raftlib.bugs``, over many seeds.

    .venv/bin/python tests/mit6824/bugmatrix.py --seeds 20
    .venv/bin/python tests/mit6824/bugmatrix.py --bugs VoteTwice,ForgetLog --tests Figure8 --seeds 100

One line per (bug, test): a character per seed ("." passed, "F" a Go Fatalf,
"S" a SafetyViolation) and the wall time. A bug named "RaftNode" runs the correct server.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mit6824 import test_2a, test_2b, test_2c  # noqa: E402,F401  (register the scenarios)
from mit6824.harness import SCENARIOS, PortFailure, run_test  # noqa: E402
from raftlib import RaftNode, SafetyViolation, bugs  # noqa: E402


def outcome(bug: type[RaftNode], name: str, seed: int) -> str:
    try:
        run_test(SCENARIOS[name], seed, node_class=bug)
    except SafetyViolation:
        return "S"
    except PortFailure:
        return "F"
    return "."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bugs", default="", help="comma-separated class names (default: all)")
    parser.add_argument("--tests", default="", help="comma-separated test names (default: all)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    args = parser.parse_args(argv)
    known = {b.__name__: b for b in (*bugs.BUGS, *bugs.SUBTLE, RaftNode)}
    chosen = args.bugs.split(",") if args.bugs else [b.__name__ for b in (*bugs.BUGS, *bugs.SUBTLE)]
    names = args.tests.split(",") if args.tests else list(SCENARIOS)
    for given, allowed in ((chosen, known), (names, SCENARIOS)):
        unknown = [x for x in given if x not in allowed]
        if unknown:
            parser.error(f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
    chosen = [known[b] for b in chosen]
    for bug in chosen:
        for name in names:
            t0 = time.perf_counter()
            marks = "".join(outcome(bug, name, seed) for seed in range(args.seeds))
            print(f"{bug.__name__:24} {name:18} {marks} {time.perf_counter() - t0:6.2f}s",
                  flush=True)


if __name__ == "__main__":
    main()
