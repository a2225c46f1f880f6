"""The cluster widget, driven in-process through its ipywidgets objects (.click(), .value)."""

from __future__ import annotations

import re

import pytest

import raftlib as rl
from raftlib import i18n
from raftlib.palette import DROP_COLOR, MESSAGE_COLORS, term_color
from raftlib.widgets import ClusterView, drawing


@pytest.fixture(autouse=True)
def english():
    rl.set_language("en")
    yield
    rl.set_language("en")


def elected(seed: int = 3, n: int = 5) -> rl.Cluster:
    c = rl.Cluster(n, seed=seed)
    assert c.run_until(lambda: c.leader() is not None, 5)
    c.run(0.2)
    return c


def status_leader(view: ClusterView) -> str:
    return re.search(r"data-leader='(\w*)'", view.status.value).group(1)


def note(view: ClusterView) -> str:
    found = re.search(r"class='raft-note'[^>]*>(.*?)</div>", view.status.value)
    return found.group(1) if found else ""


def test_view_draws_every_server_its_term_and_the_leader():
    c = elected()
    view = c.widget()
    assert isinstance(view, ClusterView) and view.cluster is c
    svg = view.picture.value
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for s in c.nodes:
        assert f">{s}</text>" in svg
    leader = c.leader()
    assert status_leader(view) == leader
    assert f"term {c[leader].current_term}</text>" in svg
    assert term_color(c[leader].current_term) in svg
    assert "★ leader" in svg


def test_crash_on_the_leader_then_next_event_shows_a_new_leader():
    c = elected()
    view = ClusterView(c)
    old = c.leader()
    view.server_select.value = old
    view.crash_button.click()
    assert not c.up[old]
    assert status_leader(view) == ""
    assert ">crashed</text>" in view.picture.value
    for _ in range(10):
        view.next_button.click()
        if status_leader(view) not in ("", old):
            break
    new = status_leader(view)
    assert new not in ("", old) and c.leader() == new
    assert "became leader" in note(view)


def test_restart_timeout_and_client_request_buttons():
    c = elected()
    view = ClusterView(c)
    leader = c.leader()
    follower = next(s for s in c.nodes if s != leader)
    view.server_select.value = follower
    view.crash_button.click()
    view.restart_button.click()
    assert c.up[follower] and c.incarnation[follower] == 1
    term = c[follower].current_term
    view.timeout_button.click()
    assert c[follower].role == "candidate" and c[follower].current_term == term + 1
    assert "votes 1/3" in view.picture.value

    c2 = elected()
    view2 = ClusterView(c2)
    view2.server_select.value = c2.leader()
    view2.request_button.click()
    assert c2[c2.leader()].last_log_index == 1
    assert "appended the command at index 1" in note(view2)
    view2.server_select.value = next(s for s in c2.nodes if s != c2.leader())
    view2.request_button.click()
    assert "is not the leader" in note(view2)


def test_step_is_exactly_one_event_of_the_same_run():
    twin = elected()
    c = elected()
    view = ClusterView(c)
    for _ in range(25):
        view.step_button.click()
        twin.step()
    assert c.trace_rows() == twin.trace_rows()
    assert f"t = {c.now:.3f} s" in view.status.value


def test_play_ticks_advance_virtual_time_by_speed():
    c = elected()
    view = ClusterView(c, speed=0.1)
    start = c.now
    view.play.value += 1
    assert c.now == pytest.approx(start + 0.1 * 0.05)
    before = view.picture.value
    view.speed.value = 1.0
    view.play.value += 2  # two ticks at once: the view catches up
    assert c.now == pytest.approx(start + 0.005 + 1.0 * 0.1)
    assert view.picture.value != before
    view.play.value = 0  # the stop button: time does not go back
    assert c.now == pytest.approx(start + 0.105)


def test_time_slider_rewinds_and_replays_exactly():
    c = elected()
    view = ClusterView(c)
    start = c.now
    view.play.value += 1
    view.server_select.value = c.leader()
    view.crash_button.click()
    for _ in range(4):
        view.next_button.click()
    end, rows = c.now, c.trace_rows()
    assert view.time.min == pytest.approx(start) and view.time.max == pytest.approx(end)
    crashed_at = next(r[0] for r in rows if r[1] == "crash")
    view.time.value = (start + crashed_at) / 2
    assert c.now == pytest.approx((start + crashed_at) / 2)
    assert all(c.up.values())  # before the crash
    assert c.trace_rows() == rows[:len(c.trace_rows())]
    assert "replaying" in view.status.value
    view.time.value = end
    assert c.trace_rows() == rows


def test_acting_in_the_past_forks_history():
    c = elected()
    view = ClusterView(c)
    start = c.now
    view.play.value += 1
    view.next_button.click()
    view.next_button.click()
    view.time.value = start + 0.002
    victim = next(s for s in c.nodes if s != c.leader())
    view.server_select.value = victim
    view.crash_button.click()
    assert "history forked" in note(view)
    assert not view.timeline.replaying and view.time.max == pytest.approx(c.now)
    assert not c.up[victim]


def test_message_controls_drop_duplicate_and_deliver_now():
    c = elected()
    view = ClusterView(c)
    view.step_button.click()
    while not view.message_select.options:
        view.step_button.click()
    first = view.message_select.options[0][1]
    view.message_select.value = first
    assert "<h4>message</h4>" in view.inspector.value and f"#{first}" in view.inspector.value
    assert 'r="12" fill="none"' in view.picture.value  # the selected message is ringed
    view.drop_button.click()
    assert first not in [m.id for m in c.in_flight()]
    assert c.trace_rows()[-1][1] == "drop" and c.trace_rows()[-1][-1] == "dropped by hand"
    assert DROP_COLOR in view.picture.value
    msg = view.message_select.options[0][1]
    view.message_select.value = msg
    view.duplicate_button.click()
    assert c.trace_rows()[-1][1] == "duplicate"
    view.message_select.value = msg
    count = len(c.in_flight())
    view.deliver_button.click()
    assert c.trace_rows()[-1][1] in ("deliver", "role", "apply") and len(c.in_flight()) >= count - 1
    assert msg not in [m.id for m in c.in_flight()]


def test_message_button_without_a_message_says_so():
    c = rl.Cluster(3, seed=1)
    view = ClusterView(c)
    view.drop_button.click()
    assert "no message in flight" in note(view)


def test_partition_editor_cut_and_heal():
    c = elected()
    view = ClusterView(c)
    for s in ("S4", "S5"):
        view.group_select[s].value = "B"
    view.partition_button.click()
    assert c.network.groups == [["S1", "S2", "S3"], ["S4", "S5"]]
    assert ("S1", "S4") in c.network.blocked
    assert 'stroke-dasharray="5 4"' in view.picture.value
    assert ">B</text>" in view.picture.value  # group badges
    view.heal_button.click()
    assert not c.network.blocked
    view.cut_from.value, view.cut_to.value = "S2", "S3"
    view.cut_button.click()
    assert c.network.blocked == {("S2", "S3")}
    view.cut_to.value = "S2"
    view.cut_button.click()
    assert "two different servers" in note(view)


@pytest.mark.parametrize("name", ["split_vote", "leader_crash", "two_leaders", "figure8",
                                  "stale_follower"])
def test_preset_buttons_set_up_each_scenario(name):
    c = rl.Cluster(5, seed=4)
    view = ClusterView(c)
    view.seed.value = 11
    view.preset_select.value = name
    view.preset_button.click()
    assert view.cluster is c and c.seed == 11
    assert "set up" in note(view)
    assert view.time.min == pytest.approx(c.now)  # history starts at the scenario
    logs = {s: [e.term for e in c[s].log] for s in c.nodes}
    if name == "split_vote":
        assert all(c[s].role == "candidate" for s in c.nodes)
    elif name == "leader_crash":
        assert sum(not u for u in c.up.values()) == 1 and c.leader() is None
    elif name == "two_leaders":
        assert len([s for s in c.nodes if c[s].role == "leader"]) == 2
    elif name == "figure8":
        assert logs == {"S1": [1, 2, 4], "S2": [1, 2], "S3": [1, 2], "S4": [1], "S5": [1, 3]}
    else:
        assert sorted(len(v) for v in logs.values()) == [3, 3, 6, 6, 6]


def test_preset_that_does_not_fit_reports_an_error_and_keeps_the_cluster():
    c = rl.Cluster(3, seed=1)
    view = ClusterView(c)
    view.preset_select.value = "figure8"
    view.preset_button.click()
    assert "exactly 5 servers" in note(view)
    assert c.now == 0 and len(c.nodes) == 3


def test_seed_box_and_reset_keep_the_same_cluster_object():
    c = elected(seed=3)
    view = ClusterView(c)
    view.seed.value = 42
    view.reset_button.click()
    assert view.cluster is c and c.seed == 42 and c.now == 0
    assert all(c[s].current_term == 0 for s in c.nodes)
    assert c.safety.cluster is c
    c.run(1.0)
    fresh = rl.Cluster(5, seed=42)
    fresh.run(1.0)
    assert c.trace_rows() == fresh.trace_rows()


def test_inspector_shows_figure2_state_of_the_selected_server():
    c = elected()
    leader = c.leader()
    c.submit("a")
    c.run(0.1)
    view = ClusterView(c)
    view.server_select.value = leader
    html = view.inspector.value
    for field in ("current_term", "voted_for", "commit_index", "last_applied", "next_index",
                  "match_index"):
        assert f"<code>{field}</code>" in html
    peer = c[leader].peers[0]
    assert f"<tr><td>{peer}</td><td>{c[leader].next_index[peer]}</td>" in html
    follower = next(s for s in c.nodes if s != leader)
    view.server_select.value = follower
    assert "only a leader keeps next_index" in view.inspector.value


def test_picture_log_rows_mark_committed_uncommitted_and_next_match():
    c = elected()
    leader = c.leader()
    c.submit("a")
    c.run(0.1)
    c.partition([leader], [s for s in c.nodes if s != leader])
    c.submit("b")
    svg = drawing.render(c)
    assert 'stroke-dasharray="3 2"' in svg  # the uncommitted entry "b"
    assert 'fill="#2f855a"' in svg and "<title>next_index" in svg


def test_chinese_labels_come_from_the_glossary():
    c = elected()
    rl.set_language("zh")
    view = ClusterView(c)
    assert view.step_button.description == "单步"
    assert view.crash_button.description == rl.glossary.label("crash", "zh")
    assert view.tabs.titles == ("消息", "网络", "场景")
    assert "任期" in view.picture.value and "领导者" in view.picture.value
    assert "当前任期 <code>current_term</code>" in view.inspector.value
    rl.set_language("en")
    view.step_button.click()  # an open view follows the language on its next redraw
    assert view.step_button.description == "step"


def test_safety_violation_is_shown_in_the_status():
    class VotesForEveryone(rl.RaftNode):
        def handle_request_vote(self, m):
            if m.term > self.current_term:
                self.current_term = m.term
            self.send(rl.RequestVoteReply(self.id, m.src, self.current_term, True))

    c = rl.Cluster(5, seed=2, node_class=VotesForEveryone)
    view = ClusterView(c)
    view.preset_select.value = "split_vote"
    view.preset_button.click()
    for _ in range(10):
        view.next_button.click()
        if "SafetyViolation" in note(view):
            break
    assert "Election Safety" in note(view)
    assert "color:#c53030" in view.status.value


def test_changing_the_cluster_in_code_restarts_the_history():
    c = elected()
    view = ClusterView(c)
    c.run(0.5)  # behind the view's back
    view.step_button.click()
    assert "changed outside the widget" in note(view)
    assert view.time.min == pytest.approx(c.now, abs=0.02)


def test_set_language_rejects_unknown_languages():
    with pytest.raises(rl.ConfigError, match="'en' or 'zh'"):
        rl.set_language("fr")
    rl.set_language("zh-CN")
    assert rl.get_language() == "zh"
    with pytest.raises(rl.RaftlibError):
        i18n.text("no_such_label")


def test_every_ui_string_is_translated():
    for key, (en, zh) in i18n.UI.items():
        assert en and zh, key
        fields = set(re.findall(r"{(\w+)}", en))
        assert fields == set(re.findall(r"{(\w+)}", zh)), key
        assert re.search(r"[\u4e00-\u9fff]", zh) or zh == en, key


def test_message_colours_follow_the_kind():
    c = elected()
    c.submit("a")
    svg = drawing.render(c)
    assert MESSAGE_COLORS["AppendEntries"] in svg  # an AppendEntries carrying "a"
    c.run(0.06)
    c2 = rl.Cluster(5, seed=1)
    c2.timeout("S1")
    assert MESSAGE_COLORS["RequestVote"] in drawing.render(c2)
