"""The checks behind the graded exercises (``exercises/``, nbgrader source in ``solutions/``).

Each exercise's test cells call one module here::

    from raftlib.checks import voting as check
    check.vote_rules(handle_request_vote)          # visible: a few quick cases
    check.vote_rules(handle_request_vote, full=True)  # hidden: the full set

A check plugs the learner's function into a real :class:`~raftlib.RaftNode`
subclass (every other method is the library's), feeds it messages or runs a
real :class:`~raftlib.Cluster` with ``node_class=`` over many seeds with the
safety checker on, and raises :class:`CheckFailed` (an ``AssertionError``)
whose message names the rule of the Raft paper's Figure 2 that was broken and
shows the evidence. Deterministic: the same function always gets the same result.

Modules: :mod:`.quorums` (exercise 01), :mod:`.split_brain` (02), :mod:`.voting`
(03), :mod:`.replication` (04), :mod:`.commit` (05), :mod:`.scenarios` (06),
:mod:`.terminology` (07), :mod:`.persistence` (08), :mod:`.dedup` (09); :mod:`.common`
(failures, time limit, node classes, isolation), :mod:`.timelimit` (the time limit, also
without ``setitimer``, as in Pyodide), :mod:`.runs` and :mod:`.agreement` (cluster
scenarios over seeds),
:mod:`.lint` and :mod:`.sandbox` (what graded learner code may do), :mod:`.recheck` and
:mod:`.rerun` (the nbgrader step that re-runs every test cell outside the
learner's kernel), :mod:`.isolation` and :mod:`.kernel` (bubblewrap around the re-check
and the learner's kernel).

One bug, one question: a question that runs several of the learner's functions together
takes the library's version of any whose own question fails
(:func:`.common.own_functions`).
"""

from .common import CheckFailed, LearnerError, LearnerTimeout, NotDoneYet, RefusedCode

__all__ = ["CheckFailed", "LearnerError", "LearnerTimeout", "NotDoneYet", "RefusedCode"]
