"""Which bugs of :mod:`raftlib.bugs` break safety, and the bound that shows each.

:data:`SAFETY_BUGS` maps a bug class's name to the property the explorer reports
and the arguments of :func:`raftlib.explore` that find it within a minute on 3
servers (breadth-first where the bound is small enough, else seeded random walks).
:data:`NOT_SAFETY` names the classes that break no safety property, with the
reason; a complete search at :data:`TINY` reports no violation for them
(``tests/test_explore.py``). :data:`NOT_FOUND` names the safety bugs it misses.
"""

from __future__ import annotations

#: A bound the correct server exhausts in seconds (the CI test and ``make bench``).
SMALL = dict(n=3, max_term=2, max_log=1, max_in_flight=1, crashes=1, drops=False,
             commands=("x",))
#: A smaller bound, for the classes that must report nothing.
TINY = dict(SMALL, crashes=0)
_ELECTIONS = dict(max_term=1, max_log=0, max_in_flight=2, crashes=0, commands=())
_TWO_TERMS = dict(max_term=2, max_log=0, max_in_flight=2, crashes=0, drops=False, commands=())
_CRASH = dict(max_term=1, max_log=0, max_in_flight=2, crashes=1, drops=False, commands=())
#: Random walks through four terms and two commands (their traces shrunk afterwards).
_WALKS = dict(max_term=4, max_log=1, max_in_flight=2, crashes=0, commands=("x", "y"),
              strategy="random", time_limit=60.0)
#: Random walks with longer logs, for bugs that need two entries.
_LONG_WALKS = dict(_WALKS, max_term=3, max_log=2)
#: The bound and seed that show Figure 8 (lesson 11 uses them too).
FIGURE8 = dict(_WALKS, seed=6)
#: Three terms, one entry per log, one message per link: a stale leader's entry must
#: meet a newer leader's empty heartbeat. Breadth-first search gets there too (30 steps,
#: after about 270,000 states: a minute or more here, so not in CI).
_HEARTBEAT = dict(max_term=3, max_log=1, max_in_flight=1, crashes=0, commands=("x", "y"),
                  strategy="random", seed=3, time_limit=60.0)

SAFETY_BUGS: dict[str, tuple[str, dict]] = {
    "VoteTwice": ("Election Safety", _ELECTIONS),
    "ForgetVotedFor": ("Election Safety", _CRASH),
    "CountStaleVotes": ("Election Safety", _TWO_TERMS),
    "MatchIndexFromLogLength": ("Leader Completeness", SMALL),
    "ForgetLog": ("Leader Completeness", SMALL),
    "CommitOldTermEntries": ("Leader Completeness", FIGURE8),
    "VoteByLogLength": ("Leader Completeness", dict(_WALKS, seed=5)),
    "TruncateOnEveryAppend": ("Leader Completeness", _WALKS),
    "ContinueAfterReject": ("Log Matching", _LONG_WALKS),
    "AcceptPrevPastEnd": ("State Machine Safety", _LONG_WALKS),
    "HeartbeatSkipsCheck": ("State Machine Safety", _HEARTBEAT),
}

#: Safety bugs the explorer does not find within a minute at the bounds tried (bfs up to
#: depth ~12; random walks with terms up to 5, logs of 1-3 entries, 2-3 commands); the
#: hand-steered scenarios of ``tests/test_bug_scenarios.py`` and the 6.824 port
#: catch them.
NOT_FOUND: dict[str, str] = {
    "UseStaleAppendReplies": "needs a success reply of an earlier term, for two or more "
                             "entries, to reach the same server when it leads again with an "
                             "entry of its new term at an index that reply covers: its log "
                             "must have been cut back below that index meanwhile by a leader "
                             "whose log conflicts with it (a truncation never leaves a log "
                             "shorter than the conflict's index); so four commands (two "
                             "acknowledged, the conflicting leader's, the new term's) and "
                             "three terms at least, plus the elections that allow them: "
                             "random walks with 3-4 commands, terms up to 3-5 and logs of "
                             "2-3 entries (seeds 0-5, 15-20 s each) did not meet it",
}

NOT_SAFETY: dict[str, str] = {
    "CandidateNeverRetries": "liveness only: a candidate that never retries does less than a "
                             "correct one; elections may stall for good",
    "ChattyLeader": "liveness only (load): each extra AppendEntries is one a heartbeat could send",
    "BackUpOneEntry": "liveness only (speed): backing up one entry at a time still converges",
    "ResetTimerOnAnyMessage": "liveness only: the explorer lets a timer fire at any moment, so "
                              "when it was last reset changes nothing it can reach",
    "ResetTimerOnVoteRequest": "liveness only: as ResetTimerOnAnyMessage",
    "StepDownAfterHandling": "liveness only: a vote refused and a reply in the old term, "
                             "then the higher term is adopted anyway",
    "BackUpOnHigherTerm": "liveness only: the deposed leader keeps sending AppendEntries of "
                          "its old term, which every newer server refuses",
    "CommitToLogEnd": "masked: raftlib's leader sends its whole log suffix, so leader_commit "
                      "never exceeds the last new entry and the bug cannot act",
}
