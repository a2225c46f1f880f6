"""The matplotlib plots: each returns a Figure that draws what the run contains."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

import raftlib as rl
from raftlib import plots, scenarios
from raftlib.palette import CJK_FONTS, term_color


@pytest.fixture(autouse=True)
def english():
    rl.set_language("en")
    yield
    rl.set_language("en")


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def png(fig: Figure, name: str | None = None) -> bytes:
    """Render ``fig``; with ``name``, also keep it as test-artifacts/<name>.png to look at."""
    out = io.BytesIO()
    fig.savefig(out, format="png")
    if name:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{name}.png").write_bytes(out.getvalue())
    return out.getvalue()


def started() -> rl.Cluster:
    c = rl.Cluster(5, seed=1)
    c.run(0.6)
    return c


def test_spacetime_draws_one_arrow_per_delivered_message_in_the_window():
    c = started()
    fig = plots.spacetime(c, 0.1, 0.4)
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    delivered = [r for r in c.trace_rows() if r[1] == "deliver" and 0.1 <= r[0]
                 and r[6] <= 0.4]
    assert len(arrows) == len(delivered) > 0
    assert ax.get_xlim() == (0.1, 0.4)
    assert [t.get_text() for t in ax.get_yticklabels()] == c.nodes
    assert ax.get_title() == "Space-time diagram"
    assert png(fig, "plot_spacetime")[:4] == b"\x89PNG"


def test_spacetime_kinds_filter_and_dropped_messages():
    c = started()
    c.network.request_loss = 0.5
    c.run(0.3)
    fig = plots.spacetime(c, kinds={"Heartbeat"})
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    beats = [r for r in c.trace_rows() if r[1] == "deliver" and r[4] == "AppendEntries"
             and r[7] == 0 and r[0] >= c.now - 1.0]
    assert len(arrows) == len(beats)
    crosses = [ln for ln in ax.lines if ln.get_marker() == "x"]
    assert crosses  # lost heartbeats end in a red cross
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "heartbeat" in labels and "dropped" in labels and "RequestVote RPC" not in labels
    only_votes = plots.spacetime(c, kinds={"RequestVote"}).axes[0]
    lost_votes = [r for r in c.trace_rows() if r[1] == "drop" and r[4] == "RequestVote"
                  and r[0] >= c.now - 1.0]
    assert len([ln for ln in only_votes.lines if ln.get_marker() == "x"]) == len(lost_votes)
    with pytest.raises(rl.ConfigError, match="unknown message kinds"):
        plots.spacetime(c, kinds={"Gossip"})
    with pytest.raises(rl.ConfigError, match="start < end"):
        plots.spacetime(c, 0.5, 0.2)


def test_timeline_shades_roles_and_writes_terms():
    c = scenarios.leader_crash(rl.Cluster(5, seed=2))
    c.run(1.0)
    fig = plots.timeline(c)
    ax = fig.axes[0]
    faces = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in ax.patches
             if isinstance(p, Rectangle)}
    from matplotlib.colors import to_rgb
    assert tuple(np.round(to_rgb("#2b6cb0"), 3)) in faces  # a leader stretch
    assert tuple(np.round(to_rgb(term_color(2)), 3)) in faces  # the term-2 strip
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("term") for t in texts)
    assert ax.get_xlim() == (0.0, c.now)
    png(fig, "plot_timeline")


def test_log_matrix_has_one_cell_per_entry_coloured_by_term():
    c = scenarios.figure8(rl.Cluster(5, seed=0))
    fig = plots.log_matrix(c)
    ax = fig.axes[0]
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == sum(c[s].last_log_index for s in c.nodes) == 10
    committed = [p for p in cells if p.get_alpha() == 1.0]
    assert len(committed) == sum(c[s].commit_index for s in c.nodes)
    assert "crashed" in " ".join(t.get_text() for t in ax.texts)  # S5
    png(fig, "plot_log_matrix")
    long = rl.Cluster(3, seed=1)
    long.run(0.5)
    for i in range(50):
        long.submit(i)
    long.run(0.5)
    ax2 = plots.log_matrix(long, last=20).axes[0]
    assert ax2.get_xticks()[0] == 31 and len(ax2.patches) == 3 * 20
    with pytest.raises(rl.ConfigError):
        plots.log_matrix(long, last=0)


def test_distribution_accepts_lists_dicts_and_frames_and_counts_nans():
    import pandas as pd

    fig = plots.distribution([0.2, 0.25, 0.3, np.nan], xlabel="election time (s)")
    ax = fig.axes[0]
    assert "n=3, 1 NaN, median 0.25" in ax.get_legend().get_texts()[0].get_text()
    fig = plots.distribution({"a": [1, 2, 3], "b": [2, 3, 4, 5]})
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    png(fig, "plot_distribution")
    fig = plots.distribution(pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}))
    assert png(fig)
    with pytest.raises(rl.ConfigError, match="finite"):
        plots.distribution([np.nan])
    with pytest.raises(rl.ConfigError, match="numbers"):
        plots.distribution({"a": ["x"]})


def test_chinese_labels_use_a_cjk_font_when_one_is_installed():
    rl.set_language("zh")
    c = started()
    fig = plots.spacetime(c)
    ax = fig.axes[0]
    assert ax.get_title() == "时空图" and ax.get_xlabel() == "虚拟时间（秒）"
    families = ax.title.get_fontfamily()
    assert families[0] == "DejaVu Sans"
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    if any(name in installed for name in CJK_FONTS):
        assert len(families) == 2 and families[1] in installed
    assert png(fig, "plot_spacetime_zh")


def test_figures_are_not_kept_by_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plots.timeline(started())
    assert plt.get_fignums() == before
