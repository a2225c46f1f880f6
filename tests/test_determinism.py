"""Determinism: a seed names a run, in any process, whatever PYTHONHASHSEED is;
different seeds give different runs; random streams are independent per name."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import pytest

import raftlib as rl
from raftlib import faults

# A busy run: unreliable network with duplicates, faults, a KV client and
# submits; prints its full transcript and every server's final state.
SCENARIO = textwrap.dedent("""
    import raftlib as rl
    from raftlib import faults

    c = rl.Cluster(5, seed=11)
    c.network.set_unreliable(True)
    c.network.duplicate = 0.05
    faults.install(c, faults.random_schedule(c.nodes, seed=11, duration=3.0))
    client = c.client("C1", timeout=0.3)

    def load():
        for i in range(60):
            yield 0.05
            if client.pending is None:
                client.append("k", f"{i},")
            c.submit({"i": i, "tags": {"a", "b", "c"}})  # a set inside a command

    c.spawn(load())
    c.run(3.0)
    faults.heal_all(c)
    c.run(2.0)
    print(c.transcript())
    for sid in c.nodes:
        node = c[sid]
        applied = [(i, cmd["i"] if isinstance(cmd, dict) else cmd)  # a set's repr varies
                   for i, cmd in c.applied(sid)]
        print(sid, node.current_term, node.voted_for, node.commit_index, len(node.log),
              c.kv[sid].data, applied)
    print(c.stats.sent, c.stats.bytes, c.stats.dropped)
""")


def run_in_subprocess(hashseed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    done = subprocess.run([sys.executable, "-c", SCENARIO], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_same_seed_same_transcript_in_separate_processes_whatever_the_hash_seed():
    outputs = {seed: run_in_subprocess(seed) for seed in ("0", "12345", "random")}
    digests = {seed: hashlib.sha256(out.encode()).hexdigest() for seed, out in outputs.items()}
    assert len(set(digests.values())) == 1, digests
    transcript = outputs["0"]
    assert transcript.count("\n") > 1000          # a real run, not an empty one
    assert " crash" in transcript and "(lost)" in transcript and " <- " in transcript


def busy_run(seed: int, *, client_load: bool = True) -> rl.Cluster:
    c = rl.Cluster(3, seed=seed)
    c.network.set_unreliable(True)
    faults.install(c, faults.random_schedule(c.nodes, seed=seed, duration=1.0))
    if client_load:
        client = c.client("C1")

        def load():
            for i in range(40):
                yield 0.025
                if client.pending is None:
                    client.put("x", i)

        c.spawn(load())
    c.run(1.5)
    return c


def test_different_seeds_give_different_runs():
    transcripts = {seed: busy_run(seed).transcript() for seed in (1, 2, 3)}
    assert len(set(transcripts.values())) == 3
    assert busy_run(2).transcript() == transcripts[2]


class RecordingCluster(rl.Cluster):
    """Records every election timeout drawn, per server."""

    def __init__(self, *args, **kwargs):
        self.drawn: dict[str, list[float]] = {}
        super().__init__(*args, **kwargs)

    def set_timer(self, node, name, delay):
        if name == "election":
            self.drawn.setdefault(node, []).append(delay)
        super().set_timer(node, name, delay)


def test_client_load_does_not_change_the_election_timeouts_a_server_draws():
    """Streams are per name (``timeout:S1``, ``network``, ``workload``, ...):
    adding a client changes message timings, not the servers' timeouts."""
    runs = []
    for load in (False, True):
        c = RecordingCluster(3, seed=5)
        if load:
            client = c.client("C1")

            def process():
                for i in range(100):
                    yield 0.01
                    if client.pending is None:
                        client.put("x", i)

            c.spawn(process())
        for _ in range(6):  # leader changes make every server draw many timeouts
            c.run(0.5)
            lead = c.leader()
            if lead:
                c.crash(lead)
                c.run(0.4)
                c.restart(lead)
        runs.append(c)
    quiet, loaded = runs
    assert quiet.transcript() != loaded.transcript()  # the load did change the run
    for sid in quiet.nodes:
        a, b = quiet.drawn[sid], loaded.drawn[sid]
        k = min(len(a), len(b))
        assert k >= 5, (sid, len(a), len(b))
        assert a[:k] == b[:k], sid


def test_streams_are_independent_of_creation_order():
    c1, c2 = rl.Cluster(3, seed=9), rl.Cluster(3, seed=9)
    c2.rng("workload").random()  # another stream used first
    assert [c1.rng("timeout:S2").random() for _ in range(5)] == [
        c2.rng("timeout:S2").random() for _ in range(5)]
    assert c1.rng("a").random() != c1.rng("b").random()


@pytest.mark.parametrize("seed", [0, 1, 2**40])
def test_fault_schedules_are_a_function_of_the_seed(seed):
    a = faults.random_schedule(5, seed, duration=5.0)
    assert a == faults.random_schedule(["S1", "S2", "S3", "S4", "S5"], seed, duration=5.0)
    assert a != faults.random_schedule(5, seed + 1, duration=5.0)
