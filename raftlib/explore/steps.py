"""The readable events of an explored trace."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..core import AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply


def describe_message(m: Any) -> str:
    """A message in one short line: its type, term and the fields that matter."""
    name = type(m).__name__
    if isinstance(m, RequestVote):
        detail = f"last log ({m.last_log_index}, t{m.last_log_term})"
    elif isinstance(m, RequestVoteReply):
        detail = "granted" if m.vote_granted else "refused"
    elif isinstance(m, AppendEntries):
        entries = ", ".join(f"t{e.term}:{e.command!r}" for e in m.entries)
        detail = (f"prev ({m.prev_log_index}, t{m.prev_log_term}) [{entries}] "
                  f"commit {m.leader_commit}")
    elif isinstance(m, AppendEntriesReply):
        detail = f"success, match {m.match_index}" if m.success else "fail"
    else:
        detail = repr(m)
    return f"{name} t{m.term} {detail}"


class Step(NamedTuple):
    """One event: ``kind`` is deliver, drop, duplicate, timeout, heartbeat, request,
    crash or restart; ``server`` the server it happens at (a message's receiver)."""

    kind: str
    server: str
    message: Any = None
    command: Any = None

    def __str__(self) -> str:
        m = self.message
        if self.kind == "deliver":
            return f"{self.server} <- {m.src} {describe_message(m)}"
        if self.kind == "drop":
            return f"{self.server} x- {m.src} {describe_message(m)} (dropped)"
        if self.kind == "duplicate":
            return f"{m.src} => {self.server} {describe_message(m)} (duplicated)"
        if self.kind == "timeout":
            return f"{self.server} election timeout"
        if self.kind == "heartbeat":
            return f"{self.server} heartbeat timeout"
        if self.kind == "request":
            return f"{self.server} client request {self.command!r}"
        return f"{self.server} {self.kind}"


def format_steps(steps: list[Step]) -> str:
    """Numbered lines, one per step."""
    return "\n".join(f"{k:3d}. {step}" for k, step in enumerate(steps, 1))
