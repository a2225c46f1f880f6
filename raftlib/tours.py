"""Guided tours, in the spirit of The Secret Lives of Data: a scripted scenario the
learner advances with Next and Back, each step a caption beside the live cluster.

    >>> import raftlib as rl
    >>> tour = rl.tours.election()          # an rl.Tour; display it in a notebook
    >>> setup, steps = rl.tours.ELECTION    # the script itself: a setup and (caption, action)s

Each script is plain data: ``setup()`` returns a fresh cluster and each step is a
bilingual caption with the action that brings the cluster to the state the caption
describes. ``tests/test_tours.py`` plays every script on plain clusters and checks
that each caption's claims hold after its action.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from .cluster import Cluster
from .core import CANDIDATE, LEADER

Caption = dict[str, str]
Action = Callable[[Cluster], None] | None


class Script(NamedTuple):
    """A tour's scenario: how to build the cluster, then the steps in order."""

    setup: Callable[[], Cluster]
    steps: tuple[tuple[Caption, Action], ...]


def _others(c: Cluster, sid: str) -> list[str]:
    return [s for s in c.nodes if s != sid]


def _first_candidate(c: Cluster) -> str | None:
    return next((s for s in c.nodes if c.up[s] and c[s].role == CANDIDATE), None)


# ------------------------------------------------------------------ election (lesson 6)
def _election_setup() -> Cluster:
    return Cluster(5, seed=1)


def _s1_times_out(c: Cluster) -> None:
    c.timeout("S1")


def _votes_cast(c: Cluster) -> None:
    c.run_until(lambda: all(c[s].voted_for == "S1" for s in _others(c, "S1")), 0.1)


def _s1_wins(c: Cluster) -> None:
    c.run_until(lambda: c["S1"].role == LEADER, 0.1)


def _heartbeats(c: Cluster) -> None:
    c.run(0.3)


def _crash_s1(c: Cluster) -> None:
    c.crash("S1")


def _next_candidate(c: Cluster) -> None:
    c.run_until(lambda: _first_candidate(c) is not None, 1.0)


def _new_leader(c: Cluster) -> None:
    c.run_until(lambda: c.leader() not in (None, "S1"), 1.0)


def _s1_rejoins(c: Cluster) -> None:
    c.restart("S1")
    c.run(0.2)


def _split(c: Cluster) -> None:
    c.crash(c.leader())
    for s in c.nodes:
        if c.up[s]:
            c.timeout(s)
    c.run(0.02)


def _tie_broken(c: Cluster) -> None:
    c.run_until(lambda: c.leader() is not None, 2.0)


ELECTION = Script(_election_setup, (
    ({"en": "Five servers start as followers (跟随者) in term 0, with no leader. Each runs an "
            "election timer with its own random timeout between 150 and 300 ms.",
      "zh": "五台服务器以跟随者身份从任期 0 开始，没有领导者。每台服务器都有一个选举计时器，"
            "超时时间在 150 到 300 ms 之间各自随机选取。"}, None),
    ({"en": "S1's timer fires first. S1 increments its current_term to 1, becomes a candidate, "
            "votes for itself and sends RequestVote to the four others.",
      "zh": "S1 的计时器最先到期。S1 把 current_term 加到 1，成为候选人，给自己投票，"
            "并向其余四台服务器发送请求投票 RPC。"}, _s1_times_out),
    ({"en": "Each follower adopts term 1 and, since it has not voted in term 1 and S1's log is "
            "as up to date as its own, grants its vote: voted_for = S1. Granting a vote restarts "
            "its election timer.",
      "zh": "每个跟随者采用任期 1；它在任期 1 中还没有投过票，且 S1 的日志与自己的一样新，"
            "于是投票给 S1：voted_for = S1。投出选票会重启它的选举计时器。"}, _votes_cast),
    ({"en": "The votes come back. With 3 of 5 (its own included) S1 has a majority and becomes "
            "leader of term 1. No other server can win term 1: each has voted once.",
      "zh": "选票陆续返回。S1 得到 5 票中的 3 票（含自己的一票），获得多数，成为任期 1 的领导者。"
            "其他服务器不可能在任期 1 获胜：每台服务器都只投了一票。"}, _s1_wins),
    ({"en": "The leader sends heartbeats (AppendEntries with no entries) every 50 ms. Each one "
            "restarts the followers' timers, so no election starts while S1 is reachable.",
      "zh": "领导者每 50 ms 发送一次心跳（不带条目的追加条目 RPC）。每次心跳都会重启跟随者的"
            "计时器，所以只要 S1 可达，就不会开始新的选举。"}, _heartbeats),
    ({"en": "S1 crashes. The heartbeats stop; the four followers' timers keep running down.",
      "zh": "S1 崩溃。心跳停止；四个跟随者的计时器继续倒计时。"}, _crash_s1),
    ({"en": "The follower whose random timeout is shortest fires first: it starts term 2 as a "
            "candidate. The others have not timed out yet, so they will vote for it.",
      "zh": "随机超时最短的跟随者最先到期：它作为候选人开始任期 2。其他服务器还没有超时，"
            "所以会投票给它。"}, _next_candidate),
    ({"en": "It collects 3 votes (a majority of all five servers, though only four are up) and "
            "leads term 2.",
      "zh": "它获得 3 票（五台服务器的多数，尽管只有四台在运行），成为任期 2 的领导者。"},
     _new_leader),
    ({"en": "S1 restarts. It still believes in term 1, but the first heartbeat of term 2 tells "
            "it a newer term exists: it adopts term 2 and follows the new leader.",
      "zh": "S1 重启。它仍停留在任期 1，但任期 2 的第一次心跳告诉它存在更新的任期："
            "它采用任期 2，并跟随新的领导者。"}, _s1_rejoins),
    ({"en": "Now the leader of term 2 crashes too, and we force the four other timers to fire at "
            "the same instant: each server becomes a candidate in term 3 and votes for itself. "
            "No one can get 3 votes: a split vote.",
      "zh": "现在任期 2 的领导者也崩溃了，我们让其余四台服务器的计时器在同一时刻到期：每台都在"
            "任期 3 成为候选人并投票给自己。没有人能得到 3 票：选票瓜分。"}, _split),
    ({"en": "Each candidate draws a fresh random timeout. One fires clearly first, starts the next "
            "term and wins it before the others wake up: randomness breaks symmetry.",
      "zh": "每个候选人重新随机选取超时时间。某一台明显最先到期，开始下一个任期，并在其他服务器"
            "醒来之前赢得选举：随机性打破对称性。"}, _tie_broken),
))


# --------------------------------------------------------------- replication (lesson 7)
def _replication_setup() -> Cluster:
    c = Cluster(5, seed=2)
    c.timeout("S1")
    c.run_until(lambda: c["S1"].role == LEADER, 0.1)
    c.run(0.1)
    return c


def _submit_x(c: Cluster) -> None:
    c.submit("x=1", to="S1")


def _followers_append(c: Cluster) -> None:
    c.run_until(lambda: sum(c[s].last_log_index == 1 for s in _others(c, "S1")) >= 2, 0.1)


def _leader_commits(c: Cluster) -> None:
    c.run_until(lambda: c["S1"].commit_index == 1, 0.1)


def _followers_learn(c: Cluster) -> None:
    c.run_until(lambda: all(c[s].commit_index == 1 for s in c.nodes), 0.2)


def _minority_cut_off(c: Cluster) -> None:
    c.partition(["S1", "S2", "S3"], ["S4", "S5"])
    c.submit("y=2", to="S1")
    c.run(0.2)


def _leader_alone(c: Cluster) -> None:
    c.partition(["S1"], ["S2", "S3", "S4", "S5"])
    c.submit("z=3", to="S1")
    c.run_until(lambda: c.leader() not in (None, "S1"), 1.0)


def _heal(c: Cluster) -> None:
    c.heal()
    c.run(0.3)


def _new_entry_overwrites(c: Cluster) -> None:
    c.submit("w=4", to=c.leader())
    c.run(0.3)


REPLICATION = Script(_replication_setup, (
    ({"en": "S1 leads term 1 and every log is empty. A client will send commands to the leader.",
      "zh": "S1 是任期 1 的领导者，所有日志都是空的。客户端将把命令发给领导者。"}, None),
    ({"en": "A client sends x=1 to S1. S1 appends it to its own log as entry 1 of term 1. The "
            "entry is not committed yet: only one server holds it.",
      "zh": "客户端把 x=1 发给 S1。S1 把它作为任期 1 的第 1 个条目追加到自己的日志中。"
            "此时条目尚未提交：只有一台服务器持有它。"}, _submit_x),
    ({"en": "S1's AppendEntries carries the entry with prev_log_index 0 and prev_log_term 0 (the "
            "empty log before it). The two followers it reaches first find that their logs match "
            "there: each appends the entry and replies success.",
      "zh": "S1 的追加条目 RPC 携带这个条目，prev_log_index 为 0，prev_log_term 为 0"
            "（其前面是空日志）。最先收到它的两个跟随者发现自己的日志在该处匹配，于是各自追加条目并回复成功。"},
     _followers_append),
    ({"en": "Two replies reach S1: with its own copy, entry 1 is stored on 3 of 5 servers, a "
            "majority, and it is of S1's own term. S1 sets commit_index to 1 and applies x=1 to "
            "its state machine, without waiting for the slowest followers.",
      "zh": "两个回复到达 S1：加上它自己的副本，条目 1 已存储在 5 台中的 3 台上，构成多数，且属于 S1 "
            "自己的任期。S1 把 commit_index 设为 1 并把 x=1 应用到状态机，无需等待最慢的跟随者。"},
     _leader_commits),
    ({"en": "The followers learn it from the next AppendEntries: leader_commit = 1 is piggybacked "
            "on it. Each sets commit_index to 1 and applies x=1.",
      "zh": "跟随者从下一个追加条目 RPC 中得知这一点：leader_commit = 1 捎带在其中。"
            "它们各自把 commit_index 设为 1 并应用 x=1。"}, _followers_learn),
    ({"en": "A partition cuts S4 and S5 off. The client sends y=2: S1, S2 and S3 are a majority, "
            "so entry 2 is committed without S4 and S5.",
      "zh": "网络分区把 S4 和 S5 隔开。客户端发送 y=2：S1、S2、S3 构成多数，"
            "因此条目 2 在没有 S4 和 S5 的情况下被提交。"}, _minority_cut_off),
    ({"en": "Now S1 is cut off from everyone. It accepts z=3 as entry 3 but cannot commit it. "
            "The other four elect a new leader in term 2.",
      "zh": "现在 S1 与所有服务器隔开。它接受 z=3 作为条目 3，但无法提交。"
            "其余四台服务器在任期 2 选出新的领导者。"}, _leader_alone),
    ({"en": "The network heals. S1 sees term 2 and steps down to follower. The new leader's "
            "AppendEntries bring S4 and S5 up to date. S1 still holds its uncommitted z=3 at "
            "index 3: nothing the new leader has sent conflicts with it yet.",
      "zh": "网络恢复。S1 看到任期 2 后退位为跟随者。新领导者的追加条目 RPC 让 S4 和 S5 追上进度。"
            "S1 仍在索引 3 处持有未提交的 z=3：新领导者发送的内容还没有与它冲突。"}, _heal),
    ({"en": "A client sends w=4 to the new leader. It becomes entry 3 of term 2, which conflicts "
            "with S1's z=3 (term 1): S1 deletes z=3 and appends w=4. Every log is identical again, "
            "and z=3, never committed, is gone.",
      "zh": "客户端把 w=4 发给新领导者，它成为任期 2 的条目 3，与 S1 的 z=3（任期 1）冲突："
            "S1 删除 z=3 并追加 w=4。所有日志再次相同；从未提交过的 z=3 消失了。"},
     _new_entry_overwrites),
))


def _tour(script: Script, title: str | None, lang: str | None):
    from . import Tour, TourStep

    return Tour(script.setup, [TourStep(caption, action) for caption, action in script.steps],
                title=title, lang=lang)


def election(*, lang: str | None = None):
    """The election tour of lesson 6: a first election, a leader crash, a split vote."""
    return _tour(ELECTION, "Leader election · 领导者选举", lang)


def replication(*, lang: str | None = None):
    """The replication tour of lesson 7: an entry replicated and committed, a partition, repair."""
    return _tour(REPLICATION, "Log replication · 日志复制", lang)
