"""English or Chinese labels for the widget, plots and tables.

    >>> import raftlib as rl
    >>> rl.set_language("zh"); rl.get_language()
    'zh'
    >>> from raftlib.i18n import text
    >>> text("leader"), text("step")
    ('领导者', '单步')
    >>> rl.set_language("en")

The language before any ``set_language`` call is the course folder's: the nearest
``raft-course.json`` in the working directory or a parent (``notebooks/zh/`` holds
``{"language": "zh"}``), else English. A kernel's working directory is its
notebook's folder (JupyterLab, JupyterLite, nbclient), so every notebook of the
Chinese edition draws Chinese widgets and plots with code cells identical to the
English edition's.

Raft terms (leader, term, commit index, ...) come from the glossary
(``raftlib/data/glossary.csv``) so the widget says exactly what the lessons say;
words of the user interface that are not Raft terms ("play", "step") live in
:data:`UI` below.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import glossary
from .errors import ConfigError, UnknownTermError

LANGUAGES = ("en", "zh")
MARKER = "raft-course.json"
_state: dict[str, str | None] = {"lang": None}  # None: not chosen yet, use the folder's

#: UI strings that are not glossary terms: key -> (English, Chinese). ``{name}`` fields are
#: filled by :func:`text`'s keyword arguments.
UI: dict[str, tuple[str, str]] = {
    # controls
    "play": ("play", "播放"),
    "step": ("step", "单步"),
    "step_tip": ("carry out exactly one event", "执行恰好一个事件"),
    "next_event": ("next role change / commit", "下一个角色变化/提交"),
    "next_event_tip": ("run until a server changes role or commits an entry",
                       "一直运行，直到某台服务器改变角色或提交条目"),
    "speed": ("speed", "速度"),
    "speed_tip": ("virtual seconds per real second (log scale): 0.01 = 100× slower than real time",
                  "每真实秒推进的虚拟秒数（对数刻度）：0.01 表示比真实时间慢 100 倍"),
    "time": ("time", "时间"),
    "time_tip": ("drag back to rewind: the run replays exactly; acting in the past forks history",
                 "向回拖动即可回到过去：运行会被精确重放；在过去采取操作会分叉出新的历史"),
    "reset": ("reset", "重置"),
    "reset_tip": ("start again from t = 0 with this seed", "用这个种子从 t = 0 重新开始"),
    "preset": ("scenario", "场景"),
    "apply": ("set up", "布置"),
    "timeout": ("time out", "触发超时"),
    "timeout_tip": ("make this server's election timer fire now", "让这台服务器的选举计时器立即到期"),
    "request": ("client request", "客户端请求"),
    "request_tip": ("give this server a command, as a client would (only a leader accepts it)",
                    "像客户端一样向这台服务器提交一条命令（只有领导者会接受）"),
    "drop": ("drop", "丢弃"),
    "duplicate": ("duplicate", "重复投递"),
    "deliver_now": ("deliver now", "立即送达"),
    "message": ("message", "消息"),
    "messages": ("messages", "消息"),
    "no_message": ("(no message in flight)", "（没有在途消息）"),
    "group": ("group", "分组"),
    "partition_apply": ("partition", "分区"),
    "partition_tip": ("servers in different groups cannot reach each other",
                      "不同分组中的服务器彼此无法通信"),
    "cut": ("cut one way", "单向切断"),
    "cut_tip": ("messages from the first server to the second are lost; the other direction works",
                "从第一台服务器发往第二台的消息会丢失，反方向仍然正常"),
    "heal": ("heal", "恢复网络"),
    "heal_tip": ("remove every partition and cut", "移除所有分区和切断"),
    "servers_tab": ("servers", "服务器"),
    "messages_tab": ("messages", "消息"),
    "network_tab": ("network", "网络"),
    "scenarios_tab": ("scenarios", "场景"),
    "inspector": ("inspector", "检查器"),
    "recent": ("recent events", "最近事件"),
    # status line
    "now": ("t = {t} s", "t = {t} 秒"),
    "no_leader": ("no leader", "没有领导者"),
    "leader_is": ("leader {s} (term {term})", "领导者 {s}（任期 {term}）"),
    "history": ("replaying the recorded run", "正在重放已记录的运行"),
    "forked": ("history forked at t = {t} s", "历史在 t = {t} 秒处分叉"),
    "rebased": ("the cluster was changed outside the widget: history restarts here",
                "集群在控件之外被修改：历史从这里重新开始"),
    "no_rewind": ("rewinding is off: {why}", "无法回放：{why}"),
    "became": ("{s} became {role} (term {term})", "{s} 成为{role}（任期 {term}）"),
    "committed_up_to": ("{s} committed up to index {i}", "{s} 已提交到索引 {i}"),
    "nothing_happened": ("nothing to do: no event is queued", "没有可执行的事件"),
    "no_change": ("no role change or commit within {sec} s", "{sec} 秒内没有角色变化或提交"),
    "not_leader": ("{s} is not the leader: request refused (leader: {leader})",
                   "{s} 不是领导者：请求被拒绝（领导者：{leader}）"),
    "accepted": ("{s} appended the command at index {i} (term {term})",
                 "{s} 把命令追加到索引 {i}（任期 {term}）"),
    "preset_done": ("scenario “{name}” set up (seed {seed})", "已布置场景“{name}”（种子 {seed}）"),
    "reset_done": ("reset with seed {seed}", "已用种子 {seed} 重置"),
    # picture
    "crashed": ("crashed", "已崩溃"),
    "voted": ("voted {s}", "投给 {s}"),
    "votes": ("votes {n}/{need}", "得票 {n}/{need}"),
    "earlier": ("entries 1 to {n} are not shown", "未显示第 1 至 {n} 条日志条目"),
    "vote_reply": ("vote reply", "投票回复"),
    "append_reply": ("AppendEntries reply", "追加条目回复"),
    "dropped": ("dropped", "已丢弃"),
    "refused": ("reply: refused / failed", "回复：拒绝 / 失败"),
    "client_msg": ("client", "客户端"),
    "blocked": ("blocked link", "不通的链路"),
    "next_marker": ("leader's next_index", "领导者的 next_index"),
    "match_marker": ("leader's match_index", "领导者的 match_index"),
    "timer_arc": ("arc: election timer left", "圆弧：选举计时器剩余"),
    # inspector
    "role": ("role", "角色"),
    "leader_id": ("leader_id", "所知领导者"),
    "last_log": ("last log index / term", "最后日志索引 / 任期"),
    "timer_due": ("election timer fires in", "选举计时器到期还有"),
    "votes_received": ("votes received", "已获选票"),
    "peer": ("peer", "对端"),
    "only_leaders": ("only a leader keeps next_index and match_index",
                     "只有领导者维护 next_index 和 match_index"),
    "kv_state": ("key-value state", "键值状态"),
    "last_entries": ("last entries", "最近的条目"),
    "id": ("id", "编号"),
    "from_to": ("from → to", "发送方 → 接收方"),
    "sent_at": ("sent at", "发送时间"),
    "arrives_at": ("arrives at", "到达时间"),
    "type": ("type", "类型"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    # cluster picture (raftlib/widgets/static/cluster.js)
    "pause": ("pause", "暂停"),
    "play_tip": ("play / pause (Space)", "播放 / 暂停（空格键）"),
    "back": ("step back", "后退一步"),
    "back_tip": ("go back to just after the previous event (←)", "回到上一个事件刚发生之后（←）"),
    "help": ("help", "帮助"),
    "term_short": ("T{t}", "任期{t}"),
    "crashed_keeps": ("crashed: only its persistent state (term, vote, log) survives",
                      "已崩溃：只保留持久状态（任期、投票、日志）"),
    "click_hint": ("click a server, a message or a link to act on it; hover for details",
                   "点击服务器、消息或链路进行操作；悬停查看详情"),
    "link_ok": ("link works", "链路正常"),
    "isolate": ("isolate (partition it off)", "隔离（分区出去）"),
    "cut_link": ("cut this link", "切断这条链路"),
    "heal_link": ("heal this link", "恢复这条链路"),
    "help_click": ("Click a server: crash, restart, time out, client request. Click a message: "
                   "drop, duplicate, deliver now. Click a link: cut or heal it. Drag the time "
                   "slider to replay; acting in the past forks history.",
                   "点击服务器：崩溃、重启、触发超时、客户端请求。点击消息：丢弃、重复投递、立即送达。"
                   "点击链路：切断或恢复。拖动时间滑块可重放；在过去采取操作会分叉出新的历史。"),
    "help_legend": ("Arrows are messages moving from sender to receiver (colour = type; ✓ / ✗ = "
                    "reply success or refusal; ×n = a burst). The arc around a server is the time "
                    "left on its election timer, on one scale for all servers (a full circle = the "
                    "longest election timeout): the shortest arc fires first. A stale leader leads "
                    "an older term than the highest one. Log cells: solid = committed, pale = not "
                    "yet; ▼ = the leader's next_index, green bar = its match_index.",
                    "箭头是从发送方飞向接收方的消息（颜色 = 类型；✓ / ✗ = 回复成功或拒绝；×n = 一批消息）。"
                    "服务器外圈的圆弧是选举计时器的剩余时间，所有服务器用同一刻度（整圈 = 最长选举超时）："
                    "圆弧最短的最先到期。过时的领导者所在任期比最高任期旧。日志格：实心 = 已提交，"
                    "浅色 = 未提交；▼ = 领导者的 next_index，绿条 = 它的 match_index。"),
    "key_play": ("play / pause", "播放 / 暂停"),
    "key_step": ("one event forward", "前进一个事件"),
    "key_back": ("one event back", "后退一个事件"),
    "key_next": ("next role change / commit", "下一个角色变化/提交"),
    "key_request": ("client request to the leader of the highest term",
                    "向最高任期的领导者发送客户端请求"),
    "key_crash": ("crash the leader of the highest term", "让最高任期的领导者崩溃"),
    "key_restart": ("restart every crashed server", "重启所有已崩溃的服务器"),
    "key_timeout": ("time out the selected server", "让选中的服务器超时"),
    "key_heal": ("heal the whole network", "恢复整个网络"),
    "key_reboot": ("crash and restart the leader of the highest term",
                   "让最高任期的领导者崩溃并立即重启"),
    "key_align": ("align the election timers: all fire at nearly the same moment (a split vote "
                  "is likely)", "对齐选举计时器：几乎同时到期（很可能出现选票瓜分）"),
    "key_spread": ("spread the election timers apart (the first candidate should win)",
                   "拉开选举计时器的间隔（第一个候选人应当胜出）"),
    "key_drop": ("drop the message whose menu is open or under the pointer",
                 "丢弃菜单已打开或鼠标所指的消息"),
    "key_fork": ("fork: the present becomes the end of history", "分叉：当前时刻成为历史的终点"),
    "key_close": ("close the menu or help", "关闭菜单或帮助"),
    "key_help": ("show or hide this help", "显示或隐藏本帮助"),
    # the prediction widget (raftlib.widgets.predict)
    "predict_predict": ("Predict first", "先预测"),
    "predict_run": ("Lock in and run", "锁定答案并运行"),
    "predict_choose": ("choose an answer first", "请先选择一个答案"),
    "predict_right": ("Your prediction was right: {answer}.", "你的预测正确：{answer}。"),
    "predict_wrong": ("You predicted {choice}; the run says {answer}.",
                      "你预测的是 {choice}；运行结果是 {answer}。"),
    "predict_why": ("Why", "原因"),
    "history_from_now": ("history starts at t = {t} s: the cluster was changed before it was shown",
                         "历史从 t = {t} 秒开始：集群在显示之前已被修改"),
    "unknown_action": ("unknown action {action!r}; allowed: {allowed}",
                       "未知操作 {action!r}；可用操作：{allowed}"),
    "bad_link": ("a link is two different servers joined by '-', like 'S1-S2'; got {link!r}",
                 "链路应写成用 '-' 连接的两台不同服务器，例如 'S1-S2'；收到的是 {link!r}"),
    "unknown_server": ("no server {s!r}; the servers are {allowed}",
                       "没有服务器 {s!r}；现有服务器：{allowed}"),
    "no_such_message": ("message #{id} is no longer in flight (in flight now: {ids})",
                        "消息 #{id} 已不在途中（当前在途：{ids}）"),
    "choose_server": ("click a server first (or pick one in its menu)",
                      "请先点击一台服务器（或在它的菜单中选择）"),
    "choose_message": ("click or point at a message first ({n} in flight)",
                       "请先点击或指向一条消息（在途 {n} 条）"),
    "no_timers": ("needs at least two running election timers, found {n} (a leader and a crashed "
                  "server have none: crash the leader first)",
                  "至少需要两个正在运行的选举计时器，现有 {n} 个（领导者和已崩溃的服务器没有：请先让领导者崩溃）"),
    "align_done": ("election timers of {servers} aligned: all fire within {ms} ms, so a split "
                   "vote is likely", "已对齐 {servers} 的选举计时器：都在 {ms} 毫秒内到期，很可能出现选票瓜分"),
    "align_done_leader": ("election timers of {servers} aligned, but leader {leader}'s "
                          "heartbeats will reset them: crash it (K) to see a split vote",
                          "已对齐 {servers} 的选举计时器，但领导者 {leader} 的心跳会重置它们："
                          "让它崩溃（K）才能看到选票瓜分"),
    "spread_done": ("election timers of {servers} spread at least {ms} ms apart (one message "
                    "delay): the first candidate should win",
                    "已拉开 {servers} 的选举计时器，间隔至少 {ms} 毫秒（一次消息延迟）：第一个候选人应当胜出"),
    "restarted": ("restarted: {servers}", "已重启：{servers}"),
    "reboot": ("crash and restart", "崩溃并重启"),
    "unknown_preset": ("unknown scenario {name!r}; allowed: {allowed}",
                       "未知场景 {name!r}；可用场景：{allowed}"),
    "ev_timer": ("timer", "计时器"),
    "ev_role": ("becomes", "成为"),
    "ev_submit": ("gets a command", "收到命令"),
    "ev_apply": ("applies", "应用"),
    "ev_deliver": ("delivered", "已送达"),
    "ev_drop": ("lost", "丢失"),
    "ev_duplicate": ("duplicated", "被重复投递"),
    "ev_crash": ("crashes", "崩溃"),
    "ev_restart": ("restarts", "重启"),
    "ev_disconnect": ("disconnected", "断开网络"),
    "ev_connect": ("reconnected", "重新连网"),
    "ev_partition": ("partition", "网络分区"),
    "ev_cut": ("link cut to", "切断链路到"),
    "ev_heal": ("network healed", "网络已恢复"),
    "ev_client_send": ("client sends", "客户端发送"),
    # one-line message summaries (raftlib/describe.py): the widget's panel and the tables
    "m_pre": ("pre-vote ", "预投票 "),
    "m_vote": ("{pre}t{term} last {index}/t{last_term}", "{pre}t{term} 末条 {index}/t{last_term}"),
    "m_granted": ("{pre}t{term} granted", "{pre}t{term} 同意"),
    "m_refused": ("{pre}t{term} refused", "{pre}t{term} 拒绝"),
    "m_entries": (" +{n} entries", " +{n} 个条目"),
    "m_entry": (" +1 entry", " +1 个条目"),
    "m_append": ("t{term} prev {index}/t{prev_term}{entries} commit {commit}",
                 "t{term} prev {index}/t{prev_term}{entries} 提交 {commit}"),
    "m_ok": ("t{term} ok match {match}", "t{term} 成功 match {match}"),
    "m_stale": ("t{term} refused (stale term)", "t{term} 拒绝（任期过时）"),
    "m_conflict": ("t{term} fail conflict {index}{term_part}", "t{term} 失败 冲突于 {index}{term_part}"),
    "m_client_ok": ("ok {result}", "成功 {result}"),
    "m_not_leader": ("not leader (hint {hint})", "不是领导者（提示 {hint}）"),
    # guided tours (raftlib/widgets/tour.py)
    "tour_progress": ("step {k} of {n}", "第 {k} 步，共 {n} 步"),
    "tour_back": ("← back", "← 上一步"),
    "tour_next": ("next →", "下一步 →"),
    # scenarios
    "split_vote_scn": ("split vote", "选票瓜分"),
    "leader_crash_scn": ("leader crash", "领导者崩溃"),
    "two_leaders_scn": ("partition with two leaders", "网络分区下的两个领导者"),
    "figure8_scn": ("the paper's Figure 8", "论文中的图8"),
    "stale_follower_scn": ("stale follower repaired", "落后的跟随者被修复"),
    # plots
    "virtual_time": ("virtual time (s)", "虚拟时间（秒）"),
    "spacetime_title": ("Space-time diagram", "时空图"),
    "timeline_title": ("Role and term of each server", "各服务器的角色与任期"),
    "term_strip": ("top strip: colour of the term", "顶部细条：任期的颜色"),
    "log_matrix_title": ("Logs at t = {t} s", "t = {t} 秒时的日志"),
    "count": ("count", "次数"),
    "median": ("median", "中位数"),
    "distribution_title": ("Distribution", "分布"),
    "history_title": ("Client history", "客户端操作历史"),
    "history_bad": ("Client history: not linearizable (violating operations in red)",
                    "客户端操作历史：不可线性化（红色为违反的操作）"),
    "pending_op": ("pending (no answer)", "未完成（无应答）"),
    "violating_op": ("cannot be linearized", "无法线性化"),
}


def set_language(lang: str) -> None:
    """Use English (``"en"``) or Chinese (``"zh"``; ``"zh-CN"`` etc. also work) for labels of
    plots and tables, and as the language of widgets made from now on (a widget keeps its
    own language: its EN / 中文 switch, or ``rl.ClusterView(c, lang=...)``)."""
    if not isinstance(lang, str):
        raise ConfigError(f"language must be 'en' or 'zh', got {lang!r}")
    _state["lang"] = normalize(lang)


def get_language() -> str:
    """The language labels use now: ``"en"`` or ``"zh"`` (at first, :func:`folder_language`)."""
    if _state["lang"] is None:
        _state["lang"] = folder_language()
    return _state["lang"]


def tr(en: str, zh: str) -> str:
    """``en`` or ``zh``, whichever is the current language (:func:`get_language`).

    Lesson code cells are shared by both editions, so what they print is written in
    both languages: ``print(rl.tr("committed:", "已提交："), n)`` prints ``committed:`` in
    the English notebooks and ``已提交：`` in ``notebooks/zh/``. In Chinese, once matplotlib is
    loaded, it also makes matplotlib's default fonts those of :mod:`raftlib.plots` (a CJK
    fallback), so that a lesson's own titles and labels draw without missing glyphs.
    """
    for name, value in (("en", en), ("zh", zh)):
        if not isinstance(value, str):
            raise ConfigError(f"rl.tr takes two strings (English, Chinese); {name} was {value!r}")
    if get_language() != "zh":
        return en
    if "matplotlib" in sys.modules:  # the lesson may draw this text: give its own plots a CJK font
        _cjk_plot_fonts()
    return zh


def _cjk_plot_fonts() -> None:
    """Add the CJK fallback font of :mod:`raftlib.plots` to matplotlib's default fonts."""
    import matplotlib

    from .plots import _families

    families = list(_families())
    if matplotlib.rcParams["font.family"] != families:
        matplotlib.rcParams["font.family"] = families


def folder_language(folder: Path | str | None = None) -> str:
    """The language of the nearest ``raft-course.json`` in ``folder`` (default: the working
    directory) or a parent, e.g. ``{"language": "zh"}``; ``"en"`` if there is none."""
    start = Path(folder if folder is not None else Path.cwd()).resolve()
    for place in (start, *start.parents):
        marker = place / MARKER
        if marker.is_file():
            try:
                lang = json.loads(marker.read_text(encoding="utf-8"))["language"]
                return normalize(lang)
            except (ValueError, KeyError, TypeError, ConfigError) as err:
                raise ConfigError(f"{marker}: expected {{\"language\": \"en\"}} or "
                                  f"{{\"language\": \"zh\"}} ({err})") from None
    return "en"


def normalize(lang: str | None) -> str:
    """``None`` -> the current language; ``"zh-CN"`` -> ``"zh"``; anything else is a ConfigError."""
    if lang is None:
        return get_language()
    code = lang.strip().lower().replace("_", "-").split("-")[0] if isinstance(lang, str) else ""
    if code not in LANGUAGES:
        raise ConfigError(f"language must be 'en' or 'zh', got {lang!r}")
    return code


def text(key: str, lang: str | None = None, **fields) -> str:
    """The label ``key`` in ``lang`` (default: the current language).

    ``key`` is a UI string of :data:`UI` or a glossary key; ``fields`` fill ``{name}``
    placeholders. Unknown keys raise :class:`~raftlib.errors.UnknownTermError`.
    """
    code = normalize(lang)
    pair = UI.get(key)
    if pair is not None:
        label = pair[code == "zh"]
    else:
        try:
            label = glossary.label(key, code)
        except UnknownTermError:
            raise UnknownTermError(f"{key!r} is neither a UI string of raftlib.i18n.UI nor a "
                                   f"glossary key") from None
    return label.format(**fields) if fields else label

