"""The naive primary/backup system of lesson 2: it fails over, it splits its brain, TS is a SPOF."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import raftlib as rl
from raftlib import primary_backup as pbm
from raftlib.primary_backup import PrimaryBackup

SPLIT = (["P1", "C1"], ["P2", "TS", "C2"])  # the old primary cut off from TS and the backup


def started(seed: int = 1, **kwargs) -> PrimaryBackup:
    pb = rl.PrimaryBackup(seed=seed, **kwargs)
    pb.run(0.3)
    return pb


def test_lazy_name_and_repr():
    assert rl.PrimaryBackup is PrimaryBackup
    pb = started()
    assert "primaries=['P1']" in repr(pb)
    assert pb.nodes == ["P1", "P2", "TS"]


def test_starts_with_p1_primary_and_replicates_each_write_to_the_backup():
    pb = started()
    assert pb.primaries() == ["P1"] and pb.ts_holder == "P1"
    assert pb["P2"].role == "backup" and pb["P2"].primary_id == "P1"
    c1 = pb.client("C1")
    c1.put("x", "1")
    c1.wait()
    c1.append("x", "2")
    assert c1.wait() == "12"
    w = pb.writes()
    assert list(zip(w.replica, w["as"], w.now)) == [
        ("P1", "primary", "1"), ("P2", "backup", "1"), ("P1", "primary", "12"),
        ("P2", "backup", "12")]
    assert pb.data("P1") == pb.data("P2") == {"x": "12"}
    assert pb.stats.sent["Replicate"] == 2 and pb.stats.delivered["ReplicateReply"] == 2


def test_primary_answers_only_after_the_backup_acknowledged():
    pb = started()
    c1 = pb.client("C1")
    c1.put("x", "1")
    c1.wait()
    acked = pb.trace.query("event == 'deliver' and type == 'ReplicateReply'").time.iloc[0]
    assert c1.history[0]["answered"] > acked


def test_failover_after_a_crash_keeps_acknowledged_writes():
    pb = started()
    c1 = pb.client("C1")
    c1.put("x", "1")
    c1.wait()
    pb.crash("P1")
    pb.run(0.5)
    assert pb.primaries() == ["P2"] and pb.ts_holder == "P2"
    assert pb.data("P2") == {"x": "1"}
    c1.append("x", "2")
    assert c1.wait() == "12"
    assert c1.history[-1]["server"] == "P2" and c1.history[-1]["attempts"] > 1


def test_partition_makes_two_primaries_that_accept_conflicting_writes():
    pb = started()
    c1, c2 = pb.client("C1"), pb.client("C2")
    c1.put("x", "0")
    c1.wait()
    pb.partition(*SPLIT)
    pb.run(0.5)
    assert pb.primaries() == ["P1", "P2"] and pb.ts_holder == "P2"
    c1.put("x", "from C1")
    c2.put("x", "from C2")
    assert (c1.wait(), c2.wait()) == ("from C1", "from C2")
    assert pb.data("P1") == {"x": "from C1"} and pb.data("P2") == {"x": "from C2"}
    accepted = pb.writes().query("`as` == 'primary' and seq >= 1 and value != '0'")
    assert sorted(zip(accepted.replica, accepted.value)) == [("P1", "from C1"), ("P2", "from C2")]
    pb.heal()  # nothing in the naive design repairs it
    pb.run(1.0)
    assert pb.primaries() == ["P1", "P2"]
    assert pb.data("P1") != pb.data("P2")


def test_a_backup_cannot_tell_a_crash_from_a_partition():
    def run(fault: str) -> PrimaryBackup:
        pb = started(seed=3, latency=(0.005, 0.005))  # no dice roll differs between the runs
        if fault == "crash":
            pb.crash("P1")
        else:
            pb.partition(["P1"], ["P2", "TS"])
        pb.run(0.5)
        return pb

    crashed, partitioned = run("crash"), run("partition")
    seen = crashed.view("P2")
    assert seen.equals(partitioned.view("P2"))
    assert seen.iloc[-1].type == "TestAndSetReply" and "granted=True" in seen.iloc[-1].detail
    assert crashed.primaries() == ["P2"]
    assert partitioned.primaries() == ["P1", "P2"]


def test_ts_on_the_primarys_side_prevents_split_brain():
    pb = started()
    pb.partition(["P1", "TS"], ["P2"])
    pb.run(1.0)
    assert pb.primaries() == ["P1"] and pb.ts_holder == "P1"
    assert pb.trace.query("event == 'suspect' and server == 'P2'").shape[0] > 0


def test_ts_denies_the_flag_while_it_hears_the_holder():
    pb = started()
    pb.cut("P1", "P2")  # P2 stops hearing P1, but TS still does
    pb.run(1.0)
    assert pb.primaries() == ["P1"]
    replies = pb.view("P2").query("type == 'TestAndSetReply'")
    assert len(replies) > 0 and all(d == "granted=False holder=P1" for d in replies.detail)


def test_a_crashed_test_and_set_server_is_a_single_point_of_failure():
    pb = started(seed=2)
    pb.crash("TS")
    pb.run(0.3)
    pb.crash("P1")
    pb.run(2.0)
    assert pb.primaries() == []
    assert pb.stats.sent["TestAndSet"] > 10
    c1 = pb.client("C1")
    c1.put("x", "1")
    with pytest.raises(rl.ConfigError, match="no answer"):
        c1.wait(2.0)
    pb.restart("TS")  # the flag survives on TS's disk; TS then notices P1 is silent
    assert c1.wait(2.0) == "1"
    assert pb.primaries() == ["P2"]


def test_race_for_the_flag_elects_one_primary_and_replays_from_the_seed():
    runs = []
    for _ in range(2):
        pb = rl.PrimaryBackup(3, seed=11, initial_primary=None)
        pb.run(0.5)
        runs.append(pb)
        assert len(pb.primaries()) == 1 and pb.primaries() == [pb.ts_holder]
        assert sum(1 for r in pb.replica_ids if pb[r].primary_id == pb.ts_holder) == 3
    assert runs[0].trace_rows() == runs[1].trace_rows()
    winners = {started(seed=s, initial_primary=None).ts_holder for s in range(12)}
    assert winners == {"P1", "P2"}  # who wins the race depends on the network's dice


def test_restarted_old_primary_comes_back_as_a_backup():
    pb = started()
    pb.crash("P1")
    pb.run(0.5)
    pb.restart("P1")
    assert pb["P1"].role == "backup" and pb["P1"].primary_id is None
    pb.run(0.5)
    assert pb.primaries() == ["P2"] and pb["P1"].primary_id == "P2"


def test_a_client_at_ts_is_pointed_to_the_holder():
    pb = started()
    pb.crash("P1")
    pb.crash("P2")
    pb.restart("P2")  # a backup that knows no primary: its hint is None
    c = pb.client("C9", timeout=0.2)
    c.target = "TS"
    c.get("x")
    pb.run(0.05)
    first = pb.view("C9").iloc[0]
    assert (first["from"], first.type) == ("TS", "ClientReply")
    assert c.wait(3.0) is None and pb.primaries() == ["P2"]


def test_observation_tables():
    pb = started()
    state = pb.state()
    assert list(state.index) == ["P1", "P2", "TS"]
    assert state.loc["TS", "believes primary"] == "P1" and state.loc["P2", "role"] == "backup"
    view = pb.view("TS")
    assert set(view["from"]) == {"P1", "P2"} and set(view.type) == {"Ping"}
    assert pb.writes().empty and list(pb.writes().columns) == list(pb.WRITE_COLUMNS)
    assert pb.wire_size(pbm.Replicate("P1", "P2", rl.Op("put", "k", "v"))) > pb.wire_size(
        pbm.TestAndSet("P2", "TS"))
    assert pb["TS"].holder == "P1" and pb.servers["P2"] is pb["P2"]


@pytest.mark.parametrize("kwargs, message", [
    ({"replicas": 1}, "replicas must be an int >= 2"),
    ({"replicas": "2"}, "replicas must be an int >= 2"),
    ({"replicas": True}, "replicas must be an int >= 2"),
    ({"ping_interval": 0}, "ping_interval must be > 0"),
    ({"ping_interval": -1}, "ping_interval must be a finite number"),
    ({"failure_timeout": 0.05}, "failure_timeout must be longer than ping_interval"),
    ({"initial_primary": "P3"}, "initial_primary must be one of P1, P2 or None"),
    ({"latency": (0.01, 0.001)}, "latency must satisfy"),
    ({"seed": 1.5}, "seed must be an int"),
])
def test_bad_configuration_is_a_config_error(kwargs, message):
    with pytest.raises(rl.ConfigError, match=message):
        rl.PrimaryBackup(**kwargs)


def test_bad_names_are_clear_errors():
    pb = started()
    with pytest.raises(rl.UnknownServerError, match="the replicas are P1, P2"):
        pb["S1"]
    with pytest.raises(rl.UnknownServerError):
        pb.data("TS")
    with pytest.raises(rl.UnknownServerError):
        pb.crash("P7")
    with pytest.raises(rl.ConfigError, match="does not name TS"):
        pb.partition(["P1"], ["P2"])
    with pytest.raises(rl.ConfigError, match="not a server id"):
        pb.client("P1")
    pb.client("C1")
    with pytest.raises(rl.ConfigError, match="already exists"):
        pb.client("C1")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000),
       faults=st.lists(st.tuples(st.sampled_from(["crash", "restart"]),
                                 st.sampled_from(["P1", "P2", "P3"]),
                                 st.floats(0.0, 0.6)), max_size=6))
def test_without_partitions_there_is_never_more_than_one_primary(seed, faults):
    """Crashes alone never split the brain: TS hands the flag on only after the holder went
    silent, and a silent holder here is a crashed one (a restarted one comes back as backup)."""
    pb = rl.PrimaryBackup(3, seed=seed)
    for action, replica, wait in faults:
        getattr(pb, action)(replica)
        assert pb.run_until(lambda: len(pb.primaries()) > 1, wait) is False
    assert pb.run_until(lambda: len(pb.primaries()) > 1, 1.0) is False
