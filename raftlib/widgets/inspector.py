"""HTML panels beside the picture: the state of one server, one message, the latest events."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from .. import describe
from ..core import LEADER
from ..i18n import get_language, text
from ..palette import MESSAGE_COLORS, message_kind, term_color
from ..transcript import format_row

if TYPE_CHECKING:
    from ..cluster import Cluster
    from ..sim import InFlight

_CSS = ("<style>.raft-inspector table{border-collapse:collapse;font-size:12.5px;margin:2px 0 8px}"
        ".raft-inspector td,.raft-inspector th{padding:1px 8px 1px 0;text-align:left;"
        "vertical-align:top}.raft-inspector th{color:#4a5568;font-weight:600}"
        ".raft-inspector code{font-size:11.5px;color:#2c5282;background:none}"
        ".raft-inspector h4{margin:6px 0 2px;font-size:13.5px}"
        ".raft-recent{font:11.5px/1.35 'DejaVu Sans Mono',monospace;white-space:pre;"
        "color:#2d3748;margin:0}</style>")


def _field(name: str, key: str | None = None) -> str:
    """A Figure 2 field name, with its glossary term when labels are Chinese."""
    code = f"<code>{escape(name)}</code>"
    if get_language() == "zh" and key is not None:
        return f"{escape(text(key))} {code}"
    return code


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in pairs) + "</table>"


def _swatch(term: int) -> str:
    return (f'<span style="display:inline-block;width:10px;height:10px;border-radius:2px;'
            f'background:{term_color(term)};margin-right:4px;vertical-align:middle"></span>')


def server_panel(c: "Cluster", sid: str) -> str:
    """current_term, voted_for, commit_index, last_applied, the election timer, the last
    entries, the key-value state and (for a leader) next_index/match_index per peer."""
    node = c[sid]
    up = c.up[sid]
    role = text(node.role) if up else text("crashed")
    pairs = [
        (text("role"), f"<b>{escape(role)}</b>"),
        (_field("current_term", "current_term"),
         f"{_swatch(node.current_term)}{node.current_term}"),
        (_field("voted_for", "voted_for"), escape(str(node.voted_for))),
        (_field("commit_index", "commit_index"), node.commit_index),
        (_field("last_applied", "last_applied"), node.last_applied),
        (text("last_log"), f"{node.last_log_index} / {node.last_log_term}"),
        (_field("leader_id"), escape(str(node.leader_id))),
    ]
    timer = c.timers.get((sid, "election"))
    if up and timer:
        pairs.append((text("timer_due"), f"{(timer[1] - c.now) * 1000:.0f} ms"))
    if node.role != "follower":
        pairs.append((text("votes_received"), escape(", ".join(sorted(node.votes_received)))))
    html = [f"<h4>{escape(text('server'))} {sid}</h4>", _rows(pairs)]
    if node.role == LEADER:
        head = (f"<tr><th>{escape(text('peer'))}</th><th>{_field('next_index', 'next_index')}</th>"
                f"<th>{_field('match_index', 'match_index')}</th></tr>")
        body = "".join(f"<tr><td>{p}</td><td>{node.next_index[p]}</td>"
                       f"<td>{node.match_index[p]}</td></tr>" for p in node.peers)
        html.append(f"<table>{head}{body}</table>")
    else:
        html.append(f"<div style='color:#718096;font-size:11.5px'>"
                    f"{escape(text('only_leaders'))}</div>")
    if node.log:
        first = max(1, node.last_log_index - 4)
        entries = "".join(
            f"<tr><td>{i}</td><td>{_swatch(e.term)}{e.term}</td>"
            f"<td>{escape(describe.command(e.command))}</td>"
            f"<td>{'✓' if i <= node.commit_index else ''}</td></tr>"
            for i, e in enumerate(node.log[first - 1:], start=first))
        html.append(f"<h4>{escape(text('last_entries'))}</h4><table>{entries}</table>")
    data = c.kv[sid].data
    if data:
        shown = ", ".join(f"{escape(str(k))}={escape(repr(v))}" for k, v in list(data.items())[:6])
        html.append(f"<h4>{escape(text('kv_state'))}</h4><div style='font-size:12px'>{shown}</div>")
    return "".join(html)


def message_panel(m: "InFlight") -> str:
    """Every field of one message in flight, plus when it left and when it lands."""
    msg = m.message
    kind = message_kind(msg)
    color = MESSAGE_COLORS[kind]
    pairs = [(text("id"), f"#{m.id}"),
             (text("type"), f'<b style="color:{color}">{type(msg).__name__}</b>'),
             (text("from_to"), f"{msg.src} → {msg.dst}"),
             (text("sent_at"), f"{m.sent_at:.4f} s"), (text("arrives_at"), f"{m.arrives_at:.4f} s")]
    for name, value in msg._asdict().items():
        if name in ("src", "dst"):
            continue
        if name == "entries":
            value = ", ".join(f"t{e.term} {describe.command(e.command)}" for e in value[:6]) + (
                " …" if len(value) > 6 else "") or "()"
        pairs.append((_field(name, name if name in ("term",) else None), escape(str(value))))
    return f"<h4>{escape(text('message'))}</h4>" + _rows(pairs)


def recent_panel(c: "Cluster", count: int = 8) -> str:
    """The last ``count`` events of the trace, one line each (raftlib.transcript format)."""
    rows = c.trace_rows()[-count:]
    lines = "\n".join(escape(format_row(r)) for r in rows) or "—"
    return f"<h4>{escape(text('recent'))}</h4><pre class='raft-recent'>{lines}</pre>"


def panel(c: "Cluster", sid: str | None, m: "InFlight | None") -> str:
    """The whole inspector: server, then message, then recent events."""
    parts = [_CSS, "<div class='raft-inspector'>"]
    if sid is not None:
        parts.append(server_panel(c, sid))
    if m is not None:
        parts.append(message_panel(m))
    parts.append(recent_panel(c))
    parts.append("</div>")
    return "".join(parts)
