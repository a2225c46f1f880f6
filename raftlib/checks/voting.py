"""Exercise 03 (MIT lab 2A): the election restriction, the RequestVote handler and
the election timeout, graded one function at a time and then together in clusters.

Figure 2 rules checked: RequestVote receiver 1 (reply false if term <
currentTerm) and 2 (grant if votedFor is null or the candidate and the
candidate's log is at least as up-to-date); §5.4.1's up-to-date comparison;
Rules for Servers, Candidates (on conversion: increment currentTerm, vote for
self, reset the election timer, send RequestVote to all other servers; if the
election timeout elapses, start a new election); the election timer is reset
only when granting a vote (Students' Guide).
"""

from __future__ import annotations

from typing import Callable

from ..core import CANDIDATE, LEADER, RaftNode, RequestVote, RequestVoteReply
from .messages import RULE, Msg, say
from .common import (CheckFailed, exactly_bool, fresh, learner_class, library_stood_in,
                     node_class, own_functions, sent, state)
from .runs import cluster, connected_leader, leaders, rng, run_seeds


class NoLibraryElection(RaftNode):
    """A node whose library ``start_election`` is off: the learner's
    ``on_election_timeout`` must do the candidate's steps itself."""

    def start_election(self) -> None:
        raise CheckFailed(say("v_no_library_election"))


# ------------------------------------------------------------ log_is_up_to_date
def _grid(full: bool) -> list[tuple[list[int], int, int]]:
    """(my log terms, candidate's last_log_term, candidate's last_log_index) cases."""
    visible = [([1, 1, 2], 3, 1), ([1, 1, 2], 2, 3), ([1, 1, 2], 2, 2), ([1, 1, 2], 1, 5)]
    if not full:
        return visible
    logs = [[], [1], [1, 1], [1, 2], [2, 2, 2], [1, 1, 3], [1, 3, 3, 3]]
    cases = [(log, 0, 0) for log in logs]
    cases += [(log, term, index) for log in logs for term in range(1, 5) for index in range(1, 6)]
    return visible + cases


def up_to_date(log_is_up_to_date: Callable, full: bool = False) -> None:
    """Question 1: ``log_is_up_to_date(self, last_log_term, last_log_index)`` (§5.4.1)."""
    cls = learner_class("log_is_up_to_date", log_is_up_to_date)
    for log, term, index in _grid(full):
        node = fresh(cls, log=log)
        mine = (node.last_log_term, node.last_log_index)
        got = exactly_bool(node.log_is_up_to_date(term, index),
                           f"log_is_up_to_date({term}, {index})")
        want = RaftNode.log_is_up_to_date(node, term, index)
        if got == want:
            continue
        case = say("v_case", my_term=mine[0], my_index=mine[1], term=term, index=index, got=got,
                   want=want)
        if term != mine[0]:
            rule = say("v_rule_terms")
        else:
            rule = say("v_rule_length")
        raise CheckFailed(f"{case}\n{RULE}{rule}")


# ---------------------------------------------------------- handle_request_vote
def _vote(node: RaftNode, term: int, candidate: str, last_index: int | None = None,
          last_term: int | None = None) -> RequestVote:
    m = RequestVote(candidate, node.id, term, candidate,
                    node.last_log_index if last_index is None else last_index,
                    node.last_log_term if last_term is None else last_term)
    node.receive(m)
    return m


def _reply(node: RaftNode, m: RequestVote, before: str) -> RequestVoteReply:
    replies = sent(node, RequestVoteReply)
    others = [x for x in node.outbox if type(x) is not RequestVoteReply]
    if len(replies) != 1 or others:
        raise CheckFailed(say("v_one_reply", node=node.id, before=before, m=m,
                              outbox=node.outbox, candidate=m.candidate_id))
    reply = replies[0]
    if reply.src != node.id or reply.dst != m.candidate_id:
        raise CheckFailed(say("v_reply_route", reply=reply, node=node.id,
                              candidate=m.candidate_id))
    if type(reply.term) is not int or reply.term != node.current_term:
        raise CheckFailed(say("v_reply_term", reply=reply, term=node.current_term))
    exactly_bool(reply.vote_granted, "vote_granted")
    return reply


def _expect(node: RaftNode, m: RequestVote, before: str, granted: bool, rule: str) -> None:
    reply = _reply(node, m, before)
    what = say("v_received", node=node.id, before=before, m=m)
    if reply.vote_granted is not granted:
        verdict = say("v_must_grant" if granted else "v_must_refuse", what=what)
        raise CheckFailed(f"{verdict}\n{RULE}{rule}")
    if granted and node.voted_for != m.candidate_id:
        raise CheckFailed(say("v_not_recorded", what=what, voted_for=node.voted_for))
    if granted and not node.election_timer_reset:
        raise CheckFailed(say("v_grant_no_reset", what=what))
    if not granted and node.election_timer_reset:
        raise CheckFailed(say("v_refuse_reset", what=what))


RULE_STALE = Msg("v_rule_stale")
RULE_ONE_VOTE = Msg("v_rule_one_vote")
RULE_RESTRICTION = Msg("v_rule_restriction")


def _vote_cases(full: bool) -> list[Callable[[type], None]]:
    def stale_term(cls: type) -> None:
        node = fresh(cls, log=[1, 2], current_term=5)
        before = state(node)
        m = _vote(node, 4, "S2", 5, 4)
        _expect(node, m, before, False, RULE_STALE)
        if node.voted_for is not None or node.current_term != 5:
            raise CheckFailed(say("v_stale_kept", state=state(node)))

    def first_vote(cls: type) -> None:
        node = fresh(cls, log=[1, 2], current_term=5)
        before = state(node)
        _expect(node, _vote(node, 5, "S2"), before, True, RULE_ONE_VOTE + " " + RULE_RESTRICTION)

    def second_candidate(cls: type) -> None:
        node = fresh(cls, log=[1, 2], current_term=5, voted_for="S2")
        before = state(node)
        _expect(node, _vote(node, 5, "S3"), before, False, RULE_ONE_VOTE)
        if node.voted_for != "S2":
            raise CheckFailed(say("v_vote_changed", voted_for=node.voted_for))

    def same_candidate_again(cls: type) -> None:
        node = fresh(cls, log=[1, 2], current_term=5, voted_for="S2")
        before = state(node)
        _expect(node, _vote(node, 5, "S2"), before, True,
                RULE_ONE_VOTE + say("v_retransmit"))

    def newer_term(cls: type) -> None:
        node = fresh(cls, log=[1, 2], current_term=5, voted_for="S3")
        before = state(node)
        _expect(node, _vote(node, 6, "S2"), before, True, say("v_rule_new_term"))

    def shorter_log_same_term(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 2], current_term=5)
        before = state(node)
        _expect(node, _vote(node, 5, "S2", 2, 2), before, False, RULE_RESTRICTION)

    def older_last_term(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 3], current_term=5)
        before = state(node)
        _expect(node, _vote(node, 5, "S2", 6, 2), before, False, RULE_RESTRICTION)
        if node.voted_for is not None:
            raise CheckFailed(say("v_record_only_grant", voted_for=node.voted_for))

    def newer_last_term(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 1, 1], current_term=5)
        before = state(node)
        _expect(node, _vote(node, 5, "S2", 2, 3), before, True, RULE_RESTRICTION)

    def candidate_itself(cls: type) -> None:
        node = fresh(cls, log=[1], current_term=5, voted_for="S1", role=CANDIDATE,
                     votes_received={"S1"})
        before = state(node)
        _expect(node, _vote(node, 5, "S2"), before, False,
                RULE_ONE_VOTE + say("v_candidate_voted"))

    def leader_itself(cls: type) -> None:
        node = fresh(cls, log=[1], current_term=5, voted_for="S1", role=LEADER, leader_id="S1",
                     next_index={f"S{i}": 2 for i in range(2, 6)},
                     match_index={f"S{i}": 0 for i in range(2, 6)})
        before = state(node)
        _expect(node, _vote(node, 5, "S2"), before, False, RULE_ONE_VOTE)
        if node.role != LEADER:
            raise CheckFailed(say("v_leader_refuses", role=node.role))

    def empty_logs(cls: type) -> None:
        node = fresh(cls, current_term=1)
        before = state(node)
        _expect(node, _vote(node, 1, "S4", 0, 0), before, True,
                RULE_RESTRICTION + say("v_empty_logs"))

    visible = [stale_term, first_vote, second_candidate]
    hidden = [same_candidate_again, newer_term, shorter_log_same_term, older_last_term,
              newer_last_term, candidate_itself, leader_itself, empty_logs]
    return visible + (hidden if full else [])


def vote_rules(handle_request_vote: Callable, full: bool = False) -> None:
    """Question 2: ``handle_request_vote(self, m)`` (the library's log_is_up_to_date)."""
    cls = learner_class("handle_request_vote", handle_request_vote)
    for case in _vote_cases(full):
        case(cls)


# ---------------------------------------------------------- on_election_timeout
def _timeout_cases(full: bool) -> list[Callable[[type], None]]:
    def follower_starts(cls: type) -> None:
        node = fresh(cls, log=[1, 3], current_term=3, voted_for="S4", leader_id="S4")
        before = state(node)
        node.on_election_timeout()
        _check_candidate(node, before, 4, [1, 3])

    def candidate_restarts(cls: type) -> None:
        node = fresh(cls, log=[1], current_term=4, voted_for="S1", role=CANDIDATE,
                     votes_received={"S1", "S2"})
        before = state(node)
        node.on_election_timeout()
        if node.current_term != 5 or node.role != CANDIDATE:
            raise CheckFailed(say("v_candidate_restarts", before=before, state=state(node)))
        _check_candidate(node, before, 5, [1])

    def leader_stays(cls: type) -> None:
        node = fresh(cls, log=[2], current_term=2, voted_for="S1", role=LEADER, leader_id="S1",
                     next_index={f"S{i}": 2 for i in range(2, 6)},
                     match_index={f"S{i}": 1 for i in range(2, 6)})
        before = state(node)
        node.on_election_timeout()
        if node.role != LEADER or node.current_term != 2 or sent(node, RequestVote):
            raise CheckFailed(say("v_leader_timer", before=before, state=state(node),
                                  outbox=node.outbox))

    def alone(cls: type) -> None:
        node = fresh(cls, n=1)
        node.on_election_timeout()
        if node.role != LEADER:
            raise CheckFailed(say("v_alone", state=state(node)))

    visible = [follower_starts, candidate_restarts]
    return visible + ([leader_stays, alone] if full else [])


def _check_candidate(node: RaftNode, before: str, term: int, log: list[int]) -> None:
    rule = say("v_rule_candidate")
    problems = []
    if node.role != CANDIDATE:
        problems.append(say("v_p_role", role=node.role))
    if node.current_term != term:
        problems.append(say("v_p_term", got=node.current_term, term=term))
    if node.voted_for != node.id:
        problems.append(say("v_p_voted_for", voted_for=node.voted_for, node=node.id))
    if set(node.votes_received) != {node.id}:
        problems.append(say("v_p_votes", votes=node.votes_received, node=node.id))
    if not node.election_timer_reset:
        problems.append(say("v_p_timer"))
    votes = sent(node, RequestVote)
    by_peer = {m.dst: m for m in votes}
    if sorted(by_peer) != sorted(node.peers) or len(votes) != len(node.peers):
        problems.append(say("v_p_send_each", peers=", ".join(node.peers), votes=votes))
    else:
        want = RequestVote(node.id, "?", term, node.id, len(log), log[-1] if log else 0)
        for m in votes:
            if m._replace(dst="?") != want:
                problems.append(say("v_p_sent", m=m, node=node.id, term=term,
                                    last_index=want.last_log_index,
                                    last_term=want.last_log_term))
                break
    if problems:
        raise CheckFailed(say("v_timer_fired", node=node.id, before=before) + "\n  - "
                          + "\n  - ".join(problems) + f"\n{RULE}{rule}")


def election_timeout(on_election_timeout: Callable, full: bool = False) -> None:
    """Question 3: ``on_election_timeout(self)`` (the library's handlers otherwise)."""
    cls = learner_class("on_election_timeout", on_election_timeout, base=NoLibraryElection)
    for case in _timeout_cases(full):
        case(cls)


# ------------------------------------------------------------------- clusters
HINTS = {"Election Safety": Msg("v_hint_election_safety"),
         "Leader Completeness": Msg("v_hint_leader_completeness")}


def initial_election(cls: type, seed: int) -> None:
    """Initial election: 3 servers elect one leader that keeps its term while nothing fails"""
    c = cluster(cls, seed, 3)
    leader = connected_leader(c, c.nodes, 2.0)
    term = c[leader].current_term
    c.run(2.0)
    if leaders(c) != [leader] or c[leader].current_term != term:
        raise CheckFailed(say("v_one_leader", leader=leader, term=term, leaders=leaders(c),
                              terms={s: c[s].current_term for s in c.nodes}))
    if len({c[s].current_term for s in c.nodes}) != 1:
        raise CheckFailed(say("v_same_term", terms={s: c[s].current_term for s in c.nodes}))


def re_election(cls: type, seed: int) -> None:
    """Re-election: a new leader after the leader is cut off, none without a majority"""
    c = cluster(cls, seed, 3)
    first = connected_leader(c, c.nodes, 2.0)
    c.disconnect(first)
    others = [s for s in c.nodes if s != first]
    connected_leader(c, others, 3.0)
    c.connect(first)
    c.run(0.5)  # the old leader hears the new term and steps down
    third = connected_leader(c, c.nodes, 3.0)
    peer = next(s for s in c.nodes if s != third)
    c.disconnect(third)
    c.disconnect(peer)
    c.run(2.0)
    alone = [s for s in c.nodes if s not in (third, peer)]
    if leaders(c, alone):
        raise CheckFailed(say("v_alone_leader", server=alone[0]))
    c.connect(peer)
    connected_leader(c, [s for s in c.nodes if s != third], 3.0)
    c.connect(third)
    connected_leader(c, c.nodes, 3.0)


def many_elections(cls: type, seed: int) -> None:
    """Many elections: 7 servers, 3 random ones cut off again and again"""
    c = cluster(cls, seed, 7)
    pick = rng("many_elections", seed)
    connected_leader(c, c.nodes, 3.0)
    for _ in range(6):
        cut = pick.sample(c.nodes, 3)
        for s in cut:
            c.disconnect(s)
        connected_leader(c, [s for s in c.nodes if s not in cut], 5.0)
        for s in cut:
            c.connect(s)
    connected_leader(c, c.nodes, 5.0)


def longer_stale_log(cls: type, seed: int) -> None:
    """Election restriction: a longer log of an older term must not win"""
    c = cluster(cls, seed, 5)
    old = connected_leader(c, c.nodes, 3.0)
    c.submit("a", to=old)
    c.run(0.3)
    buddy = next(s for s in c.nodes if s != old)
    rest = [s for s in c.nodes if s not in (old, buddy)]
    c.partition([old, buddy], rest)
    for i in range(4):
        c.submit(f"stale{i}", to=old)  # reaches buddy only: never committed
    new = connected_leader(c, rest, 5.0)
    c.submit("b", to=new)
    if not c.run_until(lambda: c[new].commit_index >= 2, 2.0):
        raise CheckFailed(say("v_no_commit", leader=new, servers=rest))
    c.run(0.2)
    c.crash(new)
    c.heal()
    c.timeout(buddy)  # the longest, staler log campaigns first
    connected_leader(c, [s for s in c.nodes if s != new], 5.0)
    c.run(0.5)


def lossy_network(cls: type, seed: int) -> None:
    """Lossy network: elections still finish when votes are lost and delayed"""
    c = cluster(cls, seed, 5)
    c.network.set_unreliable(True)
    for _ in range(3):
        leader = connected_leader(c, c.nodes, 10.0)
        c.crash(leader)
        connected_leader(c, [s for s in c.nodes if c.up[s]], 10.0)
        c.restart(leader)
    connected_leader(c, c.nodes, 10.0)


def elections(on_election_timeout: Callable, handle_request_vote: Callable,
              log_is_up_to_date: Callable, full: bool = False) -> None:
    """Question 4: the three functions together in real clusters over many seeds. A function
    whose own question (1-3) fails is the library's here: one bug costs one question."""
    own = own_functions(
        {"on_election_timeout": on_election_timeout, "handle_request_vote": handle_request_vote,
         "log_is_up_to_date": log_is_up_to_date},
        {"on_election_timeout": [lambda f: election_timeout(f, True)],
         "handle_request_vote": [lambda f: vote_rules(f, True)],
         "log_is_up_to_date": [lambda f: up_to_date(f, True)]})
    # The library's on_election_timeout needs the library's start_election.
    cls = node_class(NoLibraryElection if "on_election_timeout" in own else RaftNode, **own)
    runs = ([(initial_election, range(1, 4)), (re_election, [1])] if not full else
            [(initial_election, range(1, 21)), (re_election, range(1, 11)),
             (many_elections, range(1, 6)), (longer_stale_log, range(1, 11)),
             (lossy_network, range(1, 11))])
    replaced = {"on_election_timeout", "handle_request_vote", "log_is_up_to_date"} - set(own)
    for scenario, seeds in runs:
        library_stood_in(lambda: run_seeds(scenario, cls, seeds, HINTS), replaced)


__all__ = ["HINTS", "NoLibraryElection", "election_timeout", "elections", "node_class",
           "up_to_date", "vote_rules"]
