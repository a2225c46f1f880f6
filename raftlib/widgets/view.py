"""ClusterView: the interactive picture of a cluster, with every control of RaftScope and more.

Everything the view does to the cluster goes through a :class:`~raftlib.replay.Timeline`,
so the time slider can rewind exactly and acting in the past forks history. The
view only reads the cluster and calls its public methods.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Callable

import ipywidgets as w

from .. import describe, scenarios
from ..errors import ConfigError, RaftlibError, SafetyViolation
from ..i18n import get_language, text
from ..kv import Op
from ..replay import Timeline, fresh, restore
from ..validate import check_cluster
from . import drawing, inspector

if TYPE_CHECKING:
    from ..cluster import Cluster

FRAME_MS = 50             # the play button's tick: 20 frames per second
NEXT_EVENT_LIMIT = 10.0   # virtual seconds "next role change / commit" looks ahead
GROUPS = ("A", "B", "C")
_SCENARIO_LABELS = {"split_vote": "split_vote_scn", "leader_crash": "leader_crash_scn",
                    "two_leaders": "two_leaders_scn", "figure8": "figure8_scn",
                    "stale_follower": "stale_follower_scn"}


def _button(icon: str, css: str) -> w.Button:
    button = w.Button(icon=icon, layout=w.Layout(width="auto", flex="0 0 auto"))
    button.add_class(css)
    return button


class ClusterView(w.VBox):
    """An interactive view of ``cluster``; ``rl.show(c)`` displays one.

    ``speed`` is virtual seconds per real second while playing (default 0.01: 100×
    slower than real time). The cluster object stays the same through rewinds and
    resets (its state is replaced in place), so ``c`` in the notebook always shows
    what the view shows. Change the cluster through the view, or call
    :meth:`refresh` after changing it in code (the rewindable history then restarts).
    """

    def __init__(self, cluster: "Cluster", *, speed: float = 0.01) -> None:
        self.cluster = cluster
        self.timeline = Timeline(cluster)
        self._note, self._error = "", False
        self._lang: str | None = None
        self._quiet = False
        self._message_options: tuple = ()
        c = cluster
        # status and playback
        self.status = w.HTML()
        self.status.add_class("raft-status-box")
        self.play = w.Play(value=0, min=0, max=10**9, step=1, interval=FRAME_MS,
                           show_repeat=False, layout=w.Layout(width="150px"))
        self.step_button = _button("step-forward", "raft-step")
        self.next_button = _button("fast-forward", "raft-next")
        self.speed = w.FloatLogSlider(value=speed, base=10, min=-3, max=0, step=0.25,
                                      readout_format=".3g",
                                      layout=w.Layout(width="290px", flex="0 0 auto"),
                                      style={"description_width": "initial"})
        self.time = w.FloatSlider(value=c.now, min=c.now, max=c.now + 0.001, step=0.001,
                                  continuous_update=False, readout_format=".3f",
                                  layout=w.Layout(width="100%", min_width="260px"),
                                  style={"description_width": "initial"})
        self.time.add_class("raft-time")
        # servers
        self.server_select = w.ToggleButtons(options=list(c.nodes), value=c.leader() or c.nodes[0],
                                             style={"button_width": "46px"})
        self.server_select.add_class("raft-servers")
        self.crash_button = _button("power-off", "raft-crash")
        self.restart_button = _button("redo", "raft-restart")
        self.timeout_button = _button("hourglass-end", "raft-timeout")
        self.request_button = _button("paper-plane", "raft-request")
        # picture and inspector
        self.picture = w.HTML(layout=w.Layout(width=f"{drawing.WIDTH + 10}px"))
        self.picture.add_class("raft-picture-box")
        self.inspector = w.HTML(layout=w.Layout(width="330px", overflow="hidden"))
        # messages tab
        self.message_select = w.Dropdown(options=[], value=None, layout=w.Layout(width="460px"))
        self.drop_button = _button("times", "raft-drop")
        self.duplicate_button = _button("clone", "raft-duplicate")
        self.deliver_button = _button("bolt", "raft-deliver")
        # network tab
        self.group_select = {s: w.Dropdown(options=GROUPS, value="A", description=s,
                                           layout=w.Layout(width="92px"),
                                           style={"description_width": "26px"})
                             for s in c.nodes}
        self.partition_button = _button("object-ungroup", "raft-partition")
        self.cut_from = w.Dropdown(options=list(c.nodes), value=c.nodes[0],
                                   layout=w.Layout(width="70px"))
        self.cut_to = w.Dropdown(options=list(c.nodes), value=c.nodes[-1],
                                 layout=w.Layout(width="70px"))
        self.cut_button = _button("cut", "raft-cut")
        self.heal_button = _button("link", "raft-heal")
        # scenarios tab
        self.seed = w.IntText(value=c.seed, layout=w.Layout(width="150px"),
                              style={"description_width": "initial"})
        self.reset_button = _button("undo", "raft-reset")
        self.preset_select = w.Dropdown(options=[(k, k) for k in scenarios.PRESETS],
                                        layout=w.Layout(width="260px"))
        self.preset_button = _button("magic", "raft-preset")
        self.tabs = w.Tab(children=[
            w.HBox([self.message_select, self.drop_button, self.duplicate_button,
                    self.deliver_button]),
            w.VBox([w.HBox(list(self.group_select.values()) + [self.partition_button]),
                    w.HBox([self.cut_from, w.HTML("→"), self.cut_to, self.cut_button,
                            self.heal_button])]),
            w.HBox([self.seed, self.reset_button, self.preset_select, self.preset_button]),
        ])
        self._wire()
        super().__init__(children=[
            self.status,
            w.HBox([self.play, self.step_button, self.next_button, self.speed, self.time],
                   layout=w.Layout(align_items="center")),
            w.HBox([self.server_select, self.crash_button, self.restart_button,
                    self.timeout_button, self.request_button],
                   layout=w.Layout(align_items="center", flex_flow="row wrap")),
            w.HBox([self.picture, self.inspector]),
            self.tabs,
        ])
        self.add_class("raft-view")
        self.refresh()

    # ------------------------------------------------------------- wiring
    def _wire(self) -> None:
        actions: dict[w.Button, Callable[[], None]] = {
            self.step_button: self.step, self.next_button: self.next_event,
            self.crash_button: lambda: self._server_act("crash"),
            self.restart_button: lambda: self._server_act("restart"),
            self.timeout_button: lambda: self._server_act("timeout"),
            self.request_button: self.client_request,
            self.drop_button: lambda: self._message_act("drop"),
            self.duplicate_button: lambda: self._message_act("duplicate"),
            self.deliver_button: lambda: self._message_act("deliver_now"),
            self.partition_button: self.apply_partition, self.cut_button: self.cut,
            self.heal_button: lambda: self._act("heal"),
            self.reset_button: self.reset, self.preset_button: self.apply_preset,
        }
        for button, action in actions.items():
            button.on_click(lambda _b, action=action: self._handle(action))
        self.play.observe(self._on_play, "value")
        self.time.observe(self._on_time, "value")
        for widget in (self.server_select, self.message_select):
            widget.observe(lambda _change: self._quiet or self.refresh(), "value")

    def _handle(self, action: Callable[[], None]) -> None:
        """Run a control's action; show errors (bad input, safety violations) in the status."""
        self._note, self._error = "", False
        if not self.timeline.in_sync():
            self.timeline.rebase()
            self._note = text("rebased")
        try:
            action()
        except SafetyViolation as err:
            self._note, self._error = f"{type(err).__name__}: {err}", True
        except RaftlibError as err:
            self._note, self._error = str(err), True
        self.refresh()

    def _on_play(self, change: dict) -> None:
        frames = change["new"] - change["old"]
        if self._quiet or frames <= 0:
            return  # the stop button sets the counter back to 0
        self._handle(lambda: self.advance(min(frames, 4) * FRAME_MS / 1000))

    def _on_time(self, change: dict) -> None:
        if not self._quiet and abs(change["new"] - self.cluster.now) > 1e-9:
            self._handle(lambda: self.timeline.seek(change["new"]))

    # ------------------------------------------------------------ actions
    def advance(self, real_seconds: float) -> None:
        """What one tick of the play button does: run ``speed * real_seconds`` of virtual time."""
        self.timeline.run(self.speed.value * real_seconds)

    def step(self) -> None:
        """Carry out exactly one event."""
        if not self.timeline.step():
            self._note = text("nothing_happened")

    def next_event(self) -> None:
        """Step until a server changes role or commits an entry (at most NEXT_EVENT_LIMIT s)."""
        c = self.cluster
        before = {s: (c[s].role, c[s].commit_index) for s in c.nodes}
        deadline = c.now + NEXT_EVENT_LIMIT
        while c.now < deadline:
            if not self.timeline.step():
                self._note = text("nothing_happened")
                return
            for s in c.nodes:
                node = c[s]
                if node.role != before[s][0]:
                    self._note = text("became", s=s, role=text(node.role), term=node.current_term)
                    self.server_select.value = s
                    return
                if node.commit_index > before[s][1]:
                    self._note = text("committed_up_to", s=s, i=node.commit_index)
                    return
        self._note = text("no_change", sec=NEXT_EVENT_LIMIT)

    def _act(self, method: str, *args) -> object:
        forked = self.timeline.replaying
        result = self.timeline.act(method, *args)
        if forked:
            self._note = text("forked", t=f"{self.cluster.now:.3f}")
        return result

    def _server_act(self, method: str) -> None:
        self._act(method, self.server_select.value)

    def client_request(self) -> None:
        """Give the selected server a command, ``put x=<n>``; only a leader accepts it."""
        c = self.cluster
        sid = self.server_select.value
        value = 1 + max(c[s].last_log_index for s in c.nodes)
        index, term, ok = self._act("submit", Op("put", "x", value), sid)
        self._note = (text("accepted", s=sid, i=index, term=term) if ok else
                      text("not_leader", s=sid, leader=c.leader() or "—"))

    def _message_act(self, method: str) -> None:
        if self.message_select.value is None:
            raise ConfigError(text("no_message"))
        self._act(method, self.message_select.value)

    def apply_partition(self) -> None:
        """Split the servers into the groups chosen in the network tab."""
        groups = [[s for s, d in self.group_select.items() if d.value == g] for g in GROUPS]
        self._act("partition", *[g for g in groups if g])

    def cut(self) -> None:
        """Cut the link one way, from the first chosen server to the second."""
        if self.cut_from.value == self.cut_to.value:
            raise ConfigError("choose two different servers to cut the link between them")
        self._act("cut", self.cut_from.value, self.cut_to.value)

    def reset(self) -> None:
        """Start again at t = 0 with the seed in the seed box (same size and configuration)."""
        seed = self.seed.value
        restore(self.cluster, fresh(self.cluster, seed))
        self.timeline.rebase()
        self._note = text("reset_done", seed=seed)

    def apply_preset(self) -> None:
        """Set up the chosen scenario on a fresh cluster with the seed in the seed box."""
        name, seed = self.preset_select.value, self.seed.value
        new = scenarios.apply(name, fresh(self.cluster, seed))
        restore(self.cluster, new)
        self.timeline.rebase()
        self._note = text("preset_done", name=text(_SCENARIO_LABELS[name]), seed=seed)

    # ------------------------------------------------------------ drawing
    def refresh(self) -> None:
        """Redraw everything from the cluster's current state."""
        c = self.cluster
        if not self.timeline.in_sync():
            self.timeline.rebase()
        if get_language() != self._lang:
            self._label()
        flights = c.in_flight()
        self._quiet = True
        try:
            selected = self._sync_messages(flights)
            self._sync_time()
        finally:
            self._quiet = False
        sid = self.server_select.value
        self.picture.value = drawing.render(c, selected_server=sid, selected_message=(
            selected.id if selected else None), flights=flights)
        self.inspector.value = inspector.panel(c, sid, selected)
        self.status.value = self._status()

    def _sync_messages(self, flights: list):
        options = tuple((f"#{m.id} {m.message.src}→{m.message.dst} {type(m.message).__name__} "
                         f"{describe.message(m.message)}", m.id) for m in flights)
        if options != self._message_options:
            keep = self.message_select.value
            self.message_select.options = options
            ids = {m.id for m in flights}
            self.message_select.value = keep if keep in ids else None
            self._message_options = options
        chosen = self.message_select.value
        return next((m for m in flights if m.id == chosen), None)

    def _sync_time(self) -> None:
        tl, slider = self.timeline, self.time
        low = tl.origin_time
        high = max(tl.end_time, low + 0.001)
        if low > slider.max:
            slider.max, slider.min = high, low
        else:
            slider.min, slider.max = low, high
        slider.value = self.cluster.now
        slider.disabled = not tl.rewindable

    def _status(self) -> str:
        c = self.cluster
        leader = c.leader()
        term = c[leader].current_term if leader else ""
        who = text("leader_is", s=leader, term=term) if leader else text("no_leader")
        parts = [f"<b>{escape(text('now', t=f'{c.now:.3f}'))}</b>", escape(who),
                 f"{escape(text('seed'))} {c.seed}"]
        if self.timeline.replaying:
            parts.append(f"<span style='color:#2b6cb0'>⏪ {escape(text('history'))}</span>")
        if not self.timeline.rewindable:
            parts.append(escape(text("no_rewind", why=self.timeline.why)))
        note = ""
        if self._note:
            color = "#c53030" if self._error else "#2d3748"
            note = f"<div class='raft-note' style='color:{color}'>{escape(self._note)}</div>"
        return (f"<div class='raft-status' data-leader='{leader or ''}' data-term='{term}' "
                f"data-time='{c.now:.6f}' style='font-size:14px;line-height:1.5'>"
                f"{' · '.join(parts)}{note}</div>")

    def _label(self) -> None:
        """Put every control's label and tooltip in the current language."""
        self._lang = get_language()
        for button, key, tip in (
                (self.step_button, "step", "step_tip"), (self.next_button, "next_event",
                                                         "next_event_tip"),
                (self.crash_button, "crash", None), (self.restart_button, "restart", None),
                (self.timeout_button, "timeout", "timeout_tip"),
                (self.request_button, "request", "request_tip"),
                (self.drop_button, "drop", None), (self.duplicate_button, "duplicate", None),
                (self.deliver_button, "deliver_now", None),
                (self.partition_button, "partition_apply", "partition_tip"),
                (self.cut_button, "cut", "cut_tip"), (self.heal_button, "heal", "heal_tip"),
                (self.reset_button, "reset", "reset_tip"), (self.preset_button, "apply", None)):
            button.description = text(key)
            button.tooltip = text(tip) if tip else text(key)
        self.speed.description = text("speed")
        self.speed.tooltip = text("speed_tip")
        self.time.description = text("time")
        self.time.tooltip = text("time_tip")
        self.seed.description = text("seed")
        self.play.description = text("play")
        self._quiet = True
        try:
            keep = self.preset_select.value
            self.preset_select.options = [(text(_SCENARIO_LABELS[k]), k) for k in scenarios.PRESETS]
            self.preset_select.value = keep
        finally:
            self._quiet = False
        self.tabs.titles = tuple(text(k) for k in ("messages_tab", "network_tab",
                                                   "scenarios_tab"))


def show(cluster: "Cluster", **options) -> None:
    """Display an interactive :class:`ClusterView` of ``cluster`` in the notebook.

    ``options`` go to ClusterView (e.g. ``speed=0.05``). To keep the view object,
    use ``v = rl.ClusterView(c)`` (or ``c.widget()``) and put ``v`` on a line of its own.
    """
    from IPython.display import display

    check_cluster(cluster)
    display(ClusterView(cluster, **options))
