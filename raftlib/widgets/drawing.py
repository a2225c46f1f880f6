"""The cluster picture as an SVG string, drawn from the cluster's public state.

Servers sit on a ring: fill colour = current_term, outline = role (thick for a
leader, dashed for a candidate), an arc = how much of the election timer is
left, and under each server its vote. Messages in flight sit on the line from
sender to receiver where virtual time puts them, coloured by kind; messages
lost in the last ``drop_window`` seconds show as red crosses; blocked links
(partitions, cuts) as red dashed lines. Below, each server's log: one cell per
entry coloured by term, solid when committed, pale and dashed when not, with
the leader's next_index (▼) and match_index (green bar) for each follower.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from .. import describe
from ..core import CANDIDATE, FOLLOWER, LEADER
from ..i18n import text
from ..palette import CSS_FONTS, DROP_COLOR, MESSAGE_COLORS, message_kind, term_color

if TYPE_CHECKING:
    from ..cluster import Cluster

WIDTH = 700
RING_HEIGHT = 370
CENTER = (215.0, 182.0)
RADIUS = 128.0
NODE_R = 33.0
LOG_TOP = RING_HEIGHT + 8
ROW_H = 30
CELL_W = 24
LOG_LEFT = 92
LOG_COLUMNS = (WIDTH - LOG_LEFT - 8) // CELL_W
DROP_WINDOW = 0.02
_STROKE = {LEADER: ("#1a202c", 4.5, ""), CANDIDATE: ("#c05621", 3, "6 3"),
           FOLLOWER: ("#4a5568", 1.5, "")}
_KIND_KEYS = (("RequestVote", "request_vote"), ("RequestVoteReply", "vote_reply"),
              ("AppendEntries", "append_entries"), ("Heartbeat", "heartbeat"),
              ("AppendEntriesReply", "append_reply"))


def positions(c: "Cluster") -> dict[str, tuple[float, float]]:
    """Where each server sits on the ring (the first at the top, then clockwise)."""
    n = len(c.nodes)
    cx, cy = CENTER
    radius = RADIUS if n > 1 else 0.0
    return {s: (cx + radius * math.sin(2 * math.pi * i / n),
                cy - radius * math.cos(2 * math.pi * i / n)) for i, s in enumerate(c.nodes)}


def height(c: "Cluster") -> int:
    return LOG_TOP + 18 + ROW_H * len(c.nodes) + 16


def render(c: "Cluster", *, selected_server: str | None = None,
           selected_message: int | None = None, drop_window: float = DROP_WINDOW,
           flights: list | None = None) -> str:
    """The whole picture (ring, messages, logs, legend) as one ``<svg>`` element.

    ``flights`` is ``c.in_flight()`` if the caller already has it."""
    pos = positions(c)
    h = height(c)
    out = [f'<svg class="raft-picture" xmlns="http://www.w3.org/2000/svg" '
           f'viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" '
           f'style="font-family: {CSS_FONTS}; max-width: 100%; height: auto; '
           f'background: #ffffff">']
    _links(out, c, pos)
    for sid in c.nodes:
        _server(out, c, sid, pos[sid], sid == selected_server)
    _drops(out, c, pos, drop_window)
    _messages(out, c, pos, selected_message, c.in_flight() if flights is None else flights)
    _legend(out)
    _logs(out, c)
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------ the ring
def _unit(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy) or 1.0
    return dx / d, dy / d, d


def _along(a, b, frac: float, side: float = 5.0) -> tuple[float, float]:
    """A point ``frac`` of the way from just outside circle ``a`` to just outside ``b``,
    shifted ``side`` px to the right of the direction of travel (so a request and its
    reply on the same link do not overlap)."""
    ux, uy, d = _unit(a, b)
    gap = NODE_R + 9  # clear of the circle and its timer arc
    span = max(d - 2 * gap, 0.0)
    x = a[0] + ux * (gap + span * frac) - uy * side
    y = a[1] + uy * (gap + span * frac) + ux * side
    return x, y


def _links(out: list[str], c: "Cluster", pos) -> None:
    """A red dashed line per blocked link: centred if both directions are blocked, on the
    sender's side (with the cross near the receiver) for a one-way cut."""
    blocked = c.network.blocked
    ids = list(pos)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ab, ba = (a, b) in blocked, (b, a) in blocked
            if ab and ba:
                _blocked_line(out, pos[a], pos[b], 0.0, one_way=False)
            elif ab:
                _blocked_line(out, pos[a], pos[b], 5.0, one_way=True)
            elif ba:
                _blocked_line(out, pos[b], pos[a], 5.0, one_way=True)


def _blocked_line(out: list[str], a, b, side: float, one_way: bool) -> None:
    """A dashed line; a one-way cut also gets a cross near the receiver it cannot reach."""
    x1, y1 = _along(a, b, 0.0, side)
    x2, y2 = _along(a, b, 1.0, side)
    out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
               f'stroke="{DROP_COLOR}" stroke-width="1.6" stroke-dasharray="5 4" '
               f'opacity="0.5"/>')
    if one_way:
        mx, my = _along(a, b, 0.8, side)
        out.append(_cross(mx, my, 4.5, DROP_COLOR, 0.8, 2))


def _cross(x: float, y: float, r: float, color: str, opacity: float, width: float) -> str:
    return (f'<path d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x - r:.1f},'
            f'{y + r:.1f}L{x + r:.1f},{y - r:.1f}" stroke="{color}" stroke-width="{width}" '
            f'opacity="{opacity:.2f}" stroke-linecap="round"/>')


def _arc(x: float, y: float, r: float, frac: float) -> str:
    """A clockwise arc from 12 o'clock covering ``frac`` of the circle."""
    if frac >= 0.999:
        return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" stroke="#2d3748" '
                f'stroke-width="3"/>')
    angle = 2 * math.pi * frac
    ex, ey = x + r * math.sin(angle), y - r * math.cos(angle)
    large = 1 if frac > 0.5 else 0
    return (f'<path d="M{x:.1f},{y - r:.1f}A{r:.1f},{r:.1f} 0 {large} 1 {ex:.1f},{ey:.1f}" '
            f'fill="none" stroke="#2d3748" stroke-width="3" stroke-linecap="round"/>')


def _server(out: list[str], c: "Cluster", sid: str, xy, selected: bool) -> None:
    x, y = xy
    node = c[sid]
    up = c.up[sid]
    if selected:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R + 13}" fill="#fefcbf" '
                   f'stroke="#d69e2e" stroke-width="2"/>')
    if not up:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R}" fill="#f2f2f2" '
                   f'stroke="#a0aec0" stroke-width="2" stroke-dasharray="4 3"/>')
        out.append(_cross(x, y, NODE_R * 0.55, "#a0aec0", 0.9, 3))
        out.append(f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="15" '
                   f'font-weight="bold" fill="#4a5568">{sid}</text>')
        out.append(f'<text x="{x:.1f}" y="{y + NODE_R + 17:.1f}" text-anchor="middle" '
                   f'font-size="12" fill="{DROP_COLOR}">{escape(text("crashed"))}</text>')
        return
    stroke, width, dash = _STROKE[node.role]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R}" '
               f'fill="{term_color(node.current_term)}" stroke="{stroke}" '
               f'stroke-width="{width}"{dash_attr}/>')
    timer = c.timers.get((sid, "election"))
    if timer and node.role != LEADER:
        set_at, due = timer
        frac = (due - c.now) / (due - set_at) if due > set_at else 0.0
        out.append(_arc(x, y, NODE_R + 6, min(max(frac, 0.0), 1.0)))
    out.append(f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="16" '
               f'font-weight="bold" fill="#1a202c">{sid}</text>')
    out.append(f'<text x="{x:.1f}" y="{y + 14:.1f}" text-anchor="middle" font-size="11.5" '
               f'fill="#1a202c">{escape(text("term"))} {node.current_term}</text>')
    if node.role == LEADER:
        below = "★ " + text("leader")
    elif node.role == CANDIDATE:
        below = text("votes", n=len(node.votes_received), need=node.majority())
    elif node.voted_for is not None:
        below = text("voted", s=node.voted_for)
    else:
        below = ""
    if below:
        weight = ' font-weight="bold"' if node.role == LEADER else ""
        out.append(f'<text x="{x:.1f}" y="{y + NODE_R + 19:.1f}" text-anchor="middle" '
                   f'font-size="12"{weight} fill="#2d3748">{escape(below)}</text>')
    groups = c.network.groups
    for i, group in enumerate(groups):
        if sid in group:
            gx, gy = x + NODE_R * 0.8, y - NODE_R * 0.8
            out.append(f'<circle cx="{gx:.1f}" cy="{gy:.1f}" r="9" fill="#2d3748"/>'
                       f'<text x="{gx:.1f}" y="{gy + 4:.1f}" text-anchor="middle" '
                       f'font-size="11" font-weight="bold" fill="#fff">{chr(65 + i)}</text>')


# --------------------------------------------------------------- messages
def _messages(out: list[str], c: "Cluster", pos, selected: int | None, flights: list) -> None:
    now = c.now
    for m in flights:
        msg = m.message
        if msg.src not in pos or msg.dst not in pos:
            continue  # client traffic is not drawn
        span = m.arrives_at - m.sent_at
        frac = (now - m.sent_at) / span if span > 0 else 1.0
        x, y = _along(pos[msg.src], pos[msg.dst], min(max(frac, 0.0), 1.0))
        kind = message_kind(msg)
        color = MESSAGE_COLORS[kind]
        refused = getattr(msg, "vote_granted", True) is False or getattr(
            msg, "success", True) is False
        edge = f'stroke="{DROP_COLOR}" stroke-width="2.2"' if refused else \
            'stroke="#ffffff" stroke-width="1"'
        title = f"<title>#{m.id} {msg.src}→{msg.dst} {type(msg).__name__} " \
                f"{escape(describe.message(msg))}</title>"
        if selected == m.id:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="12" fill="none" stroke="#1a202c" '
                       f'stroke-width="2.5"/>')
        if kind == "AppendEntries":
            out.append(f'<g>{title}<rect x="{x - 8:.1f}" y="{y - 6.5:.1f}" width="16" height="13" '
                       f'rx="3" fill="{color}" {edge}/><text x="{x:.1f}" y="{y + 3.5:.1f}" '
                       f'text-anchor="middle" font-size="9.5" font-weight="bold" '
                       f'fill="#fff">{len(msg.entries)}</text></g>')
        else:
            r = 4.5 if kind == "Heartbeat" else 6.5
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{color}" {edge}>'
                       f'{title}</circle>')


def _drops(out: list[str], c: "Cluster", pos, window: float) -> None:
    """Red crosses for messages lost in the last ``window`` virtual seconds, fading out."""
    rows = c.trace_rows()
    now = c.now
    for i in range(len(rows) - 1, -1, -1):
        time, event, server, peer, _type, _term, sent_at, reason = rows[i]
        if time < now - window:
            break
        if event != "drop" or server not in pos or peer not in pos:
            continue
        if reason in ("lost", "dropped by hand") or time <= (sent_at or time):
            frac = 0.5
        else:
            frac = 0.88  # it reached a crashed or cut-off receiver
        x, y = _along(pos[peer], pos[server], frac)
        fade = 1.0 - (now - time) / window if window > 0 else 1.0
        out.append(_cross(x, y, 6, DROP_COLOR, 0.25 + 0.75 * fade, 3))


def _legend(out: list[str]) -> None:
    x, y = 452, 26
    out.append(f'<text x="{x}" y="{y}" font-size="12.5" font-weight="bold" '
               f'fill="#2d3748">{escape(text("messages"))}</text>')
    for kind, key in _KIND_KEYS:
        y += 21
        color = MESSAGE_COLORS[kind]
        if kind == "AppendEntries":
            out.append(f'<rect x="{x}" y="{y - 10}" width="16" height="13" rx="3" '
                       f'fill="{color}"/><text x="{x + 8}" y="{y}" text-anchor="middle" '
                       f'font-size="9.5" font-weight="bold" fill="#fff">2</text>')
        else:
            r = 4.5 if kind == "Heartbeat" else 6.5
            out.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="{r}" fill="{color}"/>')
        out.append(f'<text x="{x + 24}" y="{y}" font-size="12" fill="#2d3748">'
                   f'{escape(text(key))}</text>')
    y += 21
    reply = MESSAGE_COLORS["AppendEntriesReply"]
    out.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="6.5" fill="{reply}" '
               f'stroke="{DROP_COLOR}" stroke-width="2.2"/><text x="{x + 24}" y="{y}" '
               f'font-size="12" fill="#2d3748">{escape(text("refused"))}</text>')
    y += 21
    out.append(_cross(x + 8, y - 4, 6, DROP_COLOR, 1.0, 3))
    out.append(f'<text x="{x + 24}" y="{y}" font-size="12" fill="#2d3748">'
               f'{escape(text("dropped"))}</text>')
    y += 21
    out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 16}" y2="{y - 4}" stroke="{DROP_COLOR}" '
               f'stroke-width="1.6" stroke-dasharray="5 4"/><text x="{x + 24}" y="{y}" '
               f'font-size="12" fill="#2d3748">{escape(text("blocked"))}</text>')
    y += 21
    out.append(_arc(x + 8, y - 4, 7, 0.7))
    out.append(f'<text x="{x + 24}" y="{y}" font-size="12" fill="#2d3748">'
               f'{escape(text("timer_arc"))}</text>')
    y += 30
    out.append(f'<text x="{x}" y="{y}" font-size="12.5" font-weight="bold" '
               f'fill="#2d3748">{escape(text("log"))}</text>')
    y += 21
    out.append(f'<rect x="{x}" y="{y - 12}" width="18" height="16" rx="2" '
               f'fill="{term_color(2)}" stroke="#2d3748"/><text x="{x + 24}" y="{y}" '
               f'font-size="12" fill="#2d3748">{escape(text("committed_entry"))}</text>')
    y += 21
    out.append(f'<rect x="{x}" y="{y - 12}" width="18" height="16" rx="2" '
               f'fill="{term_color(2)}" fill-opacity="0.25" stroke="{term_color(2)}" '
               f'stroke-width="1.5" stroke-dasharray="3 2"/><text x="{x + 24}" y="{y}" '
               f'font-size="12" fill="#2d3748">{escape(text("uncommitted_entry"))}</text>')
    y += 21
    out.append(f'<path d="M{x + 3},{y - 10}L{x + 15},{y - 10}L{x + 9},{y - 2}Z" '
               f'fill="#1a202c"/><text x="{x + 24}" y="{y}" font-size="12" '
               f'fill="#2d3748">{escape(text("next_marker"))}</text>')
    y += 21
    out.append(f'<rect x="{x}" y="{y - 6}" width="18" height="3.5" fill="#2f855a"/>'
               f'<text x="{x + 24}" y="{y}" font-size="12" fill="#2d3748">'
               f'{escape(text("match_marker"))}</text>')


# -------------------------------------------------------------------- logs
def _logs(out: list[str], c: "Cluster") -> None:
    longest = max((c[s].last_log_index for s in c.nodes), default=0)
    first = max(1, longest + 2 - LOG_COLUMNS)  # keep room for next_index = length + 1
    top = LOG_TOP
    out.append(f'<line x1="8" y1="{top - 4}" x2="{WIDTH - 8}" y2="{top - 4}" stroke="#e2e8f0"/>')
    out.append(f'<text x="10" y="{top + 12}" font-size="12" font-weight="bold" '
               f'fill="#2d3748">{escape(text("log_index"))}</text>')
    for col in range(LOG_COLUMNS):
        index = first + col
        if index == 1 or index % 5 == 0:
            out.append(f'<text x="{LOG_LEFT + col * CELL_W + CELL_W / 2 - 1:.1f}" y="{top + 12}" '
                       f'text-anchor="middle" font-size="10" fill="#718096">{index}</text>')
    if first > 1:
        y = top + 16 + ROW_H * len(c.nodes) + 10
        out.append(f'<text x="{LOG_LEFT}" y="{y}" font-size="10.5" '
                   f'fill="#718096">{escape(text("earlier", n=first - 1))}</text>')
    leader = c.leader()
    lead = c[leader] if leader else None
    for row, sid in enumerate(c.nodes):
        node = c[sid]
        y = top + 16 + row * ROW_H
        opacity = "" if c.up[sid] else ' opacity="0.45"'
        out.append(f'<g{opacity}>')
        role_color = _STROKE[node.role][0] if c.up[sid] else "#a0aec0"
        out.append(f'<circle cx="16" cy="{y + 15}" r="5" fill="{role_color}"/>'
                   f'<text x="26" y="{y + 19.5}" font-size="13" font-weight="bold" '
                   f'fill="#1a202c">{sid}</text>')
        for index in range(first, node.last_log_index + 1):
            term = node.log[index - 1].term
            x = LOG_LEFT + (index - first) * CELL_W
            color = term_color(term)
            if index <= node.commit_index:
                out.append(f'<rect x="{x}" y="{y + 6}" width="{CELL_W - 3}" height="18" '
                           f'rx="2" fill="{color}" stroke="#2d3748" stroke-width="1"/>')
            else:
                out.append(f'<rect x="{x + 0.75}" y="{y + 6.75}" width="{CELL_W - 4.5}" '
                           f'height="16.5" rx="2" fill="{color}" fill-opacity="0.25" '
                           f'stroke="{color}" stroke-width="1.5" stroke-dasharray="3 2"/>')
            out.append(f'<text x="{x + (CELL_W - 3) / 2:.1f}" y="{y + 19}" text-anchor="middle" '
                       f'font-size="11" fill="#1a202c">{term}</text>')
        out.append("</g>")
        if lead is not None and sid in lead.match_index:
            _markers(out, lead.next_index[sid], lead.match_index[sid], first, y)


def _markers(out: list[str], next_index: int, match_index: int, first: int, y: float) -> None:
    last = first + LOG_COLUMNS - 1
    if match_index >= first:
        width = (min(match_index, last) - first + 1) * CELL_W - 3
        out.append(f'<rect x="{LOG_LEFT}" y="{y + 25}" width="{width}" height="3.5" '
                   f'fill="#2f855a"/>')
    col = min(max(next_index, first), last) - first
    x = LOG_LEFT + col * CELL_W + (CELL_W - 3) / 2
    out.append(f'<path d="M{x - 5:.1f},{y - 1}L{x + 5:.1f},{y - 1}L{x:.1f},{y + 6}Z" '
               f'fill="#1a202c"><title>next_index {next_index}</title></path>')
