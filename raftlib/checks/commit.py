"""Exercise 05 (MIT lab 2B, the paper's Figure 8): the leader's side of commitment.

Figure 2, Rules for Servers, Leaders: if successful, update nextIndex and
matchIndex for the follower; if AppendEntries fails because of log
inconsistency, decrement nextIndex and retry; if there exists an N such that
N > commitIndex, a majority of matchIndex[i] >= N, and log[N].term ==
currentTerm, set commitIndex = N (§5.3, §5.4). Question 1 grades
``handle_append_entries_reply`` (with the library's ``advance_commit_index``),
questions 2 and 3 ``advance_commit_index``, question 4 both in clusters.
"""

from __future__ import annotations

from typing import Callable

from ..core import FOLLOWER, LEADER, AppendEntries, AppendEntriesReply, RaftNode
from ..errors import ConfigError
from .agreement import HINTS, backup, basic_agree, churn, follower_rejoins, one, unreliable
from .messages import RULE, Msg, say
from .common import (CheckFailed, fresh, learner_class, library_stood_in, node_class,
                     own_functions, sent, state)
from .runs import cluster, run_seeds

RULE_MATCH = Msg("c_rule_match")
RULE_TERM = Msg("c_rule_term")
RULE_RETRY = Msg("c_rule_retry")
RULE_MAJORITY = Msg("c_rule_majority")
RULE_FIG8 = Msg("c_rule_fig8")

PEERS = ("S2", "S3", "S4", "S5")


def _leader(cls: type, log: list[int], term: int, n: int = 5, next_at: int | None = None,
            **attrs) -> RaftNode:
    peers = [f"S{i}" for i in range(2, n + 1)]
    nxt = len(log) + 1 if next_at is None else next_at
    values = {"current_term": term, "voted_for": "S1", "role": LEADER, "leader_id": "S1",
              "next_index": {p: nxt for p in peers}, "match_index": {p: 0 for p in peers}}
    values.update(attrs)
    return fresh(cls, n=n, log=log, **values)


def _reply(node: RaftNode, src: str, term: int, success: bool, match: int = 0,
           conflict_index: int | None = None,
           conflict_term: int | None = None) -> AppendEntriesReply:
    m = AppendEntriesReply(src, node.id, term, success, match, conflict_index, conflict_term)
    node.receive(m)
    return m


# ---------------------------------------------------------------- question 1
def _reply_cases(full: bool) -> list[Callable[[type], None]]:
    def delayed_success(cls: type) -> None:
        node = _leader(cls, [3] * 5, 3)
        before = state(node)
        m = _reply(node, "S2", 3, True, 2)
        if node.match_index["S2"] != 2:
            raise CheckFailed(say("c_late_reply", before=before, m=m,
                                  got=node.match_index["S2"]) + f"\n{RULE}{RULE_MATCH}")
        if not 3 <= node.next_index["S2"] <= 6:
            raise CheckFailed(say("c_next_between", m=m, got=node.next_index["S2"])
                              + f"\n{RULE}{RULE_MATCH}")

    def stale_term_reply(cls: type) -> None:
        node = _leader(cls, [2, 3, 3], 3)
        before = state(node)
        m = _reply(node, "S2", 2, True, 3)
        if node.match_index["S2"] != 0 or node.commit_index != 0 or node.outbox:
            raise CheckFailed(say("c_stale_reply", before=before, m=m, match=node.match_index,
                                  commit=node.commit_index, outbox=node.outbox)
                              + f"\n{RULE}{RULE_TERM}")

    def commits_after_majority(cls: type) -> None:
        node = _leader(cls, [3] * 5, 3)
        before = state(node)
        for peer in ("S2", "S3"):
            _reply(node, peer, 3, True, 5)
        if node.match_index["S2"] != 5 or node.match_index["S3"] != 5:  # the precondition
            raise CheckFailed(say("c_not_recorded", before=before, match=node.match_index)
                              + f"\n{RULE}{RULE_MATCH}")
        if node.commit_index != 5:
            raise CheckFailed(say("c_not_committed", before=before, commit=node.commit_index))

    def never_backwards(cls: type) -> None:
        node = _leader(cls, [3] * 5, 3)
        _reply(node, "S2", 3, True, 4)
        before = state(node)
        m = _reply(node, "S2", 3, True, 2)
        if node.match_index["S2"] != 4:
            raise CheckFailed(say("c_backwards", before=before, m=m, got=node.match_index["S2"])
                              + f"\n{RULE}{RULE_MATCH}")

    def next_after_match(cls: type) -> None:
        node = _leader(cls, [3] * 5, 3, next_at=2)
        m = _reply(node, "S2", 3, True, 4)
        if not 5 <= node.next_index["S2"] <= 6:
            raise CheckFailed(say("c_next_after", m=m, got=node.next_index["S2"])
                              + f"\n{RULE}{RULE_MATCH}")

    def follower_ignores(cls: type) -> None:
        node = fresh(cls, log=[3, 3], current_term=3, role=FOLLOWER, leader_id="S2")
        before = state(node)
        m = _reply(node, "S3", 3, True, 2)
        if node.commit_index or node.outbox or node.match_index:
            raise CheckFailed(say("c_follower_acted", before=before, m=m, match=node.match_index,
                                  outbox=node.outbox) + f"\n{RULE}{RULE_TERM}")

    def higher_term_refusal(cls: type) -> None:
        node = _leader(cls, [3] * 5, 3)
        m = _reply(node, "S2", 4, False, 0)
        if node.next_index["S2"] != 6 or node.outbox:
            raise CheckFailed(say("c_stepped_down", m=m, next=node.next_index["S2"],
                                  outbox=node.outbox) + f"\n{RULE}{RULE_TERM} {RULE_RETRY}")

    def retries_on_conflict(cls: type) -> None:
        node = _leader(cls, [1, 1, 3, 3, 3], 3)
        before = state(node)
        m = _reply(node, "S3", 3, False, 0, 3, None)
        nxt = node.next_index["S3"]
        if not 1 <= nxt <= 5:
            raise CheckFailed(say("c_back_up", before=before, m=m, got=nxt)
                              + f"\n{RULE}{RULE_RETRY}")
        retry = [x for x in sent(node, AppendEntries) if x.dst == "S3"]
        if len(retry) != 1 or retry[0].prev_log_index != nxt - 1:
            raise CheckFailed(say("c_retry", next=nxt, outbox=node.outbox)
                              + f"\n{RULE}{RULE_RETRY}")

    def stale_refusal(cls: type) -> None:
        node = _leader(cls, [3] * 5, 3)
        m = _reply(node, "S2", 3, False, 0, None, None)
        if node.next_index["S2"] != 6 or node.outbox:
            raise CheckFailed(say("c_stale_refusal", m=m, next=node.next_index["S2"],
                                  outbox=node.outbox) + f"\n{RULE}{RULE_RETRY}")

    visible = [delayed_success, stale_term_reply, commits_after_majority]
    hidden = [never_backwards, next_after_match, follower_ignores, higher_term_refusal,
              retries_on_conflict, stale_refusal]
    return visible + (hidden if full else [])


def reply_rules(handle_append_entries_reply: Callable, full: bool = False) -> None:
    """Question 1: ``handle_append_entries_reply(self, m)`` (the library's advance_commit_index)."""
    cls = learner_class("handle_append_entries_reply", handle_append_entries_reply)
    for case in _reply_cases(full):
        case(cls)


# ----------------------------------------------------------- questions 2 and 3
def _commit_case(cls: type, log: list[int], term: int, match: dict[str, int], want: int,
                 rule: str, n: int = 5, **attrs) -> None:
    node = _leader(cls, log, term, n=n, **attrs)
    node.match_index.update(match)
    if "next_index" not in attrs:  # as after successful replies
        node.next_index = {p: node.match_index[p] + 1 for p in node.peers}
    before = say("c_before", state=state(node), match=node.match_index, next=node.next_index)
    start = node.commit_index
    node.advance_commit_index()
    if node.commit_index != want:
        raise CheckFailed(say("c_commit_index", n=n, before=before, got=node.commit_index,
                              want=want) + f"\n{RULE}{rule}")
    if want > start and [i for i, _ in node.to_apply] != list(range(start + 1, want + 1)):
        raise CheckFailed(say("c_not_applied", start=start, want=want, first=start + 1,
                              to_apply=node.to_apply))


def majority(advance_commit_index: Callable, full: bool = False) -> None:
    """Question 2: counting a majority of match_index (entries of the current term)."""
    cls = learner_class("advance_commit_index", advance_commit_index)
    r = RULE_MAJORITY
    _commit_case(cls, [2, 2, 2], 2, {"S2": 2, "S3": 1}, 1, r)
    _commit_case(cls, [2, 2, 2], 2, {"S2": 3, "S3": 3}, 3, r)
    if not full:
        return
    _commit_case(cls, [2, 2, 2], 2, {}, 0, r, next_index={p: 4 for p in PEERS})
    _commit_case(cls, [2, 2], 2, {"S2": 2}, 2, r, n=3)
    _commit_case(cls, [2, 2], 2, {"S2": 2}, 0, r, n=4)
    _commit_case(cls, [2, 2, 2], 2, {"S2": 2, "S3": 2, "S4": 2}, 2, r, n=4)
    _commit_case(cls, [2, 2, 2, 2], 2, {}, 3, r, commit_index=3, last_applied=3)
    _commit_case(cls, [2, 2, 2, 2], 2, {"S2": 4, "S3": 1, "S4": 4, "S5": 2}, 4, r)
    _commit_case(cls, [2] * 6, 2, {"S2": 6, "S3": 5, "S4": 1, "S5": 0}, 5, r)
    _commit_case(cls, [2], 2, {}, 1, r, n=1)


def current_term(advance_commit_index: Callable, full: bool = False) -> None:
    """Question 3: only entries of the current term are committed by counting (Figure 8)."""
    cls = learner_class("advance_commit_index", advance_commit_index)
    r = RULE_FIG8
    _commit_case(cls, [1, 2], 4, {"S2": 2, "S3": 2, "S4": 2}, 0, r)
    _commit_case(cls, [1, 2, 4], 4, {"S2": 3, "S3": 3, "S4": 3}, 3, r)
    if not full:
        return
    _commit_case(cls, [1, 2, 4], 4, {"S2": 2, "S3": 2, "S4": 2}, 0, r)
    _commit_case(cls, [1, 1, 3, 3], 3, {"S2": 4, "S3": 2, "S4": 2}, 2, r, commit_index=2,
                 last_applied=2)
    _commit_case(cls, [1, 1, 3, 3], 3, {"S2": 4, "S3": 3, "S4": 3}, 3, r, commit_index=2,
                 last_applied=2)
    _commit_case(cls, [5, 5, 5, 6], 7, {p: 4 for p in PEERS}, 0, r)
    run_seeds(figure8, cls, range(1, 6), {**HINTS, "State Machine Safety": RULE_FIG8})


def figure8(cls: type, seed: int) -> None:
    """Figure 8: a term-2 entry on a majority is overwritten by a later leader"""
    from ..scenarios import figure8 as stage_c

    c = cluster(cls, seed, 5, election_timeout=(1.0, 2.0))  # only the forced timeouts elect
    try:
        stage_c(c)  # S1 leads in term 4, logs S1 [1,2,4], S2 [1,2], S3 [1,2], S4 [1], S5 [1,3]
    except ConfigError as e:
        raise CheckFailed(say("c_fig8_setup", error=e)) from None
    for peer in PEERS:
        c.cut("S1", peer)  # S1 hears the replies for index 2, but its term-4 entry never leaves
    c.run(0.02)
    c.crash("S1")
    c.heal()
    c.restart("S5")
    deadline = c.now + 5.0
    while c["S5"].role != LEADER:  # (d): S5 wins with S2, S3, S4 (its last term 3 > 2)
        if c.now > deadline:
            raise CheckFailed(say("c_s5_no_win"))
        c.timeout("S5")
        c.run_until(lambda: c["S5"].role == LEADER, 0.1)
    one(c, "after", 4)


# ---------------------------------------------------------------- question 4
def fail_no_agree(cls: type, seed: int) -> None:
    """No agreement without a majority: 3 of 5 followers cut off"""
    c = cluster(cls, seed, 5)
    one(c, 10, 5)
    leader = c.leader()
    away = [s for s in c.nodes if s != leader][:3]
    for s in away:
        c.disconnect(s)
    index, _, ok = c.submit(20, to=leader)
    c.run(2.0)
    if ok and c.committed(index)[0] > 0:
        raise CheckFailed(say("c_minority_commit", leader=leader, index=index,
                              rule=RULE_MAJORITY))
    for s in away:
        c.connect(s)
    one(c, 30, 5, within=10.0)


def commit(handle_append_entries_reply: Callable, advance_commit_index: Callable,
           full: bool = False) -> None:
    """Question 4: both functions in real clusters, many seeds, safety checked after every
    event. A function whose own questions fail is the library's here (one bug, one question)."""
    own = own_functions(
        {"handle_append_entries_reply": handle_append_entries_reply,
         "advance_commit_index": advance_commit_index},
        {"handle_append_entries_reply": [lambda f: reply_rules(f, True)],
         "advance_commit_index": [lambda f: majority(f, True), lambda f: current_term(f, True)]})
    cls = node_class(**own)
    fig8 = {**HINTS, "State Machine Safety": RULE_FIG8}
    runs = ([(basic_agree, range(1, 4), HINTS)] if not full else
            [(basic_agree, range(1, 11), HINTS), (fail_no_agree, range(1, 6), HINTS),
             (follower_rejoins, range(1, 6), HINTS), (backup, range(1, 6), HINTS),
             (unreliable, range(1, 11), HINTS), (figure8, range(1, 4), fig8),
             (churn, range(1, 11), fig8)])
    replaced = {"handle_append_entries_reply", "advance_commit_index"} - set(own)
    for scenario, seeds, hints in runs:
        library_stood_in(lambda: run_seeds(scenario, cls, seeds, hints), replaced)


__all__ = ["commit", "current_term", "majority", "node_class", "reply_rules"]
