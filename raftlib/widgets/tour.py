"""Guided tours: a scripted scenario stepped with captions, Next and Back.

    >>> import raftlib as rl
    >>> tour = rl.Tour(lambda: rl.Cluster(5, seed=1), [
    ...     rl.TourStep("Five followers; every election timer is running."),
    ...     rl.TourStep({"en": "The first timer fired: a leader.", "zh": "第一个计时器到期：产生了领导者。"},
    ...                 action=lambda c: c.run_until(lambda: c.leader(), 1.0)),
    ... ])
    >>> tour.next(); tour.index, tour.cluster.leader() is not None
    (1, True)
    >>> tour.back(); tour.index, tour.cluster.leader()
    (0, None)

Step ``k`` (0-based; shown as "step k+1 of n") shows the cluster after ``setup()``
and the actions of steps 0..k. Going back rebuilds it from ``setup()``, so every
step looks the same each time it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence, Union

import ipywidgets as w

from ..errors import ConfigError
from ..i18n import normalize, text
from .view import ClusterView

if TYPE_CHECKING:
    from ..cluster import Cluster

Caption = Union[str, dict]


@dataclass(frozen=True)
class TourStep:
    """One step of a :class:`Tour`: its ``caption`` (a str, or ``{"en": ..., "zh": ...}``),
    an optional ``action(cluster)`` that advances the scenario to what the caption
    describes, and an optional server id to highlight (``select``)."""

    caption: Caption
    action: Callable[["Cluster"], Any] | None = None
    select: str | None = None


def _caption_text(caption: Caption, lang: str) -> str:
    if isinstance(caption, str):
        return caption
    return caption.get(lang) or caption.get("en") or next(iter(caption.values()))


def _check_steps(steps: Sequence[TourStep]) -> list[TourStep]:
    steps = list(steps)
    if not steps:
        raise ConfigError("a Tour needs at least one TourStep")
    for i, step in enumerate(steps):
        if not isinstance(step, TourStep):
            raise ConfigError(f"step {i} must be a rl.TourStep, got {step!r}")
        caption = step.caption
        if not (isinstance(caption, str) or (isinstance(caption, dict) and caption and all(
                k in ("en", "zh") and isinstance(v, str) for k, v in caption.items()))):
            raise ConfigError(f"step {i}'s caption must be a str or a dict with keys 'en'/'zh' "
                              f"and str values, got {caption!r}")
        if step.action is not None and not callable(step.action):
            raise ConfigError(f"step {i}'s action must be a function of the cluster, "
                              f"got {step.action!r}")
    return steps


class Tour(w.VBox):
    """A guided tour: the caption of the current step above the live cluster picture,
    beside Back / Next and "step k of n" (one fixed-height bar: nothing jumps and it fits
    the notebook's width).

    ``setup`` is a zero-argument function returning a fresh Cluster; ``steps`` a list
    of :class:`TourStep`. ``lang`` ("en"/"zh") defaults to ``rl.set_language``'s.
    """

    def __init__(self, setup: Callable[[], "Cluster"], steps: Sequence[TourStep], *,
                 title: str | None = None, lang: str | None = None) -> None:
        if not callable(setup):
            raise ConfigError(f"setup must be a function returning a fresh rl.Cluster, "
                              f"got {setup!r}")
        self._setup, self._steps, self._title = setup, _check_steps(steps), title
        self._index = 0
        self.view = ClusterView(self._build(0), lang=normalize(lang))
        self.caption_box = w.HTML(layout=w.Layout(flex="1 1 auto", height="84px",
                                                  overflow="auto", margin="0"))
        self.caption_box.add_class("raft-tour-caption")
        self.back_button = w.Button(layout=w.Layout(width="auto"))
        self.next_button = w.Button(layout=w.Layout(width="auto"))
        self.back_button.add_class("raft-tour-back")
        self.next_button.add_class("raft-tour-next")
        self.back_button.on_click(lambda _b: self.back())
        self.next_button.on_click(lambda _b: self.next())
        self.progress = w.HTML(layout=w.Layout(margin="0"))
        self.progress.add_class("raft-tour-progress")
        controls = w.VBox([w.HBox([self.back_button, self.next_button]), self.progress],
                          layout=w.Layout(flex="0 0 auto", align_items="center"))
        bar = w.HBox([self.caption_box, controls],
                     layout=w.Layout(height="88px", max_width="960px", align_items="flex-start"))
        super().__init__([bar, self.view], layout=w.Layout(max_width="960px"))
        self.add_class("raft-tour")
        self.view.observe(lambda _change: self._show(), "lang")
        self._show()

    # ------------------------------------------------------------- moving
    def _build(self, k: int) -> "Cluster":
        from ..cluster import Cluster

        cluster = self._setup()
        if not isinstance(cluster, Cluster):
            raise ConfigError(f"setup() must return an rl.Cluster, got {cluster!r}")
        for step in self._steps[:k + 1]:
            if step.action is not None:
                step.action(cluster)
        return cluster

    def goto(self, k: int) -> None:
        """Show step ``k`` (0-based), rebuilt from ``setup()`` and the actions of steps 0..k."""
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < len(self._steps):
            raise ConfigError(f"step must be an int from 0 to {len(self._steps) - 1}, got {k!r}")
        self.view.attach(self._build(k))
        self._index = k
        self._show()

    def next(self) -> None:
        """The next step (no-op at the last one)."""
        if self._index + 1 < len(self._steps):
            self.goto(self._index + 1)

    def back(self) -> None:
        """The previous step, rebuilt from the start (no-op at the first one)."""
        if self._index > 0:
            self.goto(self._index - 1)

    # ------------------------------------------------------------- reading
    @property
    def index(self) -> int:
        """The current step, 0-based."""
        return self._index

    @property
    def cluster(self) -> "Cluster":
        """The cluster as the current step shows it."""
        return self.view.cluster

    @property
    def caption(self) -> str:
        """The current step's caption in the widget's language."""
        return _caption_text(self._steps[self._index].caption, self.view.lang)

    def _show(self) -> None:
        from html import escape

        lang, n = self.view.lang, len(self._steps)
        step = self._steps[self._index]
        self.view.selected = step.select or ""
        title = f"<b>{escape(self._title)}</b> · " if self._title else ""
        self.caption_box.value = (f"<div class='raft-tour-text' data-step='{self._index}'>"
                                  f"{title}{escape(self.caption)}</div>")
        self.progress.value = escape(text("tour_progress", lang, k=self._index + 1, n=n))
        self.back_button.description = text("tour_back", lang)
        self.next_button.description = text("tour_next", lang)
        self.back_button.disabled = self._index == 0
        self.next_button.disabled = self._index == n - 1
