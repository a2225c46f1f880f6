"""Benchmark: one step plus redraw of the cluster widget.

A 5-server cluster with 200 log entries on every server and about 20 messages in
flight (long network latency; long election timeouts keep the leader stable);
each sample is one event (the step button) and a full redraw (picture,
inspector, message list, time slider, status). Prints the median in ms.

    python -m raftlib.bench_widget            # in this process
    python -m raftlib.bench_widget --kernel   # inside a fresh Jupyter kernel, where
                                              # every widget update is sent over the comm

The issue's target is a median under 30 ms, so playback runs at 20+ frames per second.
"""

from __future__ import annotations

import argparse
import statistics
import time


def setup():
    """The benchmark's cluster and view: 200 entries committed everywhere, ~20 in flight."""
    import raftlib as rl

    c = rl.Cluster(5, seed=1, latency=(0.08, 0.18), election_timeout=(1.0, 2.0))
    c.run_until(lambda: c.leader() is not None, 10)
    for i in range(200):
        c.submit(f"cmd{i}")
    c.run_until(lambda: all(c[s].commit_index == 200 for s in c.nodes), 10)
    return c, rl.ClusterView(c)


def measure(samples: int = 300) -> dict[str, float]:
    """Step + redraw ``samples`` times: the median and 90th percentile in ms, and the mean
    number of messages in flight."""
    c, view = setup()
    times, flying = [], []
    for _ in range(samples):
        start = time.perf_counter()
        view.step_button.click()
        times.append((time.perf_counter() - start) * 1000)
        flying.append(len(c.in_flight()))
    times.sort()
    return {"median_ms": statistics.median(times), "p90_ms": times[int(0.9 * len(times))],
            "in_flight": statistics.mean(flying),
            "log_length": min(c[s].last_log_index for s in c.nodes), "samples": samples}


def _report(where: str, r: dict[str, float]) -> str:
    return (f"{where}: step + redraw median {r['median_ms']:.2f} ms, p90 {r['p90_ms']:.2f} ms "
            f"({r['samples']} samples; 5 servers, {r['log_length']} log entries each, "
            f"{r['in_flight']:.1f} messages in flight on average)")


def in_kernel(samples: int) -> dict[str, float]:
    """Run :func:`measure` inside a fresh ipykernel, so widget updates go over a real comm."""
    import json

    from jupyter_client.manager import start_new_kernel

    printed: list[str] = []

    def keep_stdout(msg: dict) -> None:
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            printed.append(msg["content"]["text"])

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        code = ("import json; from raftlib.bench_widget import measure; "
                f"print(json.dumps(measure({samples})))")
        reply = kc.execute_interactive(code, timeout=600, store_history=False,
                                       output_hook=keep_stdout)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the benchmark failed in the kernel: {reply['content']}")
        return json.loads("".join(printed))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--kernel", action="store_true", help="measure inside a Jupyter kernel")
    args = parser.parse_args(argv)
    if args.kernel:
        print(_report("in a Jupyter kernel", in_kernel(args.samples)))
    else:
        print(_report("in process", measure(args.samples)))


if __name__ == "__main__":
    main()
