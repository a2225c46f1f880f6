"""The harness itself: its checks can fail, and a seed replays the same run."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import SCENARIOS, Config, PortFailure, Scenario, run_test, seeds


def _scenario(body, servers: int = 3) -> Scenario:
    return Scenario("Harness", body, servers)  # not registered: not a ported test


def test_every_go_test_is_ported() -> None:
    from . import test_2a, test_2b, test_2c  # noqa: F401  (they register their scenarios)

    assert set(SCENARIOS) == {
        "InitialElection", "ReElection", "ManyElections", "BasicAgree", "RPCBytes",
        "FollowerFailure", "LeaderFailure", "FailAgree", "FailNoAgree", "ConcurrentStarts",
        "Rejoin", "Backup", "Count", "Persist1", "Persist2", "Persist3", "Figure8",
        "UnreliableAgree", "Figure8Unreliable", "ReliableChurn", "UnreliableChurn"}


def test_check_one_leader_fails_without_a_majority() -> None:
    def body(cfg: Config):
        for i in range(cfg.n):
            cfg.disconnect(i)
        yield from cfg.check_one_leader()

    with pytest.raises(PortFailure, match=r"seed=4.*expected one leader, got none"):
        run_test(_scenario(body), 4)


def test_one_fails_when_too_few_servers_can_apply() -> None:
    def body(cfg: Config):
        yield from cfg.one(1, 3, False)
        cfg.disconnect(0)
        yield from cfg.one(2, 3, False)

    with pytest.raises(PortFailure, match=r"one\(2\) failed to reach agreement"):
        run_test(_scenario(body), 0)


def test_the_time_limit_is_120_virtual_seconds() -> None:
    def body(cfg: Config):
        yield 121.0

    with pytest.raises(PortFailure, match="took longer than 120 seconds"):
        run_test(_scenario(body), 0)


def test_crash_leaves_the_server_off_the_network_until_connect() -> None:
    def body(cfg: Config):
        leader = yield from cfg.check_one_leader()
        cfg.start1(leader)
        assert not cfg.connected[leader] and cfg.alive[leader]
        assert cfg.c.network.disconnected == {cfg.ids[leader]}
        cfg.connect(leader)
        assert not cfg.c.network.disconnected

    run_test(_scenario(body), 0)


def test_seeds_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAFT_SEEDS", raising=False)
    monkeypatch.delenv("RAFT_SEED_BASE", raising=False)
    assert seeds(3) == [0, 1, 2]
    monkeypatch.setenv("RAFT_SEEDS", "2")
    monkeypatch.setenv("RAFT_SEED_BASE", "100")
    assert seeds(3) == [100, 101]


def _digest(name: str, seed: int) -> str:
    cfg = run_test(SCENARIOS[name], seed)
    return hashlib.sha256(repr(cfg.c.trace_rows()).encode()).hexdigest()


def test_same_seed_same_run() -> None:
    from . import test_2c  # noqa: F401

    assert _digest("UnreliableChurn", 1) == _digest("UnreliableChurn", 1)
    assert _digest("UnreliableChurn", 1) != _digest("UnreliableChurn", 2)


def test_same_seed_same_run_across_processes() -> None:
    from . import test_2c  # noqa: F401

    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from mit6824 import test_2c; from mit6824.test_harness import _digest; "
            "print(_digest('Figure8', 1))")
    tests_dir = str(Path(__file__).resolve().parents[1])
    outputs = {subprocess.run([sys.executable, "-c", code, tests_dir], check=True,
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": hashseed}).stdout.strip()
               for hashseed in ("1", "2")}
    assert outputs == {_digest("Figure8", 1)}


def test_warnings_are_reported_not_failed() -> None:
    def body(cfg: Config):
        cfg.warn("term changed even though there were no failures")
        yield 0.0

    with pytest.warns(UserWarning, match=r"seed=3\): term changed"):
        run_test(_scenario(body), 3)
