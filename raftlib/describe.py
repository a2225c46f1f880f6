"""Short readable descriptions of commands and messages, shared by tables and the widget.

    >>> from raftlib import Op, AppendEntries, Entry
    >>> command(Op("put", "x", 1))
    'put x=1'
    >>> message(AppendEntries("S1", "S2", 3, "S1", 4, 2, (Entry(3, "a"),), 4))
    't3 prev 4/t2 +1 entry commit 4'
"""

from __future__ import annotations

from typing import Any


def command(cmd: Any) -> str:
    """A command as a learner would write it: ``put x=1``, ``append x+='a'``, ``get x``."""
    if type(cmd).__name__ == "Op":
        if cmd.kind == "put":
            return f"put {cmd.key}={cmd.value!r}"
        if cmd.kind == "append":
            return f"append {cmd.key}+={cmd.value!r}"
        return f"get {cmd.key}"
    if repr(cmd) == "NOOP":
        return "no-op"
    return repr(cmd)


def message(msg: Any) -> str:
    """The fields of a Raft message that matter, in one short line."""
    name = type(msg).__name__
    pre = "pre-vote " if name.startswith("PreVote") else ""
    if name in ("RequestVote", "PreVote"):
        return f"{pre}t{msg.term} last {msg.last_log_index}/t{msg.last_log_term}"
    if name in ("RequestVoteReply", "PreVoteReply"):
        return f"{pre}t{msg.term} {'granted' if msg.vote_granted else 'refused'}"
    if name == "AppendEntries":
        n = len(msg.entries)
        entries = f" +{n} {'entry' if n == 1 else 'entries'}" if n else ""
        return (f"t{msg.term} prev {msg.prev_log_index}/t{msg.prev_log_term}{entries} "
                f"commit {msg.leader_commit}")
    if name == "AppendEntriesReply":
        if msg.success:
            return f"t{msg.term} ok match {msg.match_index}"
        if msg.conflict_index is None:
            return f"t{msg.term} refused (stale term)"
        term = "" if msg.conflict_term is None else f"/t{msg.conflict_term}"
        return f"t{msg.term} fail conflict {msg.conflict_index}{term}"
    if name == "ClientRequest":
        return command(msg.op)
    if name == "ClientReply":
        return f"ok {msg.result!r}" if msg.ok else f"not leader (hint {msg.leader_hint})"
    return repr(msg)
