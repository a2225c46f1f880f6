"""Colours and fonts shared by the widget (SVG) and the plots (matplotlib), so both agree.

Terms get colours from a fixed cycle (term 0, before any election, is grey);
message types get one colour each; roles get one colour each. Only the
standard library is imported here.
"""

from __future__ import annotations

from typing import Any

#: Colour of each term, cycling: ``term_color(t)`` for t >= 1 (ColorBrewer Set2 + Set3 blue).
TERM_COLORS = ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494",
               "#80b1d3")
NO_TERM = "#d9d9d9"

#: Colour of each kind of message (see :func:`message_kind`).
MESSAGE_COLORS = {
    "RequestVote": "#e6550d",
    "RequestVoteReply": "#fdae6b",
    "AppendEntries": "#08519c",
    "Heartbeat": "#6baed6",
    "AppendEntriesReply": "#31a354",
    "Client": "#969696",
}
DROP_COLOR = "#d62728"

#: Colour of each role (timelines) and of a crashed server.
ROLE_COLORS = {"follower": "#c7d7e8", "candidate": "#fdae6b", "leader": "#2b6cb0",
               "crashed": "#bdbdbd"}

#: CSS font stack: Latin first, then CJK fonts for the Chinese labels.
CSS_FONTS = ("'DejaVu Sans', 'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'Noto Sans SC', "
             "'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', "
             "sans-serif")
#: Matplotlib families able to draw Chinese, the first one installed is used.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", "SimHei", "Droid Sans Fallback")
#: File names of those fonts (Debian's fonts-noto-cjk, fonts-wqy-*, ...).
CJK_FILES = ("NotoSansCJK", "NotoSansSC", "SourceHanSans", "wqy-", "DroidSansFallback")


def term_color(term: int | None) -> str:
    """The colour of ``term`` (grey for term 0 or unknown)."""
    if not term or term < 1:
        return NO_TERM
    return TERM_COLORS[(term - 1) % len(TERM_COLORS)]


def message_kind(msg: Any) -> str:
    """Which colour group a message belongs to: an AppendEntries without entries is a
    "Heartbeat"; a PreVote and its reply look like the votes they precede; client
    requests and replies are "Client"."""
    name = type(msg).__name__
    if name.startswith("PreVote"):
        name = name.replace("PreVote", "RequestVote")
    if name == "AppendEntries" and not msg.entries:
        return "Heartbeat"
    if name in MESSAGE_COLORS:
        return name
    return "Client"
