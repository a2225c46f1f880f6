"""ClusterView: the cluster picture as a two-way browser widget (anywidget).

The kernel sends the cluster's state as data (:mod:`.state`) through the synced
``state`` traitlet; ``static/cluster.js`` draws it in SVG and animates the
messages between updates. Clicks in the picture come back as custom messages
(``{"action": "crash", "server": "S1"}``), which :meth:`ClusterView.do` carries
out through a :class:`~raftlib.replay.Timeline`, so the time slider can rewind
exactly and acting in the past forks history. The view only reads the cluster
and calls its public methods.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import anywidget
import traitlets as t

from .. import glossary, scenarios
from ..errors import ConfigError, RaftlibError, SafetyViolation
from ..i18n import UI, normalize, text
from ..kv import Op
from ..replay import Timeline, fresh, restore
from ..validate import check_cluster
from . import state

if TYPE_CHECKING:
    from ..cluster import Cluster

STATIC = Path(__file__).parent / "static"
NEXT_EVENT_LIMIT = 10.0   # virtual seconds "next role change / commit" looks ahead
MAX_TICK = 0.2            # real seconds one play tick may cover (a slow browser catches up)
ALIGN_GAP = 0.0001        # virtual seconds between aligned election timers (well under a
                          # message delay, so all fire before a RequestVote arrives)
_SCENARIO_LABELS = {"split_vote": "split_vote_scn", "leader_crash": "leader_crash_scn",
                    "two_leaders": "two_leaders_scn", "figure8": "figure8_scn",
                    "stale_follower": "stale_follower_scn"}


class ClusterView(anywidget.AnyWidget):
    """An interactive picture of ``cluster``; ``rl.show(c)`` displays one.

    Click a server, a message or a link for its actions; the toolbar plays, steps
    forward and back, and the slider scrubs through history from the cluster's
    creation. ``speed`` is virtual seconds per real second while playing (0.01:
    100× slower than real time). ``lang`` ("en" or "zh") is this widget's own
    language (default: :func:`raftlib.set_language`'s). The cluster object stays the
    same through rewinds (its state is replaced in place).
    """

    _esm = STATIC / "cluster.js"
    _css = STATIC / "cluster.css"
    state = t.Dict().tag(sync=True)
    config = t.Dict().tag(sync=True)
    labels = t.Dict().tag(sync=True)
    lang = t.Unicode("en").tag(sync=True)
    speed = t.Float(0.01).tag(sync=True)
    selected = t.Unicode("").tag(sync=True)

    def __init__(self, cluster: "Cluster", *, speed: float = 0.01, lang: str | None = None) -> None:
        from ..cluster import Cluster

        if not isinstance(cluster, Cluster):
            raise ConfigError(f"ClusterView needs an rl.Cluster, got {cluster!r}")
        if not (isinstance(speed, (int, float)) and 0.001 <= speed <= 1):
            raise ConfigError(f"speed must be between 0.001 and 1 virtual seconds per real "
                              f"second, got {speed!r}")
        super().__init__(lang=normalize(lang), speed=float(speed))
        self._note_key: tuple[str, dict, bool] | None = None
        self._seq = 0
        self.attach(cluster)
        self.on_msg(self._on_custom)
        self.observe(lambda _change: self._relabel(), "lang")

    # ---------------------------------------------------------------- cluster
    def attach(self, cluster: "Cluster") -> None:
        """Show ``cluster`` (a new one, e.g. a tour's next step) with a fresh history."""
        self.cluster = cluster
        self.timeline = Timeline(cluster)
        if not self.timeline.from_creation():
            self._say("history_from_now", t=f"{cluster.now:.3f}")
        self.config = state.config(cluster)
        self._relabel()

    # ---------------------------------------------------------------- actions
    def do(self, action: str, **args: Any) -> None:
        """Carry out one action, as a click in the browser does, and redraw.

        ``action`` is one of crash, restart, timeout, request, isolate, reboot (crash and
        restart at once; ``server=``), drop, duplicate, deliver (``message=`` id), cut, heal
        (``link="S1-S2"``), heal_all, restart_all, align and spread (the election timers),
        fork, step, back, next_event, tick (``seconds=`` real time), seek (``t=``), reset,
        preset (``name=``). Errors (bad input, a safety violation) show in the widget.
        """
        handler = self._actions().get(action)
        self._note_key = None
        try:
            if handler is None:
                raise ConfigError(text("unknown_action", self.lang, action=action,
                                       allowed=", ".join(sorted(self._actions()))))
            if not self.timeline.in_sync():
                self.timeline.rebase()
                self._say("rebased")
            handler(**args)
        except SafetyViolation as err:
            self._note_key = ("raw", {"msg": f"{type(err).__name__}: {err}"}, True)
        except RaftlibError as err:
            self._note_key = ("raw", {"msg": str(err)}, True)
        except TypeError as err:  # a browser message with missing or extra fields
            self._note_key = ("raw", {"msg": f"{action}: {err}"}, True)
        self.refresh()

    def _actions(self) -> dict[str, Callable[..., None]]:
        return {"crash": lambda server: self._act("crash", self._server(server)),
                "restart": lambda server: self._act("restart", self._server(server)),
                "timeout": lambda server: self._act("timeout", self._server(server)),
                "request": lambda server: self._request(self._server(server)),
                "isolate": lambda server: self._act(
                    "partition", [self._server(server)],
                    [s for s in self.cluster.nodes if s != server]),
                "drop": lambda message: self._act("drop", self._message(message)),
                "duplicate": lambda message: self._act("duplicate", self._message(message)),
                "deliver": lambda message: self._act("deliver_now", self._message(message)),
                "cut": self._cut, "heal": self._heal_link,
                "heal_all": lambda: self._act("heal"),
                "reboot": self._reboot, "restart_all": self._restart_all,
                "align": self._align, "spread": self._spread, "fork": self._fork,
                "step": self._step, "back": self._back, "next_event": self._next_event,
                "tick": self._tick, "seek": lambda t: self.timeline.seek(float(t)),
                "reset": self._reset, "preset": self._preset,
                "select": self._select}

    def _say(self, key: str, error: bool = False, **fields: Any) -> None:
        self._note_key = (key, fields, error)

    def _act(self, method: str, *args: Any) -> Any:
        forked = self.timeline.replaying
        result = self.timeline.act(method, *args)
        if forked:
            self._say("forked", t=f"{self.cluster.now:.3f}")
        return result

    def _server(self, server: Any) -> str:
        if server is None:
            raise ConfigError(text("choose_server", self.lang))
        if server not in self.cluster.up:
            raise ConfigError(text("unknown_server", self.lang, s=server,
                                   allowed=", ".join(self.cluster.nodes)))
        return server

    def _message(self, message: Any) -> int:
        ids = [m.id for m in self.cluster.in_flight()]
        if message is None:
            raise ConfigError(text("choose_message", self.lang, n=len(ids)))
        if message not in ids:
            raise ConfigError(text("no_such_message", self.lang, id=message,
                                   ids=", ".join(map(str, ids)) or "—"))
        return message

    def _select(self, server: str = "") -> None:
        self.selected = server

    def _request(self, server: str) -> None:
        c = self.cluster
        value = 1 + max(c[s].last_log_index for s in c.nodes)
        index, term, ok = self._act("submit", Op("put", "x", value), server)
        if ok:
            self._say("accepted", s=server, i=index, term=term)
        else:
            self._say("not_leader", s=server, leader=c.leader() or "—")

    def _link(self, link: str) -> tuple[str, str]:
        ends = link.split("-") if isinstance(link, str) else []
        if len(ends) != 2 or ends[0] == ends[1] or not all(e in self.cluster.up for e in ends):
            raise ConfigError(text("bad_link", self.lang, link=link))
        return ends[0], ends[1]

    def _cut(self, link: str) -> None:
        """Cut a link both ways (the picture's links are two-way)."""
        a, b = self._link(link)
        self._act("cut", a, b)
        self._act("cut", b, a)

    def _heal_link(self, link: str) -> None:
        """Heal one link: heal the network, then cut again every other link that was cut
        (a partition blocking this link is healed as a whole)."""
        a, b = self._link(link)
        others = sorted(p for p in self.cluster.network.blocked if set(p) != {a, b})
        self._act("heal")
        for src, dst in others:
            self._act("cut", src, dst)

    def _reboot(self, server: str) -> None:
        """Crash ``server`` and restart it at the same moment (RaftScope's "restart")."""
        self._act("crash", self._server(server))
        self._act("restart", server)

    def _restart_all(self) -> None:
        down = [s for s in self.cluster.nodes if not self.cluster.up[s]]
        for s in down:
            self._act("restart", s)
        self._say("restarted", servers=", ".join(down) or "—")

    def _election_timers(self) -> list[tuple[float, str]]:
        """(due, server) of every running election timer, earliest first; at least two."""
        c = self.cluster
        timers = sorted((c.timers[(s, "election")][1], s) for s in c.nodes
                        if c.up[s] and (s, "election") in c.timers)
        if len(timers) < 2:
            raise ConfigError(text("no_timers", self.lang, n=len(timers)))
        return timers

    def _align(self) -> None:
        """All running election timers fire within a fraction of a millisecond of the
        earliest one: every server becomes a candidate before any RequestVote arrives, so a
        split vote is likely (once no leader's heartbeats reset the timers)."""
        timers, now = self._election_timers(), self.cluster.now
        first = timers[0][0]
        for k, (_due, s) in enumerate(timers):
            self._act("set_election_timer", s, first + k * ALIGN_GAP - now)
        leader = self.cluster.leader()
        self._say("align_done" if leader is None else "align_done_leader", leader=leader,
                  servers=", ".join(s for _d, s in timers),
                  ms=f"{(len(timers) - 1) * ALIGN_GAP * 1000:.1f}")

    def _spread(self) -> None:
        """Running election timers at least one longest message delay apart, in their
        order: the first candidate's RequestVotes arrive before the next timer fires."""
        timers, now = self._election_timers(), self.cluster.now
        net = self.cluster.network
        gap = net.latency[1] + net.request_delay[1]
        due = timers[0][0]
        for k, (old, s) in enumerate(timers):
            due = old if k == 0 else max(old, due + gap)
            if due != old:
                self._act("set_election_timer", s, due - now)
        self._say("spread_done", servers=", ".join(s for _d, s in timers), ms=f"{gap * 1000:.0f}")

    def _fork(self) -> None:
        self.timeline.fork()
        self._say("forked", t=f"{self.cluster.now:.3f}")

    def _step(self) -> None:
        if not self.timeline.step():
            self._say("nothing_happened")

    def _back(self) -> None:
        """Go back to just after the previous event."""
        c, tl = self.cluster, self.timeline
        earlier = [row[0] for row in c.trace_tail(64) if row[0] < c.now - 1e-9]
        tl.seek(earlier[-1] if earlier and earlier[-1] >= tl.origin_time else tl.origin_time)

    def _tick(self, seconds: float) -> None:
        self.timeline.run(self.speed * min(max(float(seconds), 0.0), MAX_TICK))

    def _next_event(self) -> None:
        """Step until a server changes role or commits an entry (at most NEXT_EVENT_LIMIT s)."""
        c = self.cluster
        before = {s: (c[s].role, c[s].commit_index) for s in c.nodes}
        deadline = c.now + NEXT_EVENT_LIMIT
        while c.now < deadline:
            if not self.timeline.step():
                self._say("nothing_happened")
                return
            for s in c.nodes:
                if c[s].role != before[s][0]:
                    self._say("became", s=s, role=c[s].role, term=c[s].current_term)
                    self.selected = s
                    return
                if c[s].commit_index > before[s][1]:
                    self._say("committed_up_to", s=s, i=c[s].commit_index)
                    return
        self._say("no_change", sec=NEXT_EVENT_LIMIT)

    def _reset(self, seed: int | None = None) -> None:
        seed = self.cluster.seed if seed is None else int(seed)
        restore(self.cluster, fresh(self.cluster, seed))
        self.timeline.rebase()
        self._say("reset_done", seed=seed)

    def _preset(self, name: str) -> None:
        if name not in scenarios.PRESETS:
            raise ConfigError(text("unknown_preset", self.lang, name=name,
                                   allowed=", ".join(scenarios.PRESETS)))
        new = scenarios.apply(name, fresh(self.cluster))
        restore(self.cluster, new)
        self.timeline.rebase()
        self._say("preset_done", name=_SCENARIO_LABELS[name], seed=self.cluster.seed)

    def _on_custom(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and isinstance(content.get("action"), str):
            args = {k: v for k, v in content.items() if k != "action"}
            self.do(content["action"], **args)

    # ---------------------------------------------------------------- drawing
    def refresh(self) -> None:
        """Send the cluster's present state to the browser (after changing it in code,
        call this; the rewindable history then restarts)."""
        if not self.timeline.in_sync():
            self.timeline.rebase()
        tl = self.timeline
        self._seq += 1
        self.state = dict(state.snapshot(self.cluster, self.lang), seq=self._seq,
                          note=self._render_note(),
                          timeline={"origin": tl.origin_time, "end": tl.end_time,
                                    "replaying": tl.replaying, "rewindable": tl.rewindable})

    @property
    def note(self) -> dict[str, Any]:
        """The message under the picture: ``{"text": ..., "error": bool}``."""
        return self.state["note"]

    @property
    def timeline_info(self) -> dict[str, Any]:
        """The time slider's range: origin and end time, replaying, rewindable."""
        return self.state["timeline"]

    def _render_note(self) -> dict[str, Any]:
        if self._note_key is None:
            return {"text": "", "error": False}
        key, fields, error = self._note_key
        if key == "raw":
            return {"text": fields["msg"], "error": error}
        shown = {k: (text(v, self.lang) if k in ("role", "name") else v) for k, v in fields.items()}
        return {"text": text(key, self.lang, **shown), "error": error}

    def _relabel(self) -> None:
        labels = {key: text(key, self.lang) for key in UI}
        labels.update({key: text(key, self.lang) for key in glossary.load() if key not in UI})
        labels["presets"] = [[k, text(v, self.lang)] for k, v in _SCENARIO_LABELS.items()]
        self.labels = labels
        self.refresh()


def show(cluster: "Cluster", **options: Any) -> None:
    """Display an interactive :class:`ClusterView` of ``cluster`` in the notebook.

    ``options`` go to ClusterView (``speed=0.05``, ``lang="zh"``). To keep the view
    object, use ``v = rl.ClusterView(c)`` (or ``c.widget()``) on a line of its own.
    """
    from IPython.display import display

    check_cluster(cluster)
    display(ClusterView(cluster, **options))
