"""Short readable descriptions of commands and messages, shared by tables and the widget.

    >>> from raftlib import Op, AppendEntries, Entry
    >>> command(Op("put", "x", 1))
    'put x=1'
    >>> message(AppendEntries("S1", "S2", 3, "S1", 4, 2, (Entry(3, "a"),), 4))
    't3 prev 4/t2 +1 entry commit 4'
"""

from __future__ import annotations

from typing import Any

from .i18n import text


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


def message(msg: Any, lang: str = "en") -> str:
    """The fields of a Raft message that matter, in one short line, in ``lang`` ("en", "zh")."""
    name = type(msg).__name__
    pre = text("m_pre", lang) if name.startswith("PreVote") else ""
    if name in ("RequestVote", "PreVote"):
        return text("m_vote", lang, pre=pre, term=msg.term, index=msg.last_log_index,
                    last_term=msg.last_log_term)
    if name in ("RequestVoteReply", "PreVoteReply"):
        return text("m_granted" if msg.vote_granted else "m_refused", lang, pre=pre, term=msg.term)
    if name == "AppendEntries":
        n = len(msg.entries)
        entries = "" if not n else text("m_entry", lang) if n == 1 else text("m_entries", lang, n=n)
        return text("m_append", lang, term=msg.term, index=msg.prev_log_index,
                    prev_term=msg.prev_log_term, entries=entries, commit=msg.leader_commit)
    if name == "AppendEntriesReply":
        if msg.success:
            return text("m_ok", lang, term=msg.term, match=msg.match_index)
        if msg.conflict_index is None:
            return text("m_stale", lang, term=msg.term)
        term = "" if msg.conflict_term is None else f"/t{msg.conflict_term}"
        return text("m_conflict", lang, term=msg.term, index=msg.conflict_index, term_part=term)
    if name == "ClientRequest":
        return command(msg.op)
    if name == "ClientReply":
        if msg.ok:
            return text("m_client_ok", lang, result=repr(msg.result))
        return text("m_not_leader", lang, hint=msg.leader_hint)
    return repr(msg)
