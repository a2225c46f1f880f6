"""The linearizability checker: hand histories, a planted stale read, 1,000 real histories."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_rgb

import raftlib as rl
from raftlib import linearizability as lin
from raftlib.errors import ConfigError
from raftlib.linearizability import PENDING, Operation
from raftlib.palette import DROP_COLOR


def op(client, kind, key, value, output, call, ret):
    return Operation(client, kind, key, value, output, call, ret)


# ------------------------------------------------------------ tiny hand histories
LINEARIZABLE = {
    "sequential": [op("A", "put", "x", "1", "1", 0, 1), op("B", "get", "x", None, "1", 2, 3)],
    "read of nothing first": [op("B", "get", "x", None, None, 0, 1),
                              op("A", "put", "x", "1", "1", 2, 3)],
    "concurrent read may see the old value": [
        op("A", "put", "x", "1", "1", 0, 1), op("A", "put", "x", "2", "2", 2, 5),
        op("B", "get", "x", None, "1", 3, 4)],
    "concurrent read may see the new value": [
        op("A", "put", "x", "1", "1", 0, 1), op("A", "put", "x", "2", "2", 2, 5),
        op("B", "get", "x", None, "2", 3, 4)],
    "appends in either order while overlapping": [
        op("A", "append", "x", "a", "ba", 0, 4), op("B", "append", "x", "b", "b", 1, 3),
        op("C", "get", "x", None, "ba", 5, 6)],
    "a pending write may take effect": [
        op("A", "put", "x", "1", None, 0, PENDING), op("B", "get", "x", None, "1", 5, 6)],
    "a pending write may never take effect": [
        op("A", "put", "x", "1", None, 0, PENDING), op("B", "get", "x", None, None, 5, 6)],
    "keys are independent": [
        op("A", "put", "x", "1", "1", 0, 1), op("B", "put", "y", "2", "2", 0, 1),
        op("C", "get", "y", None, "2", 2, 3), op("C", "get", "x", None, "1", 4, 5)],
    "equal times overlap": [op("A", "put", "x", "1", "1", 0, 1),
                            op("B", "get", "x", None, "1", 1, 2)],
}
NOT_LINEARIZABLE = {
    "stale read": [op("A", "put", "x", "1", "1", 0, 1), op("A", "put", "x", "2", "2", 2, 3),
                   op("B", "get", "x", None, "1", 4, 5)],
    "read of a value never written": [op("B", "get", "x", None, "7", 0, 1)],
    "reads go back in time": [
        op("A", "put", "x", "1", "1", 0, 10), op("B", "get", "x", None, "1", 1, 2),
        op("C", "get", "x", None, None, 3, 4)],
    "an append result that skips a write": [
        op("A", "append", "x", "a", "a", 0, 1), op("B", "append", "x", "b", "b", 2, 3)],
    "a pending write cannot undo itself": [
        op("A", "put", "x", "1", None, 0, PENDING), op("B", "get", "x", None, "1", 1, 2),
        op("B", "get", "x", None, None, 3, 4)],
}


@pytest.mark.parametrize("name", sorted(LINEARIZABLE))
def test_linearizable_hand_histories(name):
    assert lin.check(LINEARIZABLE[name]).ok is True


@pytest.mark.parametrize("name", sorted(NOT_LINEARIZABLE))
def test_non_linearizable_hand_histories(name):
    result = lin.check(NOT_LINEARIZABLE[name])
    assert result.ok is False
    assert result.violating and "not linearizable" in result.explain()


def test_the_counterexample_names_the_stale_read():
    result = lin.check(NOT_LINEARIZABLE["stale read"])
    assert result.key == "x"
    assert [o.output for o in result.linearization] == ["1", "2"]
    assert any(o.kind == "get" and o.output == "1" for o in result.violating)


def test_bad_histories_are_refused():
    with pytest.raises(ConfigError):
        lin.check([("A", "put")])
    with pytest.raises(ConfigError, match="kind"):
        lin.check([op("A", "frob", "x", None, None, 0, 1)])
    with pytest.raises(ConfigError, match="return"):
        lin.check([op("A", "get", "x", None, None, 2, 1)])
    with pytest.raises(ConfigError, match="max_steps"):
        lin.check([], max_steps=0)


def test_a_search_that_runs_out_of_steps_says_unknown():
    many = [op(f"C{i}", "append", "x", str(i), None, 0, PENDING) for i in range(12)]
    many.append(op("Z", "get", "x", None, "no such value", 1, 2))
    assert lin.check(many, max_steps=50).ok is None


# ------------------------------------------------------------- real histories
def kv_run(seed: int, seconds: float = 0.8) -> rl.Cluster:
    """Three clients on two keys against three servers, with a leader crash and
    restart, and (every other seed) labrpc's unreliable network."""
    c = rl.Cluster(3, seed=seed)
    rng = c.rng("test:faults")

    def worker(client):
        r = c.rng(f"test:{client.id}")
        i = 0
        while True:
            if client.pending is None:
                i += 1
                kind = r.choice(["put", "append", "get", "get"])
                client.request(kind, r.choice("xy"), None if kind == "get" else f"{client.id}.{i},")
            yield r.uniform(0.005, 0.05)

    for k in range(1, 4):
        c.spawn(worker(c.client(f"C{k}", timeout=0.2)))
    crash_at = rng.uniform(0.25, 0.6)
    c.call_later(crash_at, lambda: c.leader() and c.crash(c.leader()))
    c.call_later(crash_at + rng.uniform(0.05, 0.2),
                 lambda: [c.restart(s) for s in c.nodes if not c.up[s]])
    if seed % 2:
        c.network.set_unreliable(True)
    c.run(seconds)
    return c


def test_finds_a_planted_stale_read_in_a_real_history():
    c = kv_run(3, 1.5)
    history = lin.history(c)
    assert lin.check(history).ok
    # a read, after everything, of a value that a later write had already replaced
    writes = [o for o in history if o.kind != "get" and not o.pending]
    old, new = next((a, b) for a in writes for b in writes
                    if a.key == b.key and a.ret < b.call and b.output != a.output)
    end = max(o.ret for o in history if not o.pending)
    stale = Operation("C9", "get", old.key, None, old.output, end + 0.01, end + 0.02)
    planted = history + [stale]
    result = lin.check(planted)
    assert result.ok is False and stale in result.violating
    fig = rl.plots.history(result)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(repr(stale.output) in t for t in texts)
    red = to_rgb(DROP_COLOR)
    highlighted = [p for p in fig.axes[0].patches if p.get_edgecolor()[:3] == red]
    assert len(highlighted) == len(result.violating)  # the violating operations, in red


def test_history_plot_draws_pending_operations_open_ended():
    ops = [op("A", "put", "x", "1", "1", 0.0, 1.0), op("B", "get", "x", None, None, 0.5, PENDING)]
    fig = rl.plots.history(ops)
    ax = fig.axes[0]
    right = ax.get_xlim()[1]
    widths = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches)
    assert widths[-1][1] == pytest.approx(right)
    assert "Client history" in ax.get_title()


def test_a_cluster_history_records_calls_returns_and_pending_requests():
    c = rl.Cluster(3, seed=2)
    k = c.client()
    k.put("a", "1")
    k.wait()
    c.crash(c.leader())
    k.get("a")
    c.run(0.01)
    history = lin.history(c)
    assert [o.kind for o in history] == ["put", "get"]
    assert history[0].output == "1" and history[0].call < history[0].ret < PENDING
    assert history[1].pending
    assert lin.check(c).ok


def test_a_thousand_real_histories_with_faults_are_linearizable():
    ops = 0
    for seed in range(1000):
        result = lin.check(kv_run(seed, 0.5))
        assert result.ok, (seed, result.explain())
        ops += len(result.operations)
    assert ops > 10_000  # the histories are not trivially short
