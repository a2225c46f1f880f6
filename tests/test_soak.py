"""The harsher soak: its faults each do what they say, and the per-bug report."""

from __future__ import annotations

import pytest

import raftlib as rl
from raftlib import faults, soak
from raftlib.errors import ConfigError
from raftlib.faults import Fault


def test_messages_from_a_crashed_sender_vanish_by_default_and_arrive_with_the_option():
    def first_delivery_after_crash(option: bool) -> list:
        c = rl.Cluster(3, seed=1)
        c.run_until(lambda: c.leader() is not None, 2.0)
        leader = c.leader()
        c.run_until(lambda: any(m.message.src == leader for m in c.in_flight()), 1.0)
        c.network.deliver_from_crashed = option
        c.crash(leader)
        c.run(0.02)
        return [r for r in c.trace_rows() if r[3] == leader and r[1] in ("deliver", "drop")
                and r[0] > 0 and r[6] is not None]

    assert [r[7] for r in first_delivery_after_crash(False)][-1] == "sender crashed"
    assert any(r[1] == "deliver" for r in first_delivery_after_crash(True))


def test_deliver_from_crashed_takes_only_a_bool():
    with pytest.raises(ConfigError, match="deliver_from_crashed"):
        rl.Cluster(3).network.deliver_from_crashed = "no"


def test_isolating_the_leader_feeds_it_commands_that_it_never_commits():
    c = rl.Cluster(5, seed=2)
    c.run_until(lambda: c.leader() is not None, 2.0)
    old = faults.isolate_leader(c, 0.5)
    c.run(0.45)
    fed = [e for e in c[old].log if isinstance(e.command, tuple) and e.command[0] == "to-isolated"]
    assert len(fed) >= 20
    assert c.leader() != old and c[old].commit_index < c[old].log.index(fed[0]) + 1
    c.run(0.5)  # the isolation ends: the old leader learns the new term, and the
    c.submit("new")  # new leader's next entry overwrites what was fed to it
    c.run(1.0)
    c.check()
    assert not any(isinstance(e.command, tuple) and e.command[0] == "to-isolated"
                   for e in c[old].log)


def test_each_new_leader_crashes_within_one_latency():
    c = rl.Cluster(5, seed=3)
    faults.crash_new_leaders(c, 1.5)
    c.run(1.5)
    rows = c.trace_rows()
    elected = [(r[0], r[2]) for r in rows if r[1] == "role" and r[7] == "leader"]
    assert len(elected) >= 2
    low = c.network.latency[0]
    for t, sid in elected:
        crash = next(r[0] for r in rows if r[1] == "crash" and r[2] == sid and r[0] >= t)
        assert crash - t <= low + 0.0011  # one latency, plus the 1 ms look-out


def test_harsh_schedules_are_validated():
    with pytest.raises(ConfigError):
        faults.install_harsh(rl.Cluster(3), [Fault(0.1, "crash", ("S1",))])
    with pytest.raises(ConfigError):
        faults.install_harsh(rl.Cluster(3), [Fault(0.1, "isolate_leader", (-1,))])
    schedule = faults.harsh_schedule(5, 7, duration=10.0)
    assert schedule == faults.harsh_schedule(5, 7, duration=10.0)
    assert {f.action for f in schedule} == set(faults.HARSH_ACTIONS)


def test_harsh_runs_use_up_to_seven_servers_storage_latency_and_the_noop_entry(monkeypatch):
    made = []
    real = soak.Cluster

    def spy(*args, **kwargs):
        made.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(soak, "Cluster", spy)
    outcomes = [soak.chaos_run(seed, harsh=True, duration=1.0) for seed in range(12)]
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    sizes = {args[0] for args, _ in made}
    assert max(sizes) == 7 and min(sizes) == 3
    assert any(kw["storage_latency"] for _, kw in made)
    assert any(kw["noop_on_election"] for _, kw in made)


def test_the_soak_checks_the_clients_history_for_linearizability(monkeypatch):
    checked = []
    real = rl.linearizability.check
    monkeypatch.setattr(soak.linearizability, "check",
                        lambda c: checked.append(real(c)) or checked[-1])
    assert soak.chaos_run(4, duration=3.0).ok
    assert checked and checked[0].ok and len(checked[0].operations) > 5
    assert {o.kind for o in checked[0].operations} >= {"append", "get"}


def test_by_bug_counts_the_seeds_that_catch_each_bug_class(capsys):
    found = soak.by_bug(range(2), duration=2.0)
    assert set(found) == {cls.__name__ for cls in (*rl.bugs.BUGS, *rl.bugs.SUBTLE)}
    assert found["AcceptPrevPastEnd"][0] >= 1  # caught: a seed broke a safety property
    assert all(0 <= caught <= 2 and sum(props.values()) == caught
               for caught, props in found.values())


def test_the_command_line_by_bug_report(capsys):
    assert soak.main(["--by-bug", "--seeds", "1", "--workers", "1", "--duration", "1"]) == 0
    out = capsys.readouterr().out
    assert "AcceptPrevPastEnd" in out and "bug classes caught" in out
