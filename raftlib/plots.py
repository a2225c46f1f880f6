"""Pictures of a run with matplotlib: each function returns a ``Figure``.

- :func:`spacetime`: a space-time (Lamport) diagram: one line per server, one arrow
  per message, coloured by type; lost messages end in a red cross; the lines are
  shaded by role.
- :func:`timeline`: each server's role and term over time.
- :func:`log_matrix`: every server's log now, entries coloured by term, committed
  entries solid and uncommitted ones hatched.
- :func:`distribution`: histograms of measurements from experiments (election time, ...).

    >>> import raftlib as rl
    >>> c = rl.Cluster(5, seed=1); c.run(0.5)
    >>> fig = rl.plots.spacetime(c)

Labels follow :func:`raftlib.set_language`. Figures are not registered with pyplot,
so a notebook shows each one once, as the cell's value.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from . import i18n, tables
from .errors import ConfigError
from .palette import CJK_FILES, CJK_FONTS, DROP_COLOR, MESSAGE_COLORS, ROLE_COLORS, term_color

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .cluster import Cluster

DEFAULT_WINDOW = 1.0  # seconds shown by spacetime/timeline when no start is given
_KIND_ORDER = ("RequestVote", "RequestVoteReply", "AppendEntries", "Heartbeat",
               "AppendEntriesReply", "Client")


@functools.lru_cache(maxsize=None)
def _families() -> tuple[str, ...]:
    """DejaVu Sans for Latin text, then the first installed CJK font (if any) as fallback.

    Matplotlib caches the list of system fonts; a CJK font installed after that cache
    was made is added here from its file."""
    manager = font_manager.fontManager
    installed = {f.name for f in manager.ttflist}
    if not installed.intersection(CJK_FONTS):
        for path in font_manager.findSystemFonts():
            if any(part in Path(path).name for part in CJK_FILES):
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # an unreadable font file: Chinese labels fall back to boxes
        installed = {f.name for f in manager.ttflist}
    cjk = next((name for name in CJK_FONTS if name in installed), None)
    return ("DejaVu Sans",) + ((cjk,) if cjk else ())


def _style():
    return rc_context({"font.family": list(_families()), "axes.spines.top": False,
                       "axes.spines.right": False, "axes.titleweight": "bold",
                       "axes.titlesize": 12, "font.size": 10})


class PlotFigure(Figure):
    """A Figure that shows itself as a PNG when it is a notebook cell's value,
    whether or not pyplot or ``%matplotlib inline`` was ever loaded."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def _figure(ax: "Axes | None", size: tuple[float, float]) -> tuple[Figure, "Axes"]:
    if ax is not None:
        return ax.figure, ax
    fig = PlotFigure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _window(c: "Cluster", start: float | None, end: float | None) -> tuple[float, float]:
    end = c.now if end is None else float(end)
    start = max(0.0, end - DEFAULT_WINDOW) if start is None else float(start)
    if not 0 <= start < end:
        raise ConfigError(f"need 0 <= start < end (virtual seconds), got start={start}, end={end}")
    return start, end


def _server_axis(ax: "Axes", servers: Sequence[str]) -> dict[str, int]:
    rows = {s: i for i, s in enumerate(servers)}
    ax.set_yticks(range(len(servers)), servers)
    ax.set_ylim(len(servers) - 0.5, -0.5)  # S1 on top
    ax.tick_params(axis="y", length=0)
    return rows


def _role_bands(ax: "Axes", c: "Cluster", rows: Mapping[str, int], start: float, end: float,
                height: float, labels: bool) -> None:
    """Shade each server's row by role over time and write the term of each interval."""
    df = tables.roles(c)
    df = df[(df["end"] >= start) & (df["start"] <= end) & df["server"].isin(list(rows))]
    span = end - start
    for s, a, b, role, term in df.itertuples(index=False):
        a, b = max(a, start), min(b, end)
        y = rows[s]
        ax.add_patch(Rectangle((a, y - height / 2), b - a, height, facecolor=ROLE_COLORS[role],
                               edgecolor="none", hatch="//" if role == "crashed" else None,
                               alpha=0.55 if labels else 0.35, zorder=0))
        ax.add_patch(Rectangle((a, y + height / 2 - height * 0.14), b - a, height * 0.14,
                               facecolor=term_color(term), edgecolor="none", zorder=0.5))
        if labels and b - a > span * 0.045 and role != "crashed":
            ax.text(a + span * 0.004, y, f"{i18n.text('term')} {term}" if b - a > span * 0.1
                    else str(term), va="center", ha="left", fontsize=8, color="#333", zorder=1)


def _role_legend(lang_roles: Iterable[str]) -> list:
    """Legend entries drawn as the bands are (crashed hatched), then the term strip's."""
    handles = [Patch(facecolor=ROLE_COLORS[r], edgecolor="#999", label=i18n.text(r), alpha=0.55,
                     hatch="//" if r == "crashed" else None) for r in lang_roles]
    handles.append(Patch(facecolor=term_color(2), edgecolor="none", label=i18n.text("term_strip")))
    return handles


def spacetime(c: "Cluster", start: float | None = None, end: float | None = None, *,
              kinds: Iterable[str] | None = None, servers: Iterable[str] | None = None,
              ax: "Axes | None" = None) -> Figure:
    """A space-time (Lamport) diagram of the run from ``start`` to ``end`` (default: the
    last second up to now): time runs left to right, one row per server.

    Each delivered message is an arrow from (sent_at, sender) to (delivery, receiver),
    coloured by kind (see :data:`raftlib.palette.MESSAGE_COLORS`; ``kinds`` keeps only
    some, e.g. ``{"RequestVote", "RequestVoteReply"}``). A lost message ends in a red
    cross (a lost AppendEntries takes the AppendEntries colour: the trace does not say
    whether it carried entries). Rows are shaded by role, with the term written in each
    stretch.
    """
    start, end = _window(c, start, end)
    ids = [s for s in (c.nodes if servers is None else servers)]
    for s in ids:
        c[s]  # unknown ids raise UnknownServerError
    keep = set(_KIND_ORDER if kinds is None else kinds)
    unknown = keep - set(_KIND_ORDER)
    if unknown:
        raise ConfigError(f"unknown message kinds {sorted(unknown)}; use {', '.join(_KIND_ORDER)}")
    latency = sum(c.network.latency) / 2
    with _style():
        fig, ax = _figure(ax, (10, 1.1 + 0.55 * len(ids)))
        rows = _server_axis(ax, ids)
        _role_bands(ax, c, rows, start, end, 0.5, labels=True)
        used: set[str] = set()
        for time, event, server, peer, mtype, _term, sent_at, detail in c.trace_rows():
            if event not in ("deliver", "drop") or sent_at is None or time < start:
                continue
            if sent_at > end:
                break
            if server not in rows or peer not in rows:
                continue
            kind = _kind(mtype, detail if event == "deliver" else None)
            if kind not in keep and not (kind == "AppendEntries" and "Heartbeat" in keep):
                continue
            used.add(kind)
            y0, y1 = rows[peer], rows[server]
            if event == "deliver":
                ax.add_patch(FancyArrowPatch((sent_at, y0), (time, y1), arrowstyle="-|>",
                                             color=MESSAGE_COLORS[kind], lw=1.1, shrinkA=0,
                                             shrinkB=0, mutation_scale=8, zorder=3))
                continue
            if time <= sent_at:  # lost on the way: show it dying half way
                time, y1 = sent_at + latency / 2, (y0 + y1) / 2
            ax.plot([sent_at, time], [y0, y1], color=MESSAGE_COLORS[kind], lw=1.1, ls="--",
                    zorder=3)
            ax.plot([time], [y1], marker="x", color=DROP_COLOR, ms=7, mew=2, zorder=4)
            used.add("dropped")
        ax.set_xlim(start, end)
        ax.set_xlabel(i18n.text("virtual_time"))
        ax.set_title(i18n.text("spacetime_title"))
        ax.grid(axis="x", color="#eee", zorder=-1)
        handles = [Line2D([], [], color=MESSAGE_COLORS[k], lw=2, label=_kind_label(k))
                   for k in _KIND_ORDER if k in used]
        if "dropped" in used:
            handles.append(Line2D([], [], color=DROP_COLOR, marker="x", lw=0, mew=2,
                                  label=i18n.text("dropped")))
        handles += _role_legend(("candidate", "leader", "crashed"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=8)
    return fig


def _kind(mtype: str, entries: Any) -> str:
    """The colour group of a traced message; ``entries`` is the number it carried, if known."""
    if mtype == "AppendEntries" and entries == 0:
        return "Heartbeat"
    return mtype if mtype in MESSAGE_COLORS else "Client"


def _kind_label(kind: str) -> str:
    keys = {"RequestVote": "request_vote", "RequestVoteReply": "vote_reply",
            "AppendEntries": "append_entries", "Heartbeat": "heartbeat",
            "AppendEntriesReply": "append_reply", "Client": "client_msg"}
    return i18n.text(keys[kind])


def timeline(c: "Cluster", start: float | None = None, end: float | None = None, *,
             ax: "Axes | None" = None) -> Figure:
    """Each server's role (colour) and current_term (number, and the colour of the thin
    strip) from ``start`` to ``end`` (default: the whole run); crashed stretches hatched."""
    start, end = _window(c, 0.0 if start is None else start, end)
    with _style():
        fig, ax = _figure(ax, (10, 1.0 + 0.5 * len(c.nodes)))
        rows = _server_axis(ax, c.nodes)
        _role_bands(ax, c, rows, start, end, 0.7, labels=True)
        ax.set_xlim(start, end)
        ax.set_xlabel(i18n.text("virtual_time"))
        ax.set_title(i18n.text("timeline_title"))
        ax.legend(handles=_role_legend(("follower", "candidate", "leader", "crashed")),
                  loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return fig


def log_matrix(c: "Cluster", *, last: int = 30, ax: "Axes | None" = None) -> Figure:
    """Every server's log now: one row per server, one column per index (the ``last``
    indices at most), coloured by term with the term written in. Committed entries
    (index <= that server's commit_index) are solid; uncommitted ones pale and hatched."""
    if not isinstance(last, int) or last < 1:
        raise ConfigError(f"last must be an int >= 1, got {last!r}")
    longest = max((c[s].last_log_index for s in c.nodes), default=0)
    first = max(1, longest - last + 1)
    width = max(1, longest - first + 1)
    with _style():
        fig, ax = _figure(ax, (min(12, 3.5 + 0.38 * width), 1.2 + 0.45 * len(c.nodes)))
        rows = _server_axis(ax, c.nodes)
        for s in c.nodes:
            n = c[s]
            for i in range(first, n.last_log_index + 1):
                term = n.log[i - 1].term
                done = i <= n.commit_index
                ax.add_patch(Rectangle((i - 0.45, rows[s] - 0.4), 0.9, 0.8,
                                       facecolor=term_color(term), alpha=1.0 if done else 0.35,
                                       edgecolor="#333" if done else term_color(term),
                                       hatch=None if done else "///", lw=1.0,
                                       ls="-" if done else "--"))
                ax.text(i, rows[s], str(term), ha="center", va="center", fontsize=8,
                        color="#111" if done else "#555")
            if not c.up[s]:
                ax.text(max(first, n.last_log_index + 1) - 0.4, rows[s],
                        "✕ " + i18n.text("crashed"), ha="left", va="center", color=DROP_COLOR, fontsize=9)
        ax.set_xlim(first - 0.6, first + max(width, 4) - 0.4)
        ax.set_xticks(range(first, first + width) if longest else [])
        ax.tick_params(axis="x", labelsize=8 if width <= 30 else 6)
        ax.set_xlabel(i18n.text("log_index"))
        ax.spines[["left", "bottom"]].set_visible(False)
        ax.set_title(i18n.text("log_matrix_title", t=f"{c.now:.3f}"))
        ax.legend(handles=[
            Patch(facecolor=term_color(1), edgecolor="#333", label=i18n.text("committed_entry")),
            Patch(facecolor=term_color(1), alpha=0.35, hatch="///", edgecolor=term_color(1),
                  label=i18n.text("uncommitted_entry"))],
            loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return fig


def distribution(data: Any, *, xlabel: str | None = None, title: str | None = None,
                 bins: int | str = "auto", ax: "Axes | None" = None) -> Figure:
    """Histograms of one or more samples with their medians marked.

    ``data`` is a sequence of numbers, a pandas Series, a mapping ``{label: numbers}``
    or a DataFrame (one sample per column); NaN values (e.g. runs with no leader)
    are left out and counted in the legend.
    """
    import numpy as np

    samples = _samples(data)
    with _style():
        fig, ax = _figure(ax, (7, 3.8))
        finite = [v[np.isfinite(v)] for v in samples.values()]
        everything = np.concatenate(finite) if finite else np.array([])
        if everything.size == 0:
            raise ConfigError("distribution() needs at least one finite number")
        edges = np.histogram_bin_edges(everything, bins=bins)
        colors = [term_color(i + 1) for i in range(len(samples))]
        for (label, values), color in zip(samples.items(), colors):
            ok = values[np.isfinite(values)]
            missing = values.size - ok.size
            median = float(np.median(ok)) if ok.size else float("nan")
            name = f"{label}  (n={ok.size}{f', {missing} NaN' if missing else ''}, " \
                   f"{i18n.text('median')} {median:.3g})"
            ax.hist(ok, bins=edges, color=color, alpha=0.55 if len(samples) > 1 else 0.85,
                    edgecolor="white", label=name)
            if ok.size:
                ax.axvline(median, color=color, lw=2, ls="--")
        ax.set_xlabel(xlabel or "")
        ax.set_ylabel(i18n.text("count"))
        ax.set_title(title or i18n.text("distribution_title"))
        ax.legend(frameon=False, fontsize=8)
    return fig


def _samples(data: Any) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        items = {str(k): data[k] for k in data.columns}
    elif isinstance(data, Mapping):
        items = {str(k): v for k, v in data.items()}
    elif isinstance(data, pd.Series):
        items = {str(data.name) if data.name is not None else "": data}
    else:
        items = {"": data}
    out = {}
    for label, values in items.items():
        try:
            out[label] = np.asarray(list(values), dtype=float)
        except (TypeError, ValueError):
            raise ConfigError(f"distribution() needs numbers; sample {label!r} has "
                              f"{list(values)[:3]!r}...") from None
    if not out:
        raise ConfigError("distribution() needs at least one sample")
    return out
