"""Speed and reach of the model checker (:func:`raftlib.explore`).

``python -m raftlib.bench_explore`` prints:

- distinct states per second of the correct ``RaftNode`` on a small bound it exhausts;
- what dropping dead messages at once saves (:mod:`raftlib.explore.dead`): states and
  seconds of a complete search with drops, with and without it, in the same run;
- how far the search gets in the default bound (3 servers, max_term 3, max_log 2,
  1 crash, drops) within ``--limit`` seconds: states, whether it was exhausted;
- for every bug of :data:`raftlib.explore.catalogue.SAFETY_BUGS`, the time to find it
  with its bound and strategy, and the length of the trace.

``--limit 3600`` is the long run of the README ("Model checking").
"""

from __future__ import annotations

import argparse

import raftlib as rl
from raftlib import bugs
from raftlib.explore.catalogue import SAFETY_BUGS, SMALL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=60.0,
                        help="seconds for the default-bound run (default 60)")
    parser.add_argument("--no-bugs", action="store_true", help="skip the per-bug table")
    args = parser.parse_args()

    r = rl.explore(**SMALL)
    print(f"correct RaftNode, small bound {SMALL}: {r.states} states, "
          f"complete={r.complete}, {r.seconds:.1f} s, {r.rate:,.0f} distinct states/s")
    dropping = dict(SMALL, drops=True, crashes=0)
    plain, reduced = (rl.explore(reduce=flag, **dropping) for flag in (False, True))
    print(f"dead messages dropped at once, {dropping}: {reduced.states} states in "
          f"{reduced.seconds:.1f} s against {plain.states} in {plain.seconds:.1f} s "
          f"(complete: {reduced.complete}, {plain.complete}; "
          f"{plain.states / reduced.states:.2f}x fewer states)")
    r = rl.explore(time_limit=args.limit)
    print(f"correct RaftNode, default bound: {r.states} states in {r.seconds:.1f} s, "
          f"complete={r.complete}, violation={r.violation}, {r.rate:,.0f} states/s")
    if args.no_bugs:
        return
    print(f"{'bug':26s} {'property':22s} {'strategy':8s} {'steps':>5s} {'states':>8s} {'seconds':>7s}")
    for name, (prop, bound) in SAFETY_BUGS.items():
        r = rl.explore(node_class=getattr(bugs, name), **bound)
        found = r.violation.prop if r.violation else "NOT FOUND"
        print(f"{name:26s} {found:22s} {bound.get('strategy', 'bfs'):8s} {len(r.trace):5d} "
              f"{r.states:8d} {r.seconds:7.1f}")


if __name__ == "__main__":
    main()
