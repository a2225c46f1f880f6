"""Issue 14's reproducers (defects 1-5), kept as regression tests, and tests of each class:
a state machine that cannot be poisoned, clients true to history under rewind,
a monotonic clock, and hash-order-free traces."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import raftlib as rl
from raftlib.kv import KVStore, OpError
from raftlib.replay import Timeline, fresh, restore


def _leader(c: rl.Cluster) -> str:
    assert c.run_until(lambda: c.leader() is not None, 5)
    return c.leader()


def _stores(c: rl.Cluster) -> dict:
    return {s: dict(c.kv[s].data) for s in c.nodes}


def _assert_replicas_agree(c: rl.Cluster) -> None:
    stores = _stores(c)
    assert all(store == stores["S1"] for store in stores.values()), stores
    applied = [c.applied(s) for s in c.nodes]
    assert all(a == applied[0] for a in applied), applied


# ------------------------------------------------- defect 1: one bad KV command
def test_defect1_an_append_to_a_number_is_an_error_result_not_a_broken_run():
    c = rl.Cluster(3, seed=1)
    cl = c.client("C1")
    cl.put("k", 5); cl.wait(); cl.append("k", "x"); c.run(0.5)   # the reproducer
    c.run(0.5)                    # ... and every later run() works too
    assert cl.pending is None, "the client got its answer"
    assert isinstance(cl.history[-1]["result"], OpError)
    assert "holds 5" in str(cl.history[-1]["result"])
    with pytest.raises(rl.CommandFailed, match="append to 'k'"):
        cl.wait()
    assert [row["seq"] for row in cl.history] == [1, 2], "no retry appended another copy"
    assert _stores(c) == {s: {"k": 5} for s in c.nodes}
    cl.put("a", "1")
    assert cl.wait() == "1"


@pytest.mark.parametrize("call, mention", [
    (lambda c, cl: cl.append("k", 5), "append's value must be a str"),
    (lambda c, cl: cl.put(["k"], "1"), "key must be a str"),
    (lambda c, cl: c.submit(rl.Op("frobnicate", "k"), to="S1"), "kind must be one of"),
    (lambda c, cl: c.submit(lambda: 1, to="S1"), "cannot be sent over the simulated wire"),
], ids=["append-int", "list-key", "unknown-kind", "lambda"])
def test_defect1_invalid_commands_are_refused_at_the_door(call, mention):
    c = rl.Cluster(3, seed=1)
    cl = c.client("C1")
    with pytest.raises(rl.InvalidCommandError, match=mention):
        call(c, cl)
    assert all(not c[s].log for s in c.nodes), "nothing reached a log"
    assert cl.pending is None and cl.seq == 0
    c.run(1.0)  # and later runs are unaffected


def test_the_store_turns_every_invalid_op_into_an_error_result():
    store = KVStore()
    for op in [rl.Op("frobnicate", "k"), rl.Op("put", ["k"], 1), rl.Op("append", "k", 5),
               rl.Op("put", "k", [1]), rl.Op("put", "k", "v", "C1", None),
               rl.Op("get", "k", "v"), rl.Op("put", "k", float("nan"))]:
        assert isinstance(store.apply(op), OpError), op
    assert store.data == {} and store.sessions == {}
    assert store.apply("not an op") is None  # plain commands are only logged


# ---------------------------------------- defect 2: replicas disagree afterwards
def test_defect2_entries_in_the_batch_of_an_invalid_one_are_applied_everywhere():
    c = rl.Cluster(3, seed=1)
    leader = _leader(c)
    c.submit(rl.Op("put", "a", "1"), to=leader)
    c[leader].propose(rl.Op("frobnicate", "k"))  # reaches the log behind submit's back
    c.submit(rl.Op("put", "b", "2"), to=leader)
    c.run(1.0)
    _assert_replicas_agree(c)
    assert _stores(c)["S1"] == {"a": "1", "b": "2"}
    assert len(c.applied("S1")) == 3
    c.check()


# ------------------------------------------------ defect 3: rewinding a client
def _client_at_rewind(seed: int = 2):
    c = rl.Cluster(3, seed=seed)
    cl = c.client("C1")
    tl = Timeline(c)
    tl.run_to(1.0)
    cl.put("x", "1")          # the Timeline rebases at its next operation
    tl.run_to(1.5)
    assert cl.pending is None and cl.history[-1]["result"] == "1"
    return c, cl, tl


def test_defect3_a_held_client_is_rewound_with_the_cluster():
    c, cl, tl = _client_at_rewind()
    tl.seek(1.0)
    assert c.clients["C1"] is cl, "the cluster routes replies to the object the notebook holds"
    assert cl.pending is not None and cl.seq == 1 and cl.history == []
    tl.run_to(1.5)
    assert cl.pending is None and [r["seq"] for r in cl.history] == [1]
    cl.put("y", "2")
    assert cl.wait() == "2"
    assert [r["seq"] for r in cl.history] == [1, 2], "no sequence number is reused"
    c.run(0.5)
    assert _stores(c) == {s: {"x": "1", "y": "2"} for s in c.nodes}
    assert c.kv["S1"].duplicates_suppressed == 0
    _assert_replicas_agree(c)


def test_defect3_a_fork_keeps_the_client_consistent():
    c, cl, tl = _client_at_rewind()
    tl.seek(1.0)
    tl.act("crash", c.leader() or "S1")   # forks history at t = 1.0
    tl.run_to(3.0)
    assert c.clients["C1"] is cl
    acknowledged = [(r["key"], r["result"]) for r in cl.history]
    leader = c.leader()
    for key, value in acknowledged:       # no acknowledged-but-unapplied write
        assert c.kv[leader].data.get(key) == value


def test_defect3_after_the_widgets_reset_a_held_client_gives_a_clear_error():
    pytest.importorskip("ipywidgets")
    from raftlib.widgets import ClusterView

    c = rl.Cluster(3, seed=1)
    cl = c.client("C1")
    view = ClusterView(c)
    view.do("reset")    # the reset button
    with pytest.raises(rl.StaleClientError, match=r"c\.client\('C1'\)"):
        cl.put("k", "v")
    fresh_client = c.client("C1")   # the way the message gives works
    fresh_client.put("k", "v")
    assert fresh_client.wait() == "v"


def test_a_client_made_after_the_snapshot_is_detached_by_a_rewind():
    c = rl.Cluster(3, seed=1)
    tl = Timeline(c)
    tl.run_to(1.0)
    late = c.client("C9")
    tl.run_to(2.0)                 # rebased after C9 was made: rewinding keeps it
    restore(c, fresh(c))
    with pytest.raises(rl.StaleClientError):
        late.get("k")
    with pytest.raises(rl.StaleClientError):
        late.wait()


# ----------------------------------------------- defect 4: the clock goes back
def _monotonic(c: rl.Cluster) -> bool:
    times = [row[0] for row in c.trace_rows()]
    return times == sorted(times)


@pytest.mark.parametrize("inner", [
    lambda c: c.run(1), lambda c: c.run_to(5), lambda c: c.run_until(lambda: False, 1),
    lambda c: c.step(), lambda c: c.run_process(iter([0.1])), lambda c: c.deliver_now(1),
], ids=["run", "run_to", "run_until", "step", "run_process", "deliver_now"])
def test_defect4_running_from_a_callback_is_refused(inner):
    c = rl.Cluster(3, seed=1)
    c.call_later(0.1, lambda: inner(c))
    with pytest.raises(rl.ReentrantRunError, match="virtual time cannot go back"):
        c.run(0.5)
    assert c.now == pytest.approx(0.1)
    c.run(1.0)                    # the cluster is usable afterwards
    assert c.now == pytest.approx(1.1) and _monotonic(c)


def test_defect4_running_from_a_predicate_or_a_process_is_refused():
    c = rl.Cluster(3, seed=1)
    with pytest.raises(rl.ReentrantRunError):
        c.run_until(lambda: c.run(1) or False, 1)

    def process():
        yield 0.1
        c.run(1)

    c.spawn(process())
    with pytest.raises(rl.ReentrantRunError):
        c.run(0.5)
    c.run(1)
    assert _monotonic(c)


def test_defect4_a_client_wait_inside_a_callback_is_refused():
    c = rl.Cluster(3, seed=1)
    cl = c.client("C1")
    c.run(1)
    cl.put("x", "1")
    c.call_later(0.01, lambda: cl.wait())
    with pytest.raises(rl.ReentrantRunError, match="run_until"):
        c.run(0.5)
    assert cl.wait() == "1"
    assert _monotonic(c)


# -------------------------------------------- defect 5: hash order in traces
_SCRIPT = textwrap.dedent("""
    import hashlib, raftlib as rl
    from raftlib.replay import Timeline
    c = rl.Cluster(5, seed=4)
    c.run(1.0)
    c.partition({"S3", "S1", "S5"}, {"S4", "S2"})
    c.cut("S2", "S1")
    c.run(1.0)
    tl = Timeline(c)
    tl.act("partition", {"S5", "S4"}, {"S2", "S1", "S3"})
    tl.run_to(3.0)
    tl.seek(2.5)
    tl.run_to(3.0)
    rows = [r for r in c.trace_rows() if r[1] == "partition"]
    print([r[-1] for r in rows])
    print(hashlib.sha256(c.transcript().encode()).hexdigest())
""")


def test_defect5_sets_are_recorded_in_canonical_order_under_any_hash_seed():
    outputs = []
    for hash_seed in ("1", "2", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert "['S1,S3,S5 | S2,S4', 'S4,S5 | S1,S2,S3']" in outputs[0]


# ------------------------------------------------------------ defect 6 samples
def test_defect6_flags_must_be_real_bools_and_heartbeats_shorter_than_timeouts():
    for flag in ("dedup", "noop_on_election", "check_every_event"):
        with pytest.raises(rl.ConfigError, match=flag):
            rl.Cluster(3, **{flag: "false"})
    with pytest.raises(rl.ConfigError, match="shorter than the low election timeout"):
        rl.Cluster(3, heartbeat_interval=0.15)
    c = rl.Cluster(3, seed=1)
    with pytest.raises(rl.ConfigError, match="did you mean 'request_loss'"):
        c.network.reqest_loss = 0.5
    with pytest.raises(rl.ConfigError, match="long_reordering must be True or False"):
        c.network.long_reordering = "no"
    with pytest.raises(rl.ConfigError, match="unreliable must be True or False"):
        c.network.set_unreliable("no")
    assert c.network.reliable
    with pytest.raises(rl.UnknownServerError):
        c.set_timer("S9", "election", 1)
    with pytest.raises(rl.ConfigError, match="delay"):
        c.set_timer("S1", "election", -5)
    assert c.now == 0
