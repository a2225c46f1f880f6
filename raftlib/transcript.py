"""A compact text transcript of a run, one line per event, for reading and for tests.

Lines look like::

    0.1873 S3 timer election
    0.1873 S3 role candidate
    0.1941 S1 <- S3 RequestVote t1 (0)
    0.2010 S3 <- S1 RequestVoteReply t1 (True)
    0.2933 S2 x- S4 AppendEntries t2 (lost)
"""

from __future__ import annotations

from typing import Iterable


def format_row(row: tuple) -> str:
    time, event, server, peer, mtype, term, _sent_at, detail = row
    if event == "deliver":
        return f"{time:.4f} {server} <- {peer} {mtype} t{term} ({detail})"
    if event == "drop":
        return f"{time:.4f} {server} x- {peer} {mtype} t{term} ({detail})"
    if event == "duplicate":
        return f"{time:.4f} {peer} => {server} {mtype} t{term} (duplicated)"
    parts = [f"{time:.4f}", server or "--", event]
    if peer is not None:
        parts.append(peer)
    if detail is not None:
        parts.append(str(detail))
    return " ".join(parts)


def format_transcript(rows: Iterable[tuple], *, deliveries: bool = True,
                      dropped: int = 0) -> str:
    """Render trace rows; ``deliveries=False`` keeps only timers, roles, applies and faults.
    ``dropped`` (rows trimmed by a cluster's ``trace_limit``) is said in a first line."""
    lines = [format_row(r) for r in rows
             if deliveries or r[1] not in ("deliver", "drop", "duplicate")]
    if dropped:
        lines.insert(0, dropped_note(dropped))
    return "\n".join(lines)


def dropped_note(dropped: int) -> str:
    """The line that says older trace rows are missing."""
    return f"... {dropped} earlier trace rows dropped (trace_limit) ..."
