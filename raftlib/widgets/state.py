"""The cluster's state as compact JSON data, which the browser draws (``static/cluster.js``).

The kernel sends data, never SVG: servers (role, term, vote, commit, timer deadline,
a window of the log), messages in flight (ends, kind, send and arrival times,
success flag), blocked links and the latest events. The browser places every
message along its link by virtual time, so it animates between kernel updates.
The size does not grow with the history: logs are sent as a window of the last
:data:`LOG_WINDOW` entries and events as the last :data:`RECENT` trace rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import describe
from ..core import LEADER
from ..errors import UnknownTermError
from ..i18n import text
from ..palette import MESSAGE_COLORS, NO_TERM, TERM_COLORS, message_kind

if TYPE_CHECKING:
    from ..cluster import Cluster

LOG_WINDOW = 14   # log entries sent (and drawn) per server: the last ones
RECENT = 6        # trace rows shown as "recent events"
_OK_FIELD = {"AppendEntriesReply": "success", "RequestVoteReply": "vote_granted"}


def _r(t: float) -> float:
    return round(t, 5)


def servers(c: "Cluster") -> list[dict[str, Any]]:
    """One dict per server. A crashed server has only its persistent state (term, vote, log)."""
    top = max(c[s].current_term for s in c.nodes)
    rows = []
    for sid in c.nodes:
        node, up = c[sid], c.up[sid]
        first = max(1, node.last_log_index - LOG_WINDOW + 1)
        row: dict[str, Any] = {
            "id": sid, "up": up, "role": node.role if up else "crashed",
            "term": node.current_term, "vote": node.voted_for,
            "last": node.last_log_index, "log0": first,
            "log": [node.log[i - 1].term for i in range(first, node.last_log_index + 1)],
            "cmds": [describe.command(node.log[i - 1].command)
                     for i in range(first, node.last_log_index + 1)],
        }
        if up:
            timer = c.timers.get((sid, "election"))
            row.update(commit=node.commit_index, applied=node.last_applied,
                       leader_id=node.leader_id, due=_r(timer[1]) if timer else None)
            if node.role != "follower":
                row["votes"] = sorted(node.votes_received)
            if node.role == LEADER:
                row["next"] = dict(node.next_index)
                row["match"] = dict(node.match_index)
                row["stale"] = node.current_term < top
        rows.append(row)
    return rows


def messages(c: "Cluster", lang: str = "en") -> list[list[Any]]:
    """``[id, src, dst, kind, sent_at, arrives_at, ok, term, detail]`` per message in flight
    (``ok`` is True/False for replies that carry a success or vote flag, else None)."""
    rows = []
    for m in c.in_flight():
        msg = m.message
        name = type(msg).__name__
        ok = getattr(msg, _OK_FIELD[name]) if name in _OK_FIELD else None
        rows.append([m.id, msg.src, msg.dst, message_kind(msg), _r(m.sent_at), _r(m.arrives_at),
                     ok, getattr(msg, "term", None), describe.message(msg, lang)])
    return rows


def _word(key: Any, lang: str) -> str:
    """``key`` in ``lang`` if it is a UI string or glossary term, else as it is."""
    if not isinstance(key, str):
        return str(key)
    try:
        return text(key, lang)
    except UnknownTermError:
        return key


def recent(c: "Cluster", lang: str) -> list[str]:
    """The last :data:`RECENT` events, one line each, with words in ``lang``."""
    lines = []
    for time, event, server, peer, mtype, term, _sent, detail in c.trace_tail(RECENT):
        if event in ("deliver", "drop", "duplicate"):
            lines.append(f"{time:.3f} {server} ← {peer} {mtype} t{term} · "
                         f"{_word('ev_' + event, lang)}")
            continue
        words = [f"{time:.3f}", server or "—", _word("ev_" + event, lang).removeprefix("ev_")]
        words += [_word(x, lang) for x in (peer, detail) if x is not None]
        lines.append(" ".join(words))
    return lines


def snapshot(c: "Cluster", lang: str) -> dict[str, Any]:
    """Everything the browser draws, for the present moment of ``c``."""
    network = c.network
    return {
        "t": _r(c.now), "seed": c.seed, "leader": c.leader(),
        "servers": servers(c), "msgs": messages(c, lang),
        "blocked": sorted([a, b] for a, b in network.blocked if a in c.up and b in c.up),
        "recent": recent(c, lang),
    }


def config(c: "Cluster") -> dict[str, Any]:
    """What does not change while the widget runs: server ids, timeouts."""
    return {"nodes": list(c.nodes), "eto": list(c.election_timeout),
            "hb": c.heartbeat_interval, "term_colors": list(TERM_COLORS), "no_term": NO_TERM,
            "message_colors": dict(MESSAGE_COLORS)}
