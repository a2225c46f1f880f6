"""The model checker (raftlib.explore): canonical states, each kind of step, a hand-counted
state space, determinism, every safety bug of raftlib.bugs found, the liveness-only ones
not reported, Figure 8 found and replayed, and the correct server complete at a small bound."""

from __future__ import annotations

from collections import Counter

import pytest

import raftlib as rl
from raftlib import bugs
from raftlib.explore import cluster_state
from raftlib.explore.catalogue import FIGURE8, NOT_FOUND, NOT_SAFETY, SAFETY_BUGS, SMALL, TINY
from raftlib.explore.model import Model
from raftlib.explore.state import FIELDS, UP, dump, load


def model(n: int = 3, node_class: type = rl.RaftNode, **kw) -> Model:
    bounds = dict(max_term=2, max_log=1, max_in_flight=2, commands=("x",), crashes=1,
                  drops=True, duplicates=True)
    bounds.update(kw)
    return Model(n, node_class, **bounds)


def after(m: Model, state: tuple, kind: str, server: str | None = None, message=None) -> tuple:
    """The successor of ``state`` by the one step of ``kind`` at ``server`` (or on ``message``)."""
    found = []
    for label, nxt, violation in m.successors(state):
        step = m.step(label)
        if step.kind == kind and (server is None or step.server == server) and (
                message is None or type(step.message).__name__ == message):
            found.append((nxt, violation))
    assert len(found) == 1, f"{len(found)} steps {kind} {server} {message}"
    assert found[0][1] is None
    return found[0][0]


def servers(m: Model, state: tuple) -> list[tuple]:
    return m.server_tuples(state)


def kinds(m: Model, state: tuple) -> Counter:
    return Counter(m.step(label).kind for label, _, _ in m.successors(state))


# --------------------------------------------------------------- canonical states
def test_a_node_round_trips_through_its_tuple():
    c = rl.Cluster(3, seed=2)
    c.run(1.0)
    c.submit("x")
    c.run(0.2)
    for sid in c.nodes:
        node = c[sid]
        s = dump(node, len(c.applied(sid)))
        assert len(s) == len(FIELDS)
        fresh = rl.RaftNode(sid, c.nodes)
        load(fresh, s)
        assert dump(fresh, len(c.applied(sid))) == s
        assert fresh.log == node.log and fresh.current_term == node.current_term


def test_fields_no_rule_reads_are_normalised():
    """A follower's leftover next_index and a leader's old votes do not split states."""
    a, b = rl.RaftNode("S1", ["S1", "S2", "S3"]), rl.RaftNode("S1", ["S1", "S2", "S3"])
    b.next_index, b.match_index, b.votes_received = {"S2": 5, "S3": 2}, {"S2": 4, "S3": 1}, {"S1"}
    b.leader_id = "S2"
    assert dump(a, 0) == dump(b, 0)


def test_equal_states_are_interned_once_and_the_multiset_counts_copies():
    m = model()
    s0 = m.initial()
    s1 = after(m, s0, "timeout", "S1")
    s1_again = after(m, s0, "timeout", "S1")
    assert s1 == s1_again and hash(s1) == hash(s1_again)
    assert all(isinstance(x, int) for x in s1[0] + s1[1])
    twice = after(m, s1, "duplicate", "S2")
    assert Counter(m.messages(twice))[m.messages(s1)[0]] == 2


def test_symmetry_maps_renamed_states_to_one_representative():
    m = model()
    s0 = m.initial()
    by_s1, by_s2 = after(m, s0, "timeout", "S1"), after(m, s0, "timeout", "S2")
    assert by_s1 != by_s2
    assert m.canonical(by_s1) == m.canonical(by_s2)
    plain = model(symmetry=False)
    s = after(plain, plain.initial(), "timeout", "S2")
    assert plain.canonical(s) == s


# ------------------------------------------------------------------- each step
def test_each_kind_of_step():
    m = model(n=3)
    s0 = m.initial()
    assert kinds(m, s0) == {"timeout": 3, "crash": 3}
    s1 = after(m, s0, "timeout", "S1")                       # election timeout
    assert servers(m, s1)[0][:2] == (1, "S1") and len(s1[1]) == 2
    assert kinds(m, s1)["deliver"] == 2 and kinds(m, s1)["drop"] == 2
    dropped = after(m, s1, "drop", "S3")                      # drop
    assert [msg.dst for msg in m.messages(dropped)] == ["S2"]
    s2 = after(m, s1, "deliver", "S2")                        # deliver: S2 votes
    assert servers(m, s2)[1][:2] == (1, "S1")
    s2 = after(m, s2, "drop", "S3")                           # room on the link S1->S3
    s3 = after(m, s2, "deliver", "S1", "RequestVoteReply")    # S1 becomes leader
    assert servers(m, s3)[0][5] == rl.LEADER
    assert Counter(type(x).__name__ for x in m.messages(s3))["AppendEntries"] == 2
    s4 = after(m, s3, "request", "S1")                        # client request to the leader
    assert servers(m, s4)[0][2] == (rl.Entry(1, "x"),) and s4[2] == 1
    assert "request" not in kinds(m, s4)                       # the only command is used up
    s5 = after(m, after(m, s3, "drop", "S2", "AppendEntries"), "heartbeat", "S1")  # heartbeat
    assert Counter(type(x).__name__ for x in m.messages(s5))["AppendEntries"] == 3
    s6 = after(m, s4, "crash", "S1")                          # crash keeps what was persisted
    assert not servers(m, s6)[0][UP] and servers(m, s6)[0][2] == (rl.Entry(1, "x"),)
    assert all(msg.src != "S1" for msg in m.messages(s6)) and s6[3] == 1
    assert "crash" not in kinds(m, s6)                         # crashes=1 is used up
    s7 = after(m, s6, "restart", "S1")                        # restart from persisted state
    assert servers(m, s7)[0][:3] == (1, "S1", (rl.Entry(1, "x"),))
    assert servers(m, s7)[0][5] == rl.FOLLOWER and servers(m, s7)[0][3] == 0


def test_bounds_make_steps_not_taken():
    m = model(max_term=1, max_in_flight=1, duplicates=True)
    s1 = after(m, m.initial(), "timeout", "S1")
    assert "timeout" not in [m.step(l).kind for l, _, _ in m.successors(s1)
                             if m.step(l).server == "S1"]          # term 2 > max_term
    assert "duplicate" not in kinds(m, s1)                          # link S1->S2 is full


# ------------------------------------------------------------------- counting
def test_state_count_of_a_tiny_configuration_matches_a_hand_count():
    """Two servers, term <= 1, no entries, no crashes, no drops, one message per link.

    s0: both followers in term 0. S1 times out (s1: candidate, RequestVote S1->S2 in
    flight); from s1: S2 votes (s3: reply in flight) or S2 times out too (s4: two
    candidates; each would answer the other's RequestVote on a link that is full, and a
    third term is out of bounds: a dead end). From s3 the reply makes S1 leader with a
    heartbeat in flight (s5); S2 answers it (s6); S1 reads the answer (s7: nothing in
    flight) or sends a heartbeat first (s8: answer and heartbeat in flight); s7's
    heartbeat leads back to s5, and s8's delivered answer too. Six states on S1's side,
    six on S2's, s0 and s4: 14; with symmetry S1's and S2's sides are one: 8.
    """
    kw = dict(max_term=1, max_log=0, commands=(), crashes=0, drops=False, max_in_flight=1)
    plain = rl.explore(2, symmetry=False, **kw)
    reduced = rl.explore(2, **kw)
    assert (plain.states, plain.complete, plain.violation) == (14, True, None)
    assert (reduced.states, reduced.complete, reduced.violation) == (8, True, None)


# --------------------------------------------------------------- determinism
@pytest.mark.parametrize("strategy", ["bfs", "dfs", "random"])
def test_same_arguments_same_trace(strategy):
    kw = dict(node_class=bugs.VoteTwice, max_term=1, max_log=0, commands=(), crashes=0,
              strategy=strategy, seed=3)
    a, b = rl.explore(3, **kw), rl.explore(3, **kw)
    assert a.violation is not None and a.violation.prop == "Election Safety"
    assert a.transcript() == b.transcript() and a.trace == b.trace


def test_bfs_gives_the_shortest_trace():
    r = rl.explore(3, node_class=bugs.VoteTwice, max_term=1, max_log=0, commands=(), crashes=0)
    # two elections of three steps each (timeout, vote, reply): nothing shorter elects two
    assert len(r.trace) == 6
    assert [s.kind for s in r.trace] == ["timeout", "deliver", "deliver"] * 2
    assert "S2 <- S1 RequestVote t1" in r.transcript() and "Election Safety" in r.transcript()


# ------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("kw, words", [
    (dict(n=0), "n must be an int >= 1"),
    (dict(n=True), "n must be an int"),
    (dict(node_class=int), "node_class must be RaftNode"),
    (dict(max_term=-1), "max_term must be an int >= 0"),
    (dict(max_in_flight=0), "max_in_flight must be an int >= 1"),
    (dict(commands="xy"), "commands must be a tuple"),
    (dict(commands=([1],)), "hashable"),
    (dict(drops=1), "drops must be True or False"),
    (dict(strategy="astar"), "strategy must be one of bfs, dfs, random"),
    (dict(time_limit=0), "time_limit must be a number of seconds > 0"),
    (dict(seed=1.5), "seed must be an int"),
    (dict(max_states=0), "max_states must be an int >= 1"),
])
def test_bad_arguments_raise_config_error(kw, words):
    with pytest.raises(rl.ConfigError, match=words):
        rl.explore(**kw)


@pytest.mark.parametrize("strategy", ["bfs", "dfs", "random"])
def test_max_states_stops_every_strategy_at_the_same_state(strategy):
    """The state cap, unlike the clock, stops a search at the same point on every machine:
    a capped run is the first part of a longer one, state for state."""
    bound = dict(max_term=2, max_log=1, commands=("x",), crashes=0, strategy=strategy)
    short = rl.explore(max_states=300, **bound)
    again = rl.explore(max_states=300, **bound)
    longer = rl.explore(max_states=900, **bound)
    assert short.states == again.states == 300 and not short.complete
    assert longer.states == 900
    # a space smaller than the cap is exhausted (bfs, dfs) or walked a fixed number of steps
    tiny = rl.explore(2, max_term=1, max_log=0, crashes=0, commands=(), strategy=strategy,
                      max_states=10_000)
    assert tiny.states < 10_000 and tiny.complete == (strategy != "random")


# ----------------------------------------------------------------- replay
def test_replay_reaches_the_explored_state():
    """A trace with a crash and a restart, replayed on a real Cluster, ends in the explored
    state: every server's tuple and the messages in flight (Figure 8's below has drops)."""
    prop, bound = SAFETY_BUGS["ForgetLog"]
    r = rl.explore(node_class=bugs.ForgetLog, **bound)
    assert {"crash", "restart"} <= {step.kind for step in r.trace}
    c = r.cluster()
    assert cluster_state(c) == r.final_state()
    assert [v.prop for v in c.safety.found] == [prop]


# ------------------------------------------------------------- the bug catalogue
def test_the_catalogue_covers_every_bug_class():
    named = set(SAFETY_BUGS) | set(NOT_SAFETY) | set(NOT_FOUND)
    assert len(named) == len(SAFETY_BUGS) + len(NOT_SAFETY) + len(NOT_FOUND)
    assert named == {cls.__name__ for cls in bugs.BUGS + bugs.SUBTLE}


@pytest.mark.parametrize("name", sorted(SAFETY_BUGS))
def test_every_safety_bug_is_found_on_three_servers(name):
    prop, bound = SAFETY_BUGS[name]
    r = rl.explore(node_class=getattr(bugs, name), **bound)
    assert r.violation is not None, f"{name} not found within {bound}"
    assert r.violation.prop == prop and prop in str(r.violation)
    assert r.trace and str(r.violation) in r.transcript()


@pytest.mark.parametrize("name", sorted(NOT_SAFETY))
def test_liveness_only_bugs_are_not_reported_as_safety_violations(name):
    r = rl.explore(node_class=getattr(bugs, name), **TINY)
    assert r.complete and r.violation is None, NOT_SAFETY[name]


def test_the_correct_server_is_complete_with_no_violation():
    r = rl.explore(**SMALL)
    assert r.complete and r.violation is None and r.states > 1000 and r.rate > 0
    assert r.trace == [] and r.transcript() == ""


# ------------------------------------------------------------------- Figure 8
def test_figure8_found_and_its_replay_shows_the_committed_entry_overwritten():
    r = rl.explore(node_class=bugs.CommitOldTermEntries, **FIGURE8)
    assert r.violation is not None and r.violation.prop == "Leader Completeness"
    terms = {step.message.term for step in r.trace if step.message is not None}
    assert max(terms) == 4, "Figure 8 needs a fourth term on three servers"
    c = r.cluster()
    assert cluster_state(c) == r.final_state()            # the replay is the explored state
    assert [v.prop for v in c.safety.found] == ["Leader Completeness"]
    applied = {sid: dict(c.applied(sid)) for sid in c.nodes}
    committer = next(sid for sid in c.nodes if 1 in applied[sid])
    entry = c[committer].log[0]
    assert applied[committer][1] == entry.command and entry.term < 4
    with pytest.raises(rl.SafetyViolation, match="State Machine Safety"):
        c.run(0.1)                       # what is in flight arrives: the new leader takes over
    assert c[committer].log[0] != entry, "the committed entry was overwritten"
