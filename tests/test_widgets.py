"""The cluster widget in-process: the state the kernel sends, and every action the
browser can ask for (the same ``do`` the browser's custom messages call)."""

from __future__ import annotations

import json

import pytest

import raftlib as rl
from raftlib.widgets import ClusterView, Tour, TourStep, state


def elected(seed: int = 1, n: int = 5) -> rl.Cluster:
    c = rl.Cluster(n, seed=seed)
    c.run_until(lambda: c.leader() is not None, 2.0)
    return c


def server(view: ClusterView, sid: str) -> dict:
    return next(s for s in view.state["servers"] if s["id"] == sid)


def test_state_is_data_with_every_server_and_message():
    c = rl.Cluster(5, seed=1)
    c.run_until(lambda: len(c.in_flight()) > 0, 1.0)
    view = ClusterView(c)
    sent = view.state
    assert [s["id"] for s in sent["servers"]] == c.nodes
    assert {m[0] for m in sent["msgs"]} == {m.id for m in c.in_flight()}
    for m in sent["msgs"]:
        assert m[1] in c.nodes and m[2] in c.nodes and m[4] <= sent["t"] <= m[5]
    assert "<svg" not in json.dumps(sent)
    for s in sent["servers"]:
        assert s["due"] == pytest.approx(c.timers[(s["id"], "election")][1], abs=1e-5)
    assert view.config["nodes"] == c.nodes and view.config["eto"] == list(c.election_timeout)


def test_replies_carry_their_success_flag():
    c = rl.Cluster(3, seed=2)
    seen = set()
    while c.now < 1.0 and len(seen) < 2:
        c.step()
        seen |= {(m[3], m[6]) for m in state.messages(c) if m[3].endswith("Reply")}
    assert any(ok is True for _kind, ok in seen)
    assert all(ok in (True, False) for _kind, ok in seen)


def test_update_stays_small_and_does_not_grow_with_history():
    c = elected()
    for i in range(300):
        c.submit(f"cmd{i}")
    c.run(3.0)
    view = ClusterView(c)
    size = len(json.dumps(view.state))
    assert size < 5000, size
    assert all(len(s["log"]) <= state.LOG_WINDOW for s in view.state["servers"])


def test_history_starts_at_creation_even_if_the_cluster_ran_before():
    c = elected()
    first = c.leader()
    view = ClusterView(c)
    assert view.timeline_info["origin"] == 0.0
    view.do("seek", t=0.0)
    assert c.now == 0.0 and c.leader() is None
    view.do("seek", t=view.timeline_info["end"])
    assert c.leader() == first


def test_a_cluster_changed_in_code_before_show_says_where_history_starts():
    c = elected()
    c.crash(c.leader())
    c.run(0.1)
    view = ClusterView(c)
    assert view.timeline_info["origin"] == pytest.approx(c.now)
    assert "history starts at" in view.note["text"]


def test_crash_restart_timeout_and_request_on_a_server():
    c = elected()
    leader = c.leader()
    view = ClusterView(c)
    view.do("request", server=leader)
    assert "appended the command at index 1" in view.note["text"]
    view.do("crash", server=leader)
    assert server(view, leader)["role"] == "crashed" and not c.up[leader]
    crashed = server(view, leader)
    assert "commit" not in crashed and "next" not in crashed and "due" not in crashed
    follower = next(s for s in c.nodes if s != leader)
    view.do("timeout", server=follower)
    assert c[follower].role == "candidate" and server(view, follower)["role"] == "candidate"
    view.do("restart", server=leader)
    assert c.up[leader] and server(view, leader)["role"] == "follower"
    view.do("request", server=follower)
    assert "is not the leader" in view.note["text"]


def test_drop_duplicate_and_deliver_a_message():
    c = rl.Cluster(5, seed=1)
    c.run_until(lambda: len(c.in_flight()) >= 3, 1.0)
    view = ClusterView(c)
    ids = [m[0] for m in view.state["msgs"]]
    view.do("drop", message=ids[0])
    assert ids[0] not in [m[0] for m in view.state["msgs"]]
    before = len(c.in_flight())
    view.do("duplicate", message=ids[1])
    assert len(c.in_flight()) == before + 1
    view.do("deliver", message=ids[2])
    assert ids[2] not in [m.id for m in c.in_flight()]
    view.do("drop", message=99999)
    assert view.note["error"] and "99999" in view.note["text"]


def test_cut_and_heal_a_link():
    c = elected()
    view = ClusterView(c)
    view.do("cut", link="S1-S2")
    assert ["S1", "S2"] in view.state["blocked"] and ["S2", "S1"] in view.state["blocked"]
    view.do("cut", link="S3-S4")
    view.do("heal", link="S2-S1")
    assert sorted(map(tuple, view.state["blocked"])) == [("S3", "S4"), ("S4", "S3")]
    view.do("heal_all")
    assert view.state["blocked"] == []
    assert not any("ev_" in line for line in view.state["recent"])
    assert view.state["recent"][-1].endswith("network healed")
    view.do("isolate", server="S2")
    assert sorted(map(tuple, view.state["blocked"])) == sorted(
        [(a, b) for a in c.nodes for b in c.nodes if a != b and "S2" in (a, b)])
    view.do("cut", link="S1-S1")
    assert view.note["error"] and "S1-S2" in view.note["text"]


def test_step_back_and_forward_are_exact():
    c = rl.Cluster(3, seed=4)
    view = ClusterView(c)
    times = []
    for _ in range(6):
        view.do("step")
        times.append(c.now)
    trace = c.trace_rows()
    view.do("back")
    assert c.now == pytest.approx(times[-2])
    view.do("step")
    assert c.trace_rows() == trace


def test_play_ticks_advance_by_speed_and_scrub_replays_exactly():
    c = rl.Cluster(5, seed=3)
    view = ClusterView(c, speed=0.1)
    for _ in range(10):
        view.do("tick", seconds=0.05)
    assert c.now == pytest.approx(0.05)
    view.do("tick", seconds=5)  # a slow browser cannot ask for more than MAX_TICK at once
    assert c.now == pytest.approx(0.07)
    trace = c.trace_rows()
    view.do("seek", t=0.02)
    assert c.now == pytest.approx(0.02) and view.timeline_info["replaying"]
    view.do("seek", t=0.07)
    assert c.trace_rows() == trace


def test_acting_in_the_past_forks_history():
    c = elected()
    leader = c.leader()
    view = ClusterView(c)
    c_end = c.now
    view.do("seek", t=c_end / 2)
    view.do("crash", server="S1")
    assert "forked" in view.note["text"]
    assert view.timeline_info["end"] == pytest.approx(c.now) and not view.timeline_info["replaying"]
    assert leader  # the recorded future (with its leader) is gone


def test_stale_leader_is_marked():
    c = elected()
    old = c.leader()
    others = [s for s in c.nodes if s != old]
    c.partition([old], others)
    c.run_until(lambda: any(c[s].role == "leader" for s in others), 3.0)
    view = ClusterView(c)
    assert server(view, old)["role"] == "leader" and server(view, old)["stale"] is True
    new = next(s for s in others if c[s].role == "leader")
    assert server(view, new)["stale"] is False


def test_set_election_timer_is_exact_recorded_and_checked():
    c = elected()
    leader = c.leader()
    follower = next(s for s in c.nodes if s != leader)
    tl = rl.replay.Timeline(c)
    start = c.now
    tl.act("set_election_timer", follower, 0.5)
    assert c.timers[(follower, "election")][1] == pytest.approx(start + 0.5)
    tl.seek(start)
    tl.seek(start + 1e-9)  # replayed: the same deadline again
    assert c.timers[(follower, "election")][1] == pytest.approx(start + 0.5)
    with pytest.raises(rl.ConfigError, match="no election timer running"):
        c.set_election_timer(leader, 0.1)
    with pytest.raises(rl.ConfigError, match="seconds"):
        c.set_election_timer(follower, -1)
    with pytest.raises(rl.UnknownServerError):
        c.set_election_timer("S9", 0.1)
    c.crash(follower)
    with pytest.raises(rl.ConfigError, match="crashed"):
        c.set_election_timer(follower, 0.1)


def _candidacies(c: rl.Cluster, since: float) -> list[tuple[str, int]]:
    """(server, term) of every server that became a candidate after ``since``."""
    return [(row[2], c[row[2]].current_term) for row in c.trace_rows()
            if row[0] > since and row[1] == "role" and row[7] == "candidate"]


def test_align_timers_makes_a_split_vote_and_spread_lets_the_first_win():
    c = elected(seed=5)
    view = ClusterView(c)
    view.do("crash", server=c.leader())
    view.do("align")
    assert not view.note["error"] and "split vote" in view.note["text"]
    due = sorted(c.timers[(s, "election")][1] for s in c.nodes if (s, "election") in c.timers)
    assert len(due) == 4 and due[-1] - due[0] <= 3 * 0.0001 + 1e-9
    start = c.now
    c.run_to(due[-1] + 0.001)  # all four time out before any RequestVote arrives
    assert len({s for s, _ in _candidacies(c, start)}) == 4
    assert c.leader() is None

    c = elected(seed=5)
    view = ClusterView(c)
    view.do("crash", server=c.leader())
    view.do("spread")
    assert not view.note["error"] and "first candidate" in view.note["text"]
    timers = sorted((c.timers[(s, "election")][1], s) for s in c.nodes
                    if (s, "election") in c.timers)
    gap = c.network.latency[1]
    assert all(b[0] - a[0] >= gap - 1e-9 for a, b in zip(timers, timers[1:]))
    start = c.now
    c.run_until(lambda: c.leader() is not None, 2.0)
    assert c.leader() == timers[0][1] and _candidacies(c, start) == [(timers[0][1], 
                                                                       c[c.leader()].current_term)]


def test_align_with_a_stable_leader_explains_itself():
    c = elected()
    view = ClusterView(c)
    view.do("align")
    assert not view.note["error"] and f"leader {c.leader()}'s heartbeats" in view.note["text"]
    c = rl.Cluster(3, seed=1)
    view = ClusterView(c)
    view.do("crash", server="S1")
    view.do("crash", server="S2")
    view.do("align")
    assert view.note["error"] and "at least two running election timers, found 1" in view.note["text"]


def test_reboot_restart_all_and_fork():
    c = elected()
    leader = c.leader()
    view = ClusterView(c)
    view.do("reboot", server=leader)
    assert c.up[leader] and c[leader].role == "follower"
    assert [row[1] for row in c.trace_rows()[-2:]] == ["crash", "restart"]
    view.do("crash", server="S1")
    view.do("crash", server="S2")
    view.do("restart_all")
    assert all(c.up.values()) and view.note["text"] == "restarted: S1, S2"
    end = c.now
    view.do("seek", t=end / 2)
    assert view.timeline_info["replaying"]
    view.do("fork")
    assert "forked" in view.note["text"] and not view.timeline_info["replaying"]
    assert view.timeline_info["end"] == pytest.approx(end / 2)


def test_keys_without_a_target_say_what_to_click():
    view = ClusterView(elected())
    view.do("drop", message=None)
    assert view.note["error"] and "click or point at a message first" in view.note["text"]
    view.do("timeout", server=None)
    assert view.note["error"] and "click a server first" in view.note["text"]
    view.lang = "zh"
    view.do("drop", message=None)
    assert "请先点击或指向一条消息" in view.note["text"]


def test_each_widget_keeps_its_own_language():
    rl.set_language("zh")
    try:
        zh = ClusterView(elected())
    finally:
        rl.set_language("en")
    en = ClusterView(elected())
    assert zh.lang == "zh" and zh.labels["leader"] == "领导者" and en.labels["leader"] == "leader"
    rl.set_language("zh")  # a later global change does not touch existing widgets
    try:
        zh.do("step")
        en.do("step")
    finally:
        rl.set_language("en")
    assert en.labels["step"] == "step" and zh.labels["step"] == "单步"
    en.lang = "zh"  # the widget's own switch
    assert en.labels["step"] == "单步"


def test_errors_and_recent_events_are_in_the_widget_language():
    view = ClusterView(elected(), lang="zh")
    view.do("cut", link="nonsense")
    assert "链路" in view.note["text"]
    view.do("crash", server="S2")
    assert any("崩溃" in line for line in view.state["recent"])
    view.do("fly")
    assert "未知操作" in view.note["text"]
    view.do("drop", message=12345)
    assert view.note["error"] and "已不在途中" in view.note["text"]
    view.do("timeout", server="S9")
    assert "没有服务器 'S9'" in view.note["text"]


def test_message_details_are_in_the_widget_language():
    """The panel's one-line summary of each message in flight (raftlib/describe.py)."""
    c = rl.Cluster(3, seed=1)
    c.run_until(lambda: any(type(m.message).__name__ == "RequestVoteReply"
                            for m in c.in_flight()), timeout=5)
    zh = [row[-1] for row in ClusterView(c, lang="zh").state["msgs"]]
    en = [row[-1] for row in ClusterView(c, lang="en").state["msgs"]]
    assert any("同意" in d or "拒绝" in d for d in zh), zh
    assert not any(w in d for d in zh for w in ("granted", "refused", "last ", "commit")), zh
    assert any("granted" in d or "refused" in d for d in en), en


def test_every_ui_string_is_translated():
    from raftlib.i18n import UI

    for key, (en, zh) in UI.items():
        assert en and zh and en != zh or key in ("now",), key


def test_presets_and_reset():
    c = rl.Cluster(5, seed=2)
    view = ClusterView(c)
    view.do("preset", name="split_vote")
    assert "split vote" in view.note["text"] and view.cluster is c
    view.do("preset", name="nope")
    assert view.note["error"] and "split_vote" in view.note["text"]
    view.do("reset", seed=7)
    assert c.now == 0 and c.seed == 7


def test_browser_messages_go_through_do():
    view = ClusterView(elected())
    view._on_custom(view, {"action": "crash", "server": "S3"}, [])
    assert not view.cluster.up["S3"]
    view._on_custom(view, {"action": "crash"}, [])  # a field missing: an error note, no traceback
    assert view.note["error"]


def test_show_and_widget_validate_their_input():
    with pytest.raises(rl.ConfigError, match="rl.Cluster"):
        ClusterView(None)
    with pytest.raises(rl.ConfigError, match="speed"):
        ClusterView(rl.Cluster(3), speed=50)
    assert isinstance(rl.Cluster(3).widget(), ClusterView)


def _tour() -> Tour:
    return Tour(lambda: rl.Cluster(5, seed=1), [
        TourStep("Five followers."),
        TourStep({"en": "A leader.", "zh": "产生了领导者。"},
                 action=lambda c: c.run_until(lambda: c.leader() is not None, 2.0), select="S2"),
        TourStep("The leader crashes.", action=lambda c: c.crash(c.leader())),
    ], title="Election")


def test_tour_steps_forward_and_back_deterministically():
    tour = _tour()
    assert tour.index == 0 and tour.cluster.leader() is None and tour.caption == "Five followers."
    tour.next()
    leader, t = tour.cluster.leader(), tour.cluster.now
    assert leader and tour.caption == "A leader." and tour.view.selected == "S2"
    assert "step 2 of 3" in tour.progress.value
    tour.next()
    assert not tour.cluster.up[leader]
    tour.next()  # no-op at the end
    assert tour.index == 2 and tour.next_button.disabled
    tour.back()
    assert tour.index == 1 and tour.cluster.leader() == leader and tour.cluster.now == t
    tour.goto(0)
    assert tour.cluster.now == 0 and tour.back_button.disabled
    with pytest.raises(rl.ConfigError, match="from 0 to 2"):
        tour.goto(3)


def test_tour_captions_follow_the_widget_language():
    tour = _tour()
    tour.goto(1)
    tour.view.lang = "zh"
    assert tour.caption == "产生了领导者。" and "第 2 步，共 3 步" in tour.progress.value


def test_tour_rejects_bad_steps():
    with pytest.raises(rl.ConfigError, match="at least one"):
        Tour(lambda: rl.Cluster(3), [])
    with pytest.raises(rl.ConfigError, match="caption"):
        Tour(lambda: rl.Cluster(3), [TourStep(42)])
    with pytest.raises(rl.ConfigError, match="setup"):
        Tour(rl.Cluster(3), [TourStep("x")])
    with pytest.raises(rl.ConfigError, match="rl.TourStep"):
        Tour(lambda: rl.Cluster(3), ["x"])
    with pytest.raises(rl.ConfigError, match="must return an rl.Cluster"):
        Tour(lambda: None, [TourStep("x")])
