"""Exercise 04 (MIT lab 2B): the follower's AppendEntries handler and log merge.

Figure 2, AppendEntries RPC, receiver implementation: 1. reply false if term <
currentTerm; 2. reply false if the log doesn't contain an entry at
prevLogIndex whose term matches prevLogTerm; 3. if an existing entry conflicts
with a new one (same index, different terms), delete it and all that follow;
4. append any new entries not already in the log; 5. if leaderCommit >
commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
Questions 1, 2 and 4 grade ``handle_append_entries``'s rules one at a
time, question 3 ``merge_entries`` (rules 3-4), question 5 the handler on
clusters' traffic (with the library's ``merge_entries``), judged only on the rules whose
own question passes.
"""

from __future__ import annotations

from typing import Callable

from ..core import (CANDIDATE, FOLLOWER, LEADER, AppendEntries, AppendEntriesReply, Entry,
                    RaftNode)
from .agreement import (HINTS, backup, basic_agree, follower_rejoins, stale_leader_rejoins,
                        unreliable)
from .messages import RULE, Msg, say
from .common import (CheckFailed, RefusedCode, exactly_bool, fresh, learner_class,
                     node_class, own_functions, sent, state)
from .runs import rng, run_seeds

RULE_1 = Msg("r_rule_1")
RULE_2 = Msg("r_rule_2")
RULE_34 = Msg("r_rule_34")
RULE_5 = Msg("r_rule_5")


def _entries(*pairs: tuple[int, str]) -> tuple:
    return tuple(Entry(term, command) for term, command in pairs)


def _deliver(node: RaftNode, term: int, prev: int, prev_term: int, entries: tuple = (),
             commit: int = 0, leader: str = "S2") -> tuple[AppendEntries, str]:
    before = state(node)
    m = AppendEntries(leader, node.id, term, leader, prev, prev_term, entries, commit)
    node.receive(m)
    return m, before


def _reply(node: RaftNode, m: AppendEntries, before: str) -> AppendEntriesReply:
    replies = sent(node, AppendEntriesReply)
    others = [x for x in node.outbox if type(x) is not AppendEntriesReply]
    if len(replies) != 1 or others:
        raise CheckFailed(say("r_one_reply", node=node.id, before=before, m=m,
                              outbox=node.outbox, leader=m.leader_id))
    reply = replies[0]
    if reply.src != node.id or reply.dst != m.src:
        raise CheckFailed(say("r_reply_route", reply=reply, node=node.id, leader=m.src))
    if type(reply.term) is not int or reply.term != node.current_term:
        raise CheckFailed(say("r_reply_term", reply=reply, term=node.current_term))
    exactly_bool(reply.success, "success")
    return reply


def _unchanged(node: RaftNode, m: AppendEntries, before: str, log: list, commit: int,
               rule: str) -> None:
    if node.log != log or node.commit_index != commit:
        raise CheckFailed(say("r_refused_changed", node=node.id, before=before, m=m,
                              state=state(node)) + f"\n{RULE}{rule}")


def _success(node: RaftNode, m: AppendEntries, before: str, rule: str,
             match: bool = True) -> AppendEntriesReply:
    """The one reply, which must accept; with ``match``, with the right match_index (question
    2's business: question 1 leaves it out, so one bug costs one question)."""
    reply = _reply(node, m, before)
    if reply.success is not True:
        raise CheckFailed(say("r_must_accept", node=node.id, before=before, m=m,
                              prev=m.prev_log_index) + f"\n{RULE}{rule}")
    if not match:
        return reply
    want = m.prev_log_index + len(m.entries)
    if type(reply.match_index) is not int or reply.match_index != want:
        raise CheckFailed(say("r_match_index", node=node.id, before=before, m=m,
                              got=reply.match_index, want=want))
    return reply


# ---------------------------------------------------------------- question 1
def _term_cases(full: bool) -> list[Callable[[type], None]]:
    def stale_leader(cls: type) -> None:
        node = fresh(cls, log=[1, 5], current_term=5, leader_id="S3", commit_index=1)
        log = list(node.log)
        m, before = _deliver(node, 4, 2, 5, _entries((4, "x")), 2)
        reply = _reply(node, m, before)
        if reply.success is not False:
            raise CheckFailed(say("r_stale_accepted", node=node.id, before=before, m=m)
                              + f"\n{RULE}{RULE_1}")
        _unchanged(node, m, before, log, 1, RULE_1)
        if node.election_timer_reset or node.leader_id != "S3":
            raise CheckFailed(say("r_stale_timer") + f"\n{RULE}{RULE_1}")

    def candidate_yields(cls: type) -> None:
        # prev_log_index inside the log, not at its end: a bounds bug in rule 2 costs
        # question 2 only
        node = fresh(cls, log=[1, 1], current_term=5, voted_for="S1", role=CANDIDATE,
                     votes_received={"S1"})
        m, before = _deliver(node, 5, 1, 1, (), 0)
        _success(node, m, before, RULE_2, match=False)
        if node.role != FOLLOWER or node.leader_id != "S2" or not node.election_timer_reset:
            raise CheckFailed(say("r_candidate_follows", before=before, state=state(node),
                                  leader=node.leader_id, reset=node.election_timer_reset))

    def follower_heartbeat(cls: type) -> None:
        node = fresh(cls, log=[2, 2, 2], current_term=2)
        m, before = _deliver(node, 2, 2, 2, (), 0, leader="S4")
        _success(node, m, before, RULE_2, match=False)
        if node.leader_id != "S4" or not node.election_timer_reset:
            raise CheckFailed(say("r_heartbeat", leader=node.leader_id,
                                  reset=node.election_timer_reset))

    def deposed_leader(cls: type) -> None:
        node = fresh(cls, log=[3], current_term=3, voted_for="S1", role=LEADER, leader_id="S1",
                     next_index={f"S{i}": 2 for i in range(2, 6)},
                     match_index={f"S{i}": 0 for i in range(2, 6)})
        m, before = _deliver(node, 4, 0, 0, _entries((4, "n")), 0)
        _success(node, m, before, RULE_34)
        if node.role != FOLLOWER or node.leader_id != "S2":
            raise CheckFailed(say("r_deposed", state=state(node), leader=node.leader_id))

    visible = [stale_leader, candidate_yields]
    return visible + ([follower_heartbeat, deposed_leader] if full else [])


def term_rule(handle_append_entries: Callable, full: bool = False) -> None:
    """Question 1: rule 1 and recognising the current leader."""
    cls = learner_class("handle_append_entries", handle_append_entries)
    for case in _term_cases(full):
        case(cls)


# ---------------------------------------------------------------- question 2
def _refused(node: RaftNode, m: AppendEntries, before: str, log: list, commit: int) -> None:
    reply = _reply(node, m, before)
    if reply.success is not False:
        key = "r_replied_true_missing" if m.prev_log_index > len(log) else "r_replied_true_term"
        raise CheckFailed(say(key, node=node.id, before=before, m=m, prev=m.prev_log_index)
                          + f"\n{RULE}{RULE_2}")
    _unchanged(node, m, before, log, commit, RULE_2)
    index, term = reply.conflict_index, reply.conflict_term
    past_end = m.prev_log_index > len(log)
    top = len(log) + 1 if past_end else m.prev_log_index
    if type(index) is not int or not 1 <= index <= top:
        raise CheckFailed(say("r_conflict_index_end" if past_end else "r_conflict_index",
                              reply=reply, top=top))
    allowed = (None,) if past_end else (None, log[m.prev_log_index - 1].term)
    if term not in allowed or (term is not None and type(term) is not int):
        raise CheckFailed(say("r_conflict_term", reply=reply, term=term, allowed=allowed[-1]))


def _consistency_cases(full: bool) -> list[Callable[[type], None]]:
    def past_the_end(cls: type) -> None:
        node = fresh(cls, log=[1, 1], current_term=2)
        log = list(node.log)
        m, before = _deliver(node, 2, 5, 2, _entries((2, "x")), 5)
        _refused(node, m, before, log, 0)

    def heartbeat_mismatch(cls: type) -> None:
        node = fresh(cls, log=[1, 2], current_term=3)
        log = list(node.log)
        m, before = _deliver(node, 3, 2, 3, (), 2)
        _refused(node, m, before, log, 0)

    def term_mismatch(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 2], current_term=3)
        log = list(node.log)
        m, before = _deliver(node, 3, 3, 3, _entries((3, "x")), 3)
        _refused(node, m, before, log, 0)

    def heartbeat_past_end(cls: type) -> None:
        node = fresh(cls, log=[], current_term=1)
        m, before = _deliver(node, 1, 3, 1, (), 3)
        _refused(node, m, before, [], 0)

    def start_of_log(cls: type) -> None:
        node = fresh(cls, log=[1, 1], current_term=2)
        m, before = _deliver(node, 2, 0, 0, _entries((2, "a")), 0)
        _success(node, m, before, RULE_2 + say("r_index_zero"))
        if node.log != [Entry(2, "a")]:
            raise CheckFailed(say("r_log_must_be", m=m, want="[Entry(2, 'a')]", log=node.log)
                              + f"\n{RULE}{RULE_34}")

    def match_of_request(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 1, 1], current_term=1)
        m, before = _deliver(node, 1, 1, 1, _entries((1, "c2")), 0)
        _success(node, m, before, RULE_2)

    def heartbeat_match(cls: type) -> None:
        node = fresh(cls, log=[1, 1], current_term=1)
        m, before = _deliver(node, 1, 2, 1, (), 0)
        _success(node, m, before, RULE_2)

    visible = [past_the_end, heartbeat_mismatch]
    hidden = [term_mismatch, heartbeat_past_end, start_of_log, match_of_request, heartbeat_match]
    return visible + (hidden if full else [])


def consistency_check(handle_append_entries: Callable, full: bool = False) -> None:
    """Question 2: rule 2 (prev_log_index / prev_log_term) and the reply."""
    cls = learner_class("handle_append_entries", handle_append_entries)
    for case in _consistency_cases(full):
        case(cls)


# ---------------------------------------------------------------- question 3
def _merge_case(cls: type, log: list[tuple[int, str]], prev: int, entries: tuple) -> None:
    node = fresh(cls)
    node.log = [Entry(t, c) for t, c in log]
    want = fresh(RaftNode)
    want.log = list(node.log)
    RaftNode.merge_entries(want, prev, entries)
    before = say("r_log_before", log=node.log)
    node.merge_entries(prev, entries)
    if node.log != want.log:
        raise CheckFailed(say("r_merge", prev=prev, entries=entries, before=before,
                              log=node.log, want=want.log) + f"\n{RULE}{RULE_34}")


def _merge_cases(full: bool) -> list[tuple[list[tuple[int, str]], int, tuple]]:
    a, b, c, d = (1, "a"), (1, "b"), (1, "c"), (1, "d")
    visible = [
        ([a], 1, _entries(b, c)),                    # append at the end
        ([a, b, c], 0, _entries(a)),                 # a delayed request: nothing to delete
        ([a, b, c], 1, _entries((2, "x"))),          # a real conflict at index 2
    ]
    hidden = [
        ([a, b], 1, _entries(b, c)),                 # overlap, then new
        ([a, b, c, d], 0, _entries(a, (2, "y"))),    # conflict after a match
        ([a, b, c], 3, ()),                          # heartbeat
        ([a, b, c], 1, ()),                          # heartbeat in the middle
        ([], 0, _entries(a, b)),                     # empty log
        ([a, b, c, d], 2, _entries(c)),              # delayed, shorter than the log
        ([a, (2, "p"), (2, "q")], 1, _entries((3, "r"), (3, "s"), (3, "t"))),
    ]
    if not full:
        return visible
    pick = rng("merge", 0)
    for _ in range(200):  # the leader's log, and a follower that matches up to prev
        leader = [(t, f"L{i}") for i, t in enumerate(sorted(pick.choices(range(1, 4), k=8)))]
        prev = pick.randint(0, 7)
        follower = leader[:prev] + [(t + 3, f"F{i}") for i, t in
                                    enumerate(sorted(pick.choices(range(0, 2),
                                                                  k=pick.randint(0, 4))))]
        if pick.random() < 0.5:
            follower = leader[:pick.randint(prev, 8)]
        size = pick.randint(0, 8 - prev)
        hidden.append((follower, prev, _entries(*leader[prev:prev + size])))
    return visible + hidden


def merge(merge_entries: Callable, full: bool = False) -> None:
    """Question 3: ``merge_entries(self, prev_log_index, entries)``; with ``full``, also
    in clusters with duplicated and reordered messages (the library's handler)."""
    cls = learner_class("merge_entries", merge_entries)
    for log, prev, entries in _merge_cases(full):
        _merge_case(cls, log, prev, entries)
    if full:
        run_seeds(basic_agree, cls, range(1, 4), HINTS)
        run_seeds(unreliable, cls, range(1, 11), HINTS)


# ---------------------------------------------------------------- question 4
def _commit_cases(full: bool) -> list[Callable[[type], None]]:
    def heartbeat_with_stale_tail(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 1], current_term=1)
        m, before = _deliver(node, 1, 1, 1, (), 3)
        _commit(node, m, before, 1)

    # Every request here matches inside the follower's log (never at its end), so a bounds
    # bug in rule 2 costs question 2 only; _commit first checks the request was accepted.
    def applies(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 1], current_term=1)
        m, before = _deliver(node, 1, 2, 1, _entries((1, "c3")), 3)
        _commit(node, m, before, 3)
        if node.to_apply != [(i, node.log[i - 1]) for i in (1, 2, 3)] or node.last_applied != 3:
            raise CheckFailed(say("r_not_applied", to_apply=node.to_apply,
                                  applied=node.last_applied) + f"\n{RULE}{RULE_5}")

    def leader_commit_below_last_new(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 1, 1], current_term=1)
        m, before = _deliver(node, 1, 3, 1, _entries((1, "c4")), 2)
        _commit(node, m, before, 2)

    def never_backwards(cls: type) -> None:
        node = fresh(cls, log=[1, 1, 1], current_term=1, commit_index=3, last_applied=3)
        m, before = _deliver(node, 1, 1, 1, (), 2)
        _commit(node, m, before, 3)

    def after_new_entries(cls: type) -> None:
        node = fresh(cls, log=[1, 2], current_term=2)
        m, before = _deliver(node, 2, 1, 1, _entries((2, "x"), (2, "y")), 9)
        _commit(node, m, before, 3)

    visible = [heartbeat_with_stale_tail, applies]
    hidden = [leader_commit_below_last_new, never_backwards, after_new_entries]
    return visible + (hidden if full else [])


def _commit(node: RaftNode, m: AppendEntries, before: str, want: int) -> None:
    replies = sent(node, AppendEntriesReply)
    if replies and replies[0].success is not True:
        raise CheckFailed(say("r_refused_matching", node=node.id, before=before, m=m,
                              reply=replies[0]) + f"\n{RULE}{RULE_2}")
    stored = node.log[m.prev_log_index:m.prev_log_index + len(m.entries)]
    if [e.term for e in stored] != [e.term for e in m.entries]:
        raise CheckFailed(say("r_entries_missing", node=node.id, before=before, m=m,
                              log=node.log, first=m.prev_log_index + 1,
                              last=m.prev_log_index + len(m.entries)) + f"\n{RULE}{RULE_34}")
    if node.commit_index != want:
        raise CheckFailed(say("r_commit_index", node=node.id, before=before, m=m, want=want,
                              got=node.commit_index) + f"\n{RULE}{RULE_5}")


def commit_rule(handle_append_entries: Callable, full: bool = False) -> None:
    """Question 4: rule 5, the follower's commit index (the library's merge_entries)."""
    cls = learner_class("handle_append_entries", handle_append_entries)
    for case in _commit_cases(full):
        case(cls)


# ---------------------------------------------------------------- question 5
#: What each of questions 1, 2 and 4 owns when question 5 compares the handler with the
#: library's on a cluster's traffic.
ASPECTS = {"term": term_rule, "consistency": consistency_check, "commit": commit_rule}


def _clone(node: RaftNode, cls: type) -> RaftNode:
    """A detached copy of ``node`` of class ``cls``: its lists (the log may be the safety
    checker's ``TrackedLog``), dicts and sets copied as plain ones."""
    copy = object.__new__(cls)
    for key, value in node.__dict__.items():
        for kind in (list, dict, set):
            if isinstance(value, kind):
                value = kind(value)
                break
        copy.__dict__[key] = value
    return copy


def _judge(mine: RaftNode, ref: RaftNode, m: AppendEntries, before: str, log: list,
           commit: int, term: int, aspects: set[str]) -> None:
    """Compare the learner's handling of ``m`` (``mine``) with the library's (``ref``), only
    on the ``aspects`` whose own question passed, each only once its preconditions hold."""
    if m.term < term:  # rule 1's business alone
        if "term" in aspects:
            reply = _reply(mine, m, before)
            if reply.success is not False:
                raise CheckFailed(say("r_stale_accepted", node=mine.id, before=before, m=m)
                                  + f"\n{RULE}{RULE_1}")
            _unchanged(mine, m, before, log, commit, RULE_1)
        return
    if "term" in aspects and (mine.role, mine.leader_id, mine.election_timer_reset) != (
            ref.role, ref.leader_id, ref.election_timer_reset):
        raise CheckFailed(say("r_follow_leader", node=mine.id, before=before, m=m,
                              leader=m.leader_id, role=mine.role, got=mine.leader_id,
                              reset=mine.election_timer_reset))
    accepted = sent(ref, AppendEntriesReply)[0].success
    if "consistency" in aspects:
        if not accepted:
            _refused(mine, m, before, log, commit)
            return
        _success(mine, m, before, RULE_2)
        if mine.log != ref.log:
            raise CheckFailed(say("r_log_then", node=mine.id, before=before, m=m, want=ref.log,
                                  log=mine.log) + f"\n{RULE}{RULE_34}")
    replies = sent(mine, AppendEntriesReply)
    if ("commit" in aspects and accepted and len(replies) == 1 and replies[0].success is True
            and mine.log == ref.log and mine.commit_index != ref.commit_index):
        raise CheckFailed(say("r_commit_index", node=mine.id, before=before, m=m,
                              want=ref.commit_index, got=mine.commit_index)
                          + f"\n{RULE}{RULE_5}")


def _differential(learner: type, aspects: set[str]) -> type:
    """A node that handles AppendEntries with the library's code (so the cluster runs the
    library's Raft) after giving a copy of itself to the learner's handler and judging the
    outcome (:func:`_judge`)."""
    def handle_append_entries(self: RaftNode, m: AppendEntries) -> None:
        mine = _clone(self, learner)
        mine.outbox = []
        sent_before = len(self.outbox)
        before, log, commit, term = state(self), list(self.log), self.commit_index, self.current_term
        try:
            learner.handle_append_entries(mine, m)
            failure = None
        except RefusedCode:
            raise
        except CheckFailed as e:  # it raised or ran too long: whose rule was it?
            failure = e
        RaftNode.handle_append_entries(self, m)
        ref = _clone(self, RaftNode)
        ref.outbox = self.outbox[sent_before:]
        if failure is not None:
            # A stale request is rule 1's, a refusal also rule 2's, an accepted one every
            # rule's: if one of them already cost its own question, this costs nothing more.
            domain = ({"term"} if m.term < term else {"term", "consistency"}
                      if not sent(ref, AppendEntriesReply)[0].success else set(ASPECTS))
            if domain <= aspects:
                raise failure
            return
        _judge(mine, ref, m, before, log, commit, term, aspects)

    return type("ComparedNode", (RaftNode,), {"handle_append_entries": handle_append_entries})


def replication(handle_append_entries: Callable, full: bool = False) -> None:
    """Question 5: the handler on real clusters' traffic, many seeds. The library runs the
    cluster; every AppendEntries is also given to a copy of the receiver with your handler,
    and its outcome compared, on the rules whose own question (1, 2, 4) passes: one bug
    costs one question."""
    own = own_functions({aspect: handle_append_entries for aspect in ASPECTS},
                        {aspect: [lambda f, q=question: q(f, True)]
                         for aspect, question in ASPECTS.items()})
    cls = _differential(learner_class("handle_append_entries", handle_append_entries), set(own))
    runs = ([(basic_agree, range(1, 4))] if not full else
            [(basic_agree, range(1, 11)), (follower_rejoins, range(1, 6)),
             (stale_leader_rejoins, range(1, 6)), (backup, range(1, 6)),
             (unreliable, range(1, 11))])
    for scenario, seeds in runs:
        run_seeds(scenario, cls, seeds, HINTS)


__all__ = ["commit_rule", "consistency_check", "merge", "node_class", "replication",
           "term_rule"]
