"""The pandas tables: documented columns, values that match the cluster."""

from __future__ import annotations

import random

import pandas as pd
import pytest

import raftlib as rl
from raftlib import scenarios, tables


def busy(seed: int = 2) -> rl.Cluster:
    c = rl.Cluster(5, seed=seed)
    c.run_until(lambda: c.leader() is not None, 5)
    for i in range(4):
        c.submit(rl.Op("put", "x", i))
    c.run(0.3)
    return c


def test_trace_has_the_engine_columns_and_filters():
    c = busy()
    df = tables.trace(c)
    assert list(df.columns) == tables.TRACE_COLUMNS == list(c.TRACE_COLUMNS)
    assert len(df) == len(c.trace_rows())
    roles = tables.trace(c, ["role"], start=0.1, end=1.0)
    assert set(roles["event"]) == {"role"} and roles["time"].between(0.1, 1.0).all()
    assert roles.index.tolist() == list(range(len(roles)))


def test_servers_table_matches_figure2_state():
    c = busy()
    down = next(s for s in c.nodes if s != c.leader())
    c.crash(down)
    df = tables.servers(c).set_index("server")
    assert list(tables.servers(c).columns) == tables.SERVER_COLUMNS
    for s in c.nodes:
        n = c[s]
        row = df.loc[s]
        assert (row.current_term, row.voted_for, row.commit_index, row.last_applied,
                row.last_log_index) == (n.current_term, n.voted_for, n.commit_index,
                                        n.last_applied, n.last_log_index)
    assert df.loc[down, "role"] == "crashed" and not df.loc[down, "up"]
    assert pd.isna(df.loc[down, "election_due"])
    leader = c.leader()
    assert df.loc[leader, "votes"] >= 3


def test_logs_side_by_side_and_entries_agree():
    c = scenarios.figure8(rl.Cluster(5, seed=0))
    wide = tables.logs(c)
    assert list(wide.columns) == c.nodes and wide.index.name == "index"
    assert wide["S1"].tolist() == [1, 2, 4]
    assert wide["S4"].isna().tolist() == [False, True, True]
    assert tables.logs(c, "entry").loc[3, "S1"] == "t4 put x=4"
    assert tables.logs(c, "command", servers=["S5"]).loc[2, "S5"] == "put x=3"
    long = tables.entries(c)
    assert list(long.columns) == tables.ENTRY_COLUMNS
    assert len(long) == sum(c[s].last_log_index for s in c.nodes)
    s1 = long[long.server == "S1"]
    assert s1.committed.tolist() == [i <= c["S1"].commit_index for i in (1, 2, 3)]
    with pytest.raises(rl.ConfigError, match="term, command, entry"):
        tables.logs(c, "colour")
    with pytest.raises(rl.UnknownServerError):
        tables.logs(c, servers=["S9"])


def test_peers_lists_next_and_match_index_of_every_leader():
    c = scenarios.two_leaders(rl.Cluster(5, seed=1))
    df = tables.peers(c)
    assert list(df.columns) == tables.PEER_COLUMNS
    assert sorted(set(df.leader)) == sorted(s for s in c.nodes if c[s].role == "leader")
    for leader, _term, peer, nxt, match in df.itertuples(index=False):
        assert (nxt, match) == (c[leader].next_index[peer], c[leader].match_index[peer])
    follower = next(s for s in c.nodes if c[s].role == "follower")
    with pytest.raises(rl.ConfigError, match="only a leader"):
        tables.peers(c, follower)


def test_message_stats_and_traffic_add_up():
    c = busy()
    c.network.request_loss = 0.3
    c.run(0.5)
    df = tables.message_stats(c)
    assert list(df.columns) == tables.MESSAGE_COLUMNS
    assert df.sent.sum() == c.stats.total_sent and df.bytes.sum() == c.stats.total_bytes
    assert df.dropped.sum() > 0
    traffic = tables.server_traffic(c)
    assert list(traffic.columns) == tables.TRAFFIC_COLUMNS
    assert traffic.sent.sum() == c.stats.total_sent
    assert traffic.set_index("server").received.to_dict() == {s: c.stats.rpc_count(s)
                                                              for s in c.nodes}


def test_in_flight_ids_work_with_drop():
    c = busy()
    c.submit("y")
    df = tables.in_flight(c)
    assert list(df.columns) == tables.IN_FLIGHT_COLUMNS and len(df) > 0
    row = df.iloc[0]
    assert row.kind in ("AppendEntries", "Heartbeat", "AppendEntriesReply")
    c.drop(int(row.id))
    assert int(row.id) not in tables.in_flight(c).id.tolist()


@pytest.mark.parametrize("seed", range(12))
def test_role_history_rebuilt_from_the_trace_matches_the_servers(seed):
    rnd = random.Random(seed)
    c = rl.Cluster(rnd.choice([1, 3, 5]), seed=seed)
    if seed % 3 == 0:
        c.network.set_unreliable(True)
    for k in range(10):
        c.run(rnd.uniform(0.05, 0.5))
        s = rnd.choice(c.nodes)
        a = rnd.random()
        if a < 0.2:
            c.crash(s)
        elif a < 0.35:
            c.restart(s)
        elif a < 0.45 and c.up[s]:
            c.timeout(s)
        elif a < 0.55 and len(c.nodes) > 2:
            c.partition(c.nodes[:2], c.nodes[2:])
        elif a < 0.65:
            c.heal()
        else:
            c.submit(k)
    df = tables.roles(c)
    assert list(df.columns) == tables.ROLE_COLUMNS
    for s in c.nodes:
        mine = df[df.server == s]
        assert mine.start.iloc[0] == 0.0 and mine.end.iloc[-1] == c.now
        assert (mine.start.iloc[1:].values == mine.end.iloc[:-1].values).all()  # no gaps
        last = mine.iloc[-1]
        assert last.term == c[s].current_term
        assert last.role == (c[s].role if c.up[s] else "crashed")


@pytest.mark.parametrize("module", ["raftlib.tables", "raftlib.describe", "raftlib.replay",
                                    "raftlib.scenarios", "raftlib.i18n", "raftlib.plots"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
    rl.set_language("en")


# ------------------------------------------------------- typed message tables
def _replicated(seed: int = 2) -> rl.Cluster:
    c = rl.Cluster(3, seed=seed)
    c.timeout("S1")
    c.run_until(lambda: c["S1"].role == rl.LEADER, 0.1)
    for command in ("x=1", "y=2"):
        c.submit(command, to="S1")
    c.run(0.3)
    return c


def test_append_entries_has_one_typed_column_per_field():
    c = _replicated()
    df = rl.tables.append_entries(c)
    assert list(df.columns) == rl.tables.APPEND_COLUMNS
    assert str(df.prev_log_index.dtype) == "Int64" and str(df.success.dtype) == "boolean"
    assert len(df) == c.stats.delivered["AppendEntries"]
    carrying = df[df.entries > 0]
    first = carrying.iloc[0]
    assert (first.src, first.prev_log_index, first.prev_log_term, first.leader_commit) == (
        "S1", 0, 0, 0)
    assert first.entry_terms == [1] * first.entries and first.success
    assert first.match_index == first.prev_log_index + first.entries
    # every field equals the message the follower received
    sent = [m for _t, _s, m in c.deliveries() if isinstance(m, rl.AppendEntries)]
    assert list(df.leader_commit) == [m.leader_commit for m in sent]
    assert list(df.prev_log_term) == [m.prev_log_term for m in sent]
    later = df[df.leader_commit == 2]
    assert len(later) and later.success.all()
    only = rl.tables.append_entries(c, dst="S2", heartbeats=False)
    assert set(only.dst) == {"S2"} and (only.entries > 0).all()


def test_append_entries_reports_a_refusal_and_its_conflict_hint():
    c = rl.Cluster(3, seed=1)
    for sid, terms in {"S1": [1, 1, 2], "S2": [1, 1, 2], "S3": [1, 1, 1, 1]}.items():
        c[sid].restore(rl.PersistentState(2, None, tuple(rl.Entry(t, f"c{i}") for i, t in
                                                       enumerate(terms, 1))))
    c.timeout("S1")
    c.run_until(lambda: c["S3"].log == c["S1"].log, 1.0)
    refused = rl.tables.append_entries(c, dst="S3").query("success == False")
    assert len(refused) == 1
    row = refused.iloc[0]
    assert (row.prev_log_index, row.prev_log_term, row.conflict_term, row.conflict_index) == (
        3, 2, 1, 1)
    assert pd.isna(row.match_index)


def test_votes_and_commits():
    c = _replicated()
    v = rl.tables.votes(c)
    assert list(v.columns) == rl.tables.VOTE_COLUMNS and len(v) == 2
    assert set(v.voter) == {"S2", "S3"} and (v.candidate == "S1").all() and v.granted.all()
    assert rl.tables.votes(c, term=5).empty
    done = rl.tables.commits(c)
    assert list(done.columns) == rl.tables.COMMIT_COLUMNS
    assert sorted(done.server.unique()) == ["S1", "S2", "S3"]
    assert list(done[done.server == "S2"]["command"]) == ["'x=1'", "'y=2'"]
    assert (done.groupby("server").time.min()["S1"] <= done.groupby("server").time.min()).all()
    with pytest.raises(rl.UnknownServerError):
        rl.tables.commits(c, ["S9"])
    with pytest.raises(rl.UnknownServerError):
        rl.tables.append_entries(c, src="S9")
