"""Search-based grading: the model checker explores the learner's handlers.

The last question of exercises 03-05 puts every function the learner wrote for the
exercise into one ``RaftNode`` subclass (the library's code for every other rule) and
runs :func:`raftlib.explore` on 3 servers through the exercise's :data:`PLANS`: a fixed
list of breadth-first searches, each stopped by a number of distinct states
(``max_states``), never by the clock, so the same code gets the same verdict on every
machine. The visible test runs the first search of the plan, the hidden tests all of them.

One bug, one question: a run that breaks a safety property (or makes the code raise)
costs this question's points only when every other question of the exercise passes
(:data:`OWNERS`). Otherwise that question already charges the bug: this one passes and
prints the run as a hint. A function not written yet, or refused by the lint, fails here
as it does everywhere.

A failure's message holds the shortest trace as text; :func:`explore_answer` returns the
same :class:`~raftlib.explore.ExploreResult`, so ``rl.show(r.cluster())`` replays it.
The texts are in :data:`raftlib.checks.messages.MESSAGES`, in the learner's language; a
property is named as in the glossary.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .. import glossary, i18n
from ..core import RaftNode
from ..errors import UnknownTermError
from ..explore import ExploreResult, explore
from . import commit as _commit
from . import replication as _replication
from . import voting as _voting
from .common import CheckFailed, NotDoneYet, RefusedCode, learner_function, node_class
from .messages import say

#: Real seconds all searches of one question may take together: a safety net for handlers
#: so slow that the state caps would take minutes (a correct one needs well under 1 s).
TIME_LIMIT = 20.0

#: Per exercise: the learner's functions (in the order the check takes them), the class
#: they go into, and the searches (``rl.explore`` arguments, ``max_states`` included).
PLANS: dict[str, dict[str, Any]] = {}

#: Per exercise: the other questions, ``(grade_id, check)``; ``check(functions)`` runs the
#: question's full test on the learner's functions (a dict by name).
OWNERS: dict[str, list[tuple[str, Callable[[dict], None]]]] = {}

_cache: dict[tuple, ExploreResult | Exception] = {}
_charged: dict[tuple, str | None] = {}
_CACHE_SIZE = 8


def describe(bound: dict) -> str:
    """The bound of one search in words, e.g. 'terms <= 2, logs <= 1, 1 in flight per link,
    1 crash, no drops'."""
    crashes = say("search_crash" if bound["crashes"] == 1 else "search_crashes",
                  n=bound["crashes"])
    text = say("search_bound", max_term=bound["max_term"], max_log=bound["max_log"],
               max_in_flight=bound["max_in_flight"], crashes=crashes)
    return text + ("" if bound.get("drops", True) else say("search_no_drops"))


def _property(name: str) -> str:
    """A safety property in the learner's language: 'Election Safety', '选举安全性'."""
    if i18n.get_language() != "zh":
        return name
    try:
        return glossary.label(name, "zh")
    except UnknownTermError:  # a property the glossary does not hold
        return name


def explore_answer(exercise: str, functions: dict[str, Any], full: bool = True
                   ) -> ExploreResult:
    """Run the exercise's searches on the learner's ``functions`` (the first only unless
    ``full``); return the first result with a violation, else the last one. An error
    raised by the code during a search is raised again (the path to it in its notes).
    Results are cached, so the replay cell after the question costs nothing."""
    plan = PLANS[exercise]
    searches = plan["searches"][:None if full else 1]
    key = (exercise, len(searches), *((name, functions[name]) for name in plan["functions"]))
    if key in _cache:
        cached = _cache[key]
        if isinstance(cached, Exception):
            raise cached
        return cached
    checked = {name: learner_function(functions[name], name) for name in plan["functions"]}
    cls = node_class(plan["base"], **checked)
    start = time.perf_counter()
    result = None
    try:
        for bound in searches:
            left = max(TIME_LIMIT - (time.perf_counter() - start), 0.01)
            result = explore(3, node_class=cls, time_limit=left, **bound)
            if result.violation is not None or result.states < bound["max_states"] and \
                    not result.complete:  # a violation, or the safety net stopped it
                break
    except (NotDoneYet, RefusedCode):
        raise
    except Exception as e:
        _remember(key, e)
        raise
    _remember(key, result)
    return result


def _remember(key: tuple, value: Any) -> None:
    if len(_cache) >= _CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[key] = value


def question(exercise: str, functions: dict[str, Any], full: bool = False) -> None:
    """The search question of ``exercise``: raise :class:`CheckFailed` with the trace if
    a search finds a run that breaks a safety property (or an error) that no other
    question of the exercise charges; print what was searched otherwise."""
    plan = PLANS[exercise]
    names = [f"`{name}`" for name in plan["functions"]]
    names = say("search_functions", others=", ".join(names[:-1]), last=names[-1])
    bounds = "; ".join(describe(b) for b in plan["searches"][:None if full else 1])
    try:
        r = explore_answer(exercise, functions, full)
    except (NotDoneYet, RefusedCode):
        raise
    except Exception as e:
        error = f"{type(e).__name__}: {e}" + "".join(f"\n{note}" for note in
                                                       getattr(e, "__notes__", ()))
        found = say("search_error", functions=names, bounds=bounds, error=error)
        _charge(exercise, functions, found, e)
        return
    if r.violation is not None:
        found = say(
            "search_violation", functions=names, prop=_property(r.violation.prop), steps=len(r.trace), states=r.states,
            bounds=describe(r.settings), transcript=r.transcript())
        _charge(exercise, functions, found, None)
        return
    cap = r.settings["max_states"]
    if not r.complete and r.states < cap:
        raise CheckFailed(say("search_slow", functions=names, seconds=r.seconds,
                              states=r.states, max_states=cap))
    print(say("search_passed", functions=names, bounds=bounds))


def _charge(exercise: str, functions: dict[str, Any], found: str,
            cause: Exception | None) -> None:
    """Fail with ``found``, unless another question of the exercise already fails."""
    key = (exercise, *((name, functions[name]) for name in PLANS[exercise]["functions"]))
    if key not in _charged:  # the visible and the hidden test ask the same: check once
        _charged[key] = _failing_question(exercise, functions)
        while len(_charged) > _CACHE_SIZE:
            _charged.pop(next(iter(_charged)))
    if _charged[key] is not None:
        print(say("search_charged", question=_charged[key], found=found))
        return
    raise CheckFailed(found) from cause


def _failing_question(exercise: str, functions: dict[str, Any]) -> str | None:
    """The first other question of the exercise whose full test fails, if any."""
    for grade_id, check in OWNERS[exercise]:
        try:
            check(functions)
        except CheckFailed:
            return grade_id
    return None


# ------------------------------------------------------------------ the exercises
#: One term, no entries, two messages per link, drops: the whole space of first elections
#: (209 states with correct code: 2,312 without the dead-reply reduction). A vote given
#: twice shows up in 6 steps.
ELECTIONS = dict(max_term=1, max_log=0, max_in_flight=2, crashes=0, commands=(),
                 max_states=2_500)
#: The same with one message per link: small enough to go first (88 states).
QUIET_ELECTIONS = dict(ELECTIONS, max_in_flight=1, max_states=500)
#: Two terms, two entries, one message per link, no drops or crashes (capped: the whole
#: space is about 5,000 states). A request past the end of the log accepted shows up here.
TWO_ENTRIES = dict(max_term=2, max_log=2, max_in_flight=1, crashes=0, drops=False,
                   commands=("x", "y"), max_states=3_000)
#: Two terms, one entry, one crash (the catalogue's SMALL bound, capped: about 11,600).
#: match_index taken from the leader's log shows up here (1,909 states, 15 steps), and a
#: reply's match_index from the follower's log length makes the leader's code fail.
ONE_CRASH = dict(max_term=2, max_log=1, max_in_flight=1, crashes=1, drops=False,
                 commands=("x",), max_states=5_000)


def _owner(grade_id: str, check: Callable, *names: str) -> tuple[str, Callable[[dict], None]]:
    return grade_id, lambda f: check(*(f[name] for name in names), full=True)


PLANS.update({
    "voting": dict(functions=("on_election_timeout", "handle_request_vote", "log_is_up_to_date"),
                   base=_voting.NoLibraryElection, searches=[ELECTIONS]),
    "replication": dict(functions=("handle_append_entries", "merge_entries"), base=RaftNode,
                        searches=[QUIET_ELECTIONS, TWO_ENTRIES, ONE_CRASH]),
    "commit": dict(functions=("handle_append_entries_reply", "advance_commit_index"),
                   base=RaftNode, searches=[ONE_CRASH]),
})
OWNERS.update({
    "voting": [_owner("test_up_to_date", _voting.up_to_date, "log_is_up_to_date"),
               _owner("test_vote_rules", _voting.vote_rules, "handle_request_vote"),
               _owner("test_election_timeout", _voting.election_timeout, "on_election_timeout"),
               _owner("test_elections", _voting.elections, *PLANS["voting"]["functions"])],
    "replication": [
        _owner("test_merge", _replication.merge, "merge_entries"),
        _owner("test_term_rule", _replication.term_rule, "handle_append_entries"),
        _owner("test_consistency", _replication.consistency_check, "handle_append_entries"),
        _owner("test_commit_rule", _replication.commit_rule, "handle_append_entries"),
        _owner("test_replication", _replication.replication, "handle_append_entries")],
    "commit": [
        _owner("test_reply_rules", _commit.reply_rules, "handle_append_entries_reply"),
        _owner("test_majority", _commit.majority, "advance_commit_index"),
        _owner("test_current_term", _commit.current_term, "advance_commit_index"),
        _owner("test_commit", _commit.commit, *PLANS["commit"]["functions"])],
})


# ------------------------------------------------------------- the notebooks' calls
def voting(on_election_timeout: Any, handle_request_vote: Any, log_is_up_to_date: Any,
           full: bool = False) -> None:
    """Exercise 03's search question."""
    question("voting", dict(on_election_timeout=on_election_timeout,
                            handle_request_vote=handle_request_vote,
                            log_is_up_to_date=log_is_up_to_date), full)


def explore_voting(on_election_timeout: Any, handle_request_vote: Any,
                   log_is_up_to_date: Any) -> ExploreResult:
    """What exercise 03's search question found (replay it: ``rl.show(r.cluster())``)."""
    return explore_answer("voting", dict(on_election_timeout=on_election_timeout,
                                         handle_request_vote=handle_request_vote,
                                         log_is_up_to_date=log_is_up_to_date))


def replication(handle_append_entries: Any, merge_entries: Any, full: bool = False) -> None:
    """Exercise 04's search question."""
    question("replication", dict(handle_append_entries=handle_append_entries,
                                 merge_entries=merge_entries), full)


def explore_replication(handle_append_entries: Any, merge_entries: Any) -> ExploreResult:
    """What exercise 04's search question found."""
    return explore_answer("replication", dict(handle_append_entries=handle_append_entries,
                                              merge_entries=merge_entries))


def commit(handle_append_entries_reply: Any, advance_commit_index: Any,
           full: bool = False) -> None:
    """Exercise 05's search question."""
    question("commit", dict(handle_append_entries_reply=handle_append_entries_reply,
                            advance_commit_index=advance_commit_index), full)


def explore_commit(handle_append_entries_reply: Any, advance_commit_index: Any
                   ) -> ExploreResult:
    """What exercise 05's search question found."""
    return explore_answer("commit", dict(handle_append_entries_reply=handle_append_entries_reply,
                                         advance_commit_index=advance_commit_index))


__all__ = ["OWNERS", "PLANS", "commit", "explore_answer", "explore_commit",
           "explore_replication", "explore_voting", "question", "replication", "voting"]
