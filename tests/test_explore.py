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


# ------------------------------------------------------------ dead messages
def _decoded(m: Model, state: tuple) -> tuple:
    """A state in terms that do not depend on a model's interning order."""
    return (tuple(m.codec.servers[x] for x in state[0]), tuple(sorted(map(repr, m.messages(state)))),
            state[2], state[3], m.ghosts[state[4]])


@pytest.mark.parametrize("n, kw", [
    (2, dict(max_term=3, max_log=1, max_in_flight=1, crashes=1)),
    (3, dict(max_term=1, max_log=1, max_in_flight=1, crashes=0)),
])
def test_dropping_dead_messages_reaches_exactly_the_unreduced_states_without_them(n, kw):
    """The argument of explore/dead.py, checked: the reduced search visits exactly the
    states of the unreduced one with their dead messages removed."""
    from raftlib.explore.search import search
    bounds = dict(commands=("x",), drops=True, duplicates=False, symmetry=False, **kw)
    plain = Model(n, rl.RaftNode, reduce=False, **bounds)
    reduced = Model(n, rl.RaftNode, reduce=True, **bounds)
    a, b = search(plain, "bfs", 600, 0), search(reduced, "bfs", 600, 0)
    assert a.complete and b.complete and reduced.reduce and not plain.reduce
    removed = set()
    for state in a.states:
        dead = plain.dead_messages(state)
        live = tuple(x for x in state[1] if x not in dead)
        removed.add(_decoded(plain, (state[0], live) + state[2:]))
    assert {_decoded(reduced, state) for state in b.states} == removed
    assert len(b.states) < len(a.states)


def test_dead_message_rules():
    from raftlib.explore.dead import dead
    s = model(reduce=False)
    s0 = s.initial()
    follower = s.server_tuples(s0)[0]                              # term 0
    s1 = after(s, s0, "timeout", "S1")
    cand = s.server_tuples(s1)[0]                                  # term 1, votes {S1}
    s2 = after(s, after(s, s1, "deliver", "S2"), "drop", "S3")
    leader = s.server_tuples(after(s, s2, "deliver", "S1", "RequestVoteReply"))[0]
    assert leader[5] == rl.LEADER and leader[7] == (1, 1) and leader[8] == (0, 0)

    def is_dead(m, d, slot=0, r4=True):
        return dead(m, d, slot, r4)

    ok = rl.AppendEntriesReply("S2", "S1", 1, True, 0, None, None)
    assert is_dead(ok._replace(term=0), cand)                      # R1: stale
    assert not is_dead(ok._replace(term=2), follower)              # a higher term still acts
    assert not is_dead(ok, cand)                                   # a candidate may yet lead
    assert is_dead(ok._replace(term=0), follower)                  # R3: same term, a follower
    assert is_dead(ok, leader)                                     # R4: tells nothing new
    assert not is_dead(ok, leader, r4=False)
    assert not is_dead(ok._replace(match_index=1), leader)         # raises match_index
    assert not is_dead(ok._replace(success=False, conflict_index=1), leader)  # backs up
    vote = rl.RequestVoteReply("S2", "S1", 1, True)
    assert not is_dead(vote, cand)                                 # a vote the candidate needs
    assert is_dead(vote._replace(vote_granted=False), cand)        # R2: refused, same term
    assert is_dead(vote._replace(src="S1"), cand)                  # R2: already counted
    assert is_dead(vote, leader)                                   # R2: no longer a candidate
    assert not is_dead(rl.RequestVote("S2", "S1", 0, "S2", 0, 0), cand)   # requests never


def test_the_reduction_is_off_where_its_argument_does_not_hold():
    assert model().reduce
    assert not model(drops=False).reduce                    # dropping must be a step
    assert not model(node_class=bugs.UseStaleAppendReplies).reduce   # its own reply handler
    assert not model(node_class=bugs.CountStaleVotes).reduce
    assert model(node_class=bugs.HeartbeatSkipsCheck).reduce
    assert model().leader_replies and not model(node_class=bugs.CommitOldTermEntries).leader_replies


class Demote(rl.RaftNode):
    """A leader that turns candidate again within its term: breaks dead.monotone."""

    def on_heartbeat_timeout(self):
        self.role = rl.CANDIDATE


def test_a_class_that_breaks_monotonicity_is_searched_again_unreduced():
    kw = dict(max_term=1, max_log=0, commands=(), crashes=0, max_in_flight=1)
    r = rl.explore(3, node_class=Demote, **kw)
    plain = rl.explore(3, node_class=Demote, reduce=False, **kw)
    assert not r._model.reduce
    assert (r.states, r.complete, r.violation) == (plain.states, plain.complete, None)


@pytest.mark.parametrize("name", ["VoteTwice", "ForgetVotedFor"])
def test_reduced_and_unreduced_searches_find_the_same_violation(name):
    prop, bound = SAFETY_BUGS[name]
    found = [rl.explore(node_class=getattr(bugs, name), reduce=flag, **dict(bound, drops=True))
             for flag in (True, False)]
    assert [r.violation.prop for r in found] == [prop, prop]
    assert len(found[0].trace) == len(found[1].trace)


def test_a_reduced_trace_puts_back_the_drops_it_needs():
    """With a crash, entries and drops, some steps of ForgetLog's trace need room on a link
    that dead messages hold: the trace drops them first, and replays exactly."""
    prop, bound = SAFETY_BUGS["ForgetLog"]
    r = rl.explore(node_class=bugs.ForgetLog, **dict(bound, drops=True))
    assert r.violation.prop == prop and "drop" in [step.kind for step in r.trace]
    assert cluster_state(r.cluster()) == r.final_state()


def test_symmetry_by_signature_counts_the_same_classes_as_trying_every_renaming():
    from raftlib.explore.search import search
    counts = []
    for walks in (False, True):
        m = model(max_term=1, max_in_flight=1, crashes=0, duplicates=False, walks=walks)
        out = search(m, "bfs", 600, 0)
        assert out.complete
        counts.append(len(out.states))
    assert counts[0] == counts[1]


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
    (dict(reduce="yes"), "reduce must be True or False"),
    (dict(strategy="astar"), "strategy must be one of bfs, dfs, random"),
    (dict(time_limit=0), "time_limit must be a number of seconds > 0"),
    (dict(seed=1.5), "seed must be an int"),
])
def test_bad_arguments_raise_config_error(kw, words):
    with pytest.raises(rl.ConfigError, match=words):
        rl.explore(**kw)


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


# ------------------------------------------------------------------ grading
def test_search_grading_passes_the_reference_and_shows_a_counterexample():
    from raftlib.checks.search import SearchFailed, explore_handler

    def handle_request_vote(self, m):
        granted = (m.term == self.current_term
                   and self.log_is_up_to_date(m.last_log_term, m.last_log_index))
        if granted:
            self.voted_for = m.candidate_id
            self.reset_election_timer()
        self.send(rl.RequestVoteReply(self.id, m.src, self.current_term, granted))

    with pytest.raises(SearchFailed, match="breaks Election Safety") as info:
        explore_handler("handle_request_vote", handle_request_vote, budget=20.0)
    assert "S2 <- S1 RequestVote t1" in str(info.value)
    c = info.value.result.cluster()
    assert sum(c[s].role == rl.LEADER for s in c.nodes) == 2

    def log_is_up_to_date(self, last_log_term, last_log_index):
        if last_log_term != self.last_log_term:
            return last_log_term > self.last_log_term
        return last_log_index >= self.last_log_index

    results = explore_handler("log_is_up_to_date", log_is_up_to_date, budget=3.0)
    assert results and all(r.violation is None for r in results)
    assert results[0].complete
