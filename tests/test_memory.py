"""Bounded memory and incremental checking: trace_limit, Timeline checkpoints, check() cost."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import raftlib as rl
from raftlib import replay, tables
from raftlib.core import Entry
from raftlib.errors import ConfigError, SafetyViolation
from raftlib.replay import Timeline
from raftlib.safety import TrackedLog

import test_replay


def loaded(n: int = 3, seed: int = 1, seconds: float = 3.0, **kw) -> rl.Cluster:
    c = rl.Cluster(n, seed=seed, **kw)
    c.run(0.5)
    for i in range(int(seconds / 0.05)):
        c.submit(f"x{i}")
        c.run(0.05)
    return c


# ------------------------------------------------------------------ trace_limit
def test_trace_limit_keeps_the_last_rows_and_counts_the_dropped_ones():
    full = loaded()
    short = loaded(trace_limit=100)
    rows = full.trace_rows()
    assert len(rows) > 500
    assert short.trace_rows() == rows[-100:]
    assert short.trace_dropped == len(rows) - 100 and full.trace_dropped == 0
    assert short.trace_count == full.trace_count == len(rows)
    # memory, not just the view, is bounded: at most twice the limit is ever held
    assert len(short._trace) <= 200


class Recording(rl.Cluster):
    """Keeps every message handed to a server or client, as it was delivered."""

    def __init__(self, *args, **kwargs):
        self.seen = []
        super().__init__(*args, **kwargs)

    def _handle_message(self, msg):
        self.seen.append((self.now, msg))
        super()._handle_message(msg)


def test_deliveries_and_trace_rows_rebuild_every_delivered_message_whole():
    c = Recording(3, seed=4)
    c.network.set_unreliable(True)
    c.run(0.5)
    client = c.client("C1")
    for i in range(20):
        c.submit(("cmd", i, [i]))  # a mutable command: each receiver gets its own copy
        if client.pending is None:
            client.put("k", f"v{i}")
        c.run(0.05)
    got = c.deliveries()
    assert [(t, m) for t, _sent, m in got] == c.seen and len(got) > 100
    assert all(type(m) is type(seen) for (_t, _s, m), (_t2, seen) in zip(got, c.seen))
    rows = [r for r in c.trace_rows() if r[1] == "deliver"]
    assert [(r[0], r[2], r[3], r[4], r[6]) for r in rows] == [
        (t, m.dst, m.src, type(m).__name__, sent) for t, sent, m in got]
    assert all(len(r) == len(rl.Cluster.TRACE_COLUMNS) for r in c.trace_rows())
    assert c.trace_tail(5) == c.trace_rows()[-5:]


def test_deliveries_with_a_trace_limit_are_those_among_the_rows_kept():
    full, short = loaded(), loaded(trace_limit=100)
    kept = [r for r in short.trace_rows() if r[1] == "deliver"]
    assert 0 < len(kept) < 100
    assert short.deliveries() == full.deliveries()[-len(kept):]
    assert [t for t, _s, _m in short.deliveries()] == [r[0] for r in kept]


def test_transcripts_tables_and_plots_say_that_rows_were_dropped():
    c = loaded(trace_limit=50)
    text = c.transcript()
    first, *rest = text.splitlines()
    assert first == f"... {c.trace_dropped} earlier trace rows dropped (trace_limit) ..."
    assert len(rest) == 50
    df = tables.trace(c)
    assert len(df) == 50 and df.attrs["trace_dropped"] == c.trace_dropped
    roles = tables.roles(c)
    assert roles.attrs["trace_dropped"] == c.trace_dropped
    assert roles["start"].min() == df["time"].min()  # nothing claimed before the rows kept
    assert "unknown" in set(roles["role"])  # a role before the rows kept is not guessed
    fig = rl.plots.spacetime(c)
    assert any("dropped" in t.get_text() for t in fig.axes[0].texts)
    assert loaded().transcript().splitlines()[0].startswith("0.")  # no note without a limit


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", True])
def test_trace_limit_must_be_a_positive_int(bad):
    with pytest.raises(ConfigError, match="trace_limit"):
        rl.Cluster(3, trace_limit=bad)


def test_a_bounded_trace_replays_byte_for_byte():
    a, b = loaded(seed=5, trace_limit=80), loaded(seed=5, trace_limit=80)
    assert a.transcript() == b.transcript()
    assert replay.fresh(a).trace_limit == 80


# ------------------------------------------------------------------ checkpoints
def drive(tl: Timeline, until: float) -> None:
    """A long scripted history: load, a crash and a restart every few seconds."""
    c = tl.cluster
    t = 0.0
    while t < until:
        t = round(t + 0.25, 6)
        tl.run_to(t)
        leader = c.leader()
        if leader is not None and int(t * 4) % 3 == 0:
            tl.act("submit", f"v{t}", leader)
        if int(t * 4) % 29 == 0 and leader is not None:
            tl.act("crash", leader)
        if int(t * 4) % 29 == 7:
            for s in c.nodes:
                if not c.up[s]:
                    tl.act("restart", s)


def test_seek_after_a_long_history_restores_a_near_checkpoint_and_matches_a_fresh_replay(
        monkeypatch):
    c = rl.Cluster(5, seed=11, trace_limit=2000)
    tl = Timeline(c, checkpoint_every=1.0)
    drive(tl, 30.0)
    assert tl.checkpoints[0] == 0.0 and max(tl.checkpoints) >= 29.0
    restored_from = []
    real_restore = replay.restore
    monkeypatch.setattr(replay, "restore", lambda cl, saved: (
        restored_from.append(saved.now), real_restore(cl, saved)))
    tl.seek(17.3)
    assert c.now == 17.3
    assert restored_from and 16.0 <= restored_from[-1] <= 17.3  # not replayed from 0
    monkeypatch.undo()
    rewound = c.transcript()
    reference = rl.Cluster(5, seed=11, trace_limit=2000)
    drive(Timeline(reference), 17.25)
    reference.run_to(17.3)
    assert rewound == reference.transcript()
    # and forward again along the recording, then to the end, is the same as never rewinding
    tl.seek(30.0)
    straight = rl.Cluster(5, seed=11, trace_limit=2000)
    drive(Timeline(straight), 30.0)
    assert c.transcript() == straight.transcript()


def test_acting_in_the_past_drops_the_later_checkpoints():
    c = rl.Cluster(3, seed=2)
    tl = Timeline(c, checkpoint_every=0.5)
    tl.run_to(5.0)
    assert max(tl.checkpoints) >= 4.5
    tl.seek(2.2)
    tl.act("crash", "S1")
    assert max(tl.checkpoints) <= 2.2
    tl.run_to(4.0)
    tl.seek(3.1)
    again = rl.Cluster(3, seed=2)
    again.run_to(2.2)
    again.crash("S1")
    again.run_to(3.1)
    assert c.transcript() == again.transcript()


def test_checkpoints_are_thinned_to_the_maximum():
    c = rl.Cluster(3, seed=3)
    tl = Timeline(c, checkpoint_every=0.1, max_checkpoints=8)
    tl.run_to(6.0)
    assert len(tl.checkpoints) <= 8 and tl.checkpoints[0] == 0.0
    assert tl.checkpoints == sorted(tl.checkpoints)


@pytest.mark.parametrize("kw", [{"checkpoint_every": 0}, {"checkpoint_every": float("nan")},
                                {"max_checkpoints": 1}, {"max_checkpoints": 2.5}])
def test_checkpoint_settings_are_validated(kw):
    with pytest.raises(ConfigError):
        Timeline(rl.Cluster(3), **kw)


# ------------------------------------------------------------ incremental check
def test_tracked_log_remembers_the_lowest_position_changed():
    log = TrackedLog([1, 2, 3, 4, 5])
    log.append(6)
    log.extend([7])
    assert log.changed_from() > 100  # appends are not changes of what was there
    log[3] = 9
    del log[5:]
    assert log.changed_from() == 3
    log.pop()
    assert log.changed_from() == 4
    log.insert(1, 0)
    assert log.changed_from() == 1


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 50), where=st.floats(0.0, 0.999),
       how=st.sampled_from(["set", "rewrite-suffix", "new-list", "delete"]))
def test_check_catches_a_planted_divergence_at_any_position(seed, where, how):
    """Plant a change anywhere in a follower's log (old prefixes included) after many
    clean checks: the next check must fail, as a full check from scratch would."""
    c = loaded(seed=seed, seconds=1.5)
    c.check()
    leader = c.leader()
    follower = next(s for s in c.nodes if s != leader and c.up[s])
    log = c[follower].log
    p = int(where * len(log))
    bad = Entry(log[p].term, ("planted", p))
    if how == "set":
        log[p] = bad
    elif how == "rewrite-suffix":
        tail = list(log[p:])
        del log[p:]
        log.extend([bad, *tail[1:]])
    elif how == "new-list":
        c[follower].log = [*log[:p], bad, *log[p + 1:]]
    else:  # delete an entry: the ones after it shift to the wrong index
        if p == len(log) - 1:
            p -= 1
        if log[p].term == log[p + 1].term and log[p] != log[p + 1] and p + 1 < len(log):
            del log[p]
        else:
            log[p] = bad
    with pytest.raises(SafetyViolation, match="Log Matching"):
        c.check()


def test_leader_append_only_is_caught_when_an_old_entry_is_rewritten():
    c = loaded(seconds=1.0)
    c.check()
    leader = c[c.leader()]
    leader.log[1] = Entry(leader.log[1].term, "rewritten")
    with pytest.raises(SafetyViolation, match="Leader Append-Only|Log Matching"):
        c.check()


def test_check_verifies_only_what_changed():
    """The incremental check touches the new entries, not the whole log, on each call."""
    c = loaded(seconds=4.0)
    c.check()
    compared = []

    class Counting(list):
        def __getitem__(self, i):
            compared.append(i)
            return super().__getitem__(i)

    for sid in c.nodes:
        c.safety._mirror[sid] = Counting(c.safety._mirror[sid])
    c.check()  # nothing new since the last check
    assert len(compared) < 10
    c.submit("one more")
    c.run(0.1)
    compared.clear()
    c.check()
    assert len(compared) < 40  # a handful per server, not ~80 entries per server


def test_replicas_key_value_stores_must_agree():
    c = rl.Cluster(3, seed=4)
    client = c.client()
    client.put("a", "1")
    client.wait()
    client.append("a", "2")
    client.wait()
    c.run(0.5)
    c.check()
    c.kv["S2"].data["a"] = "12-diverged"
    with pytest.raises(SafetyViolation, match="State machine agreement.*'a'"):
        c.check()


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 1000), ops=st.lists(test_replay.operation, min_size=1, max_size=16),
       cuts=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=4))
def test_dense_checkpoints_rewind_and_replay_exactly(seed, ops, cuts):
    """Checkpoints every 50 ms, thinned to 6, through forks, steps and partial runs."""
    c = rl.Cluster(5, seed=seed)
    tl = Timeline(c, checkpoint_every=0.05, max_checkpoints=6)
    for i, op in enumerate(ops):
        test_replay.perform(tl, op)
        if i % 4 == 3:  # rewind in the middle too, then act from there (a fork)
            tl.seek(c.now * cuts[0])
    end, rows = c.now, c.trace_rows()
    for cut in cuts:
        tl.seek(end * cut)
        assert c.trace_rows() == rows[:len(c.trace_rows())]
        for _ in range(3):
            tl.step()
        tl.seek(end)
        assert c.trace_rows() == rows
