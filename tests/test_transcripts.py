"""Transcript tests in the style of etcd-io/raft's testdata: canonical scenarios
whose full transcript is checked in under ``tests/transcripts/`` and compared
line by line, so any change in the engine's behaviour shows up as a diff.

Each expected file starts with a comment block (lines starting with ``#``) that
says what the scenario does and what to look for; the rest is the transcript.
After an intended change of behaviour, regenerate the files and read the diff:

    RAFT_UPDATE_TRANSCRIPTS=1 .venv/bin/python -m pytest tests/test_transcripts.py

Every scenario also asserts the facts it is about, so a regenerated file cannot
hide a broken rule.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Callable

import pytest

import raftlib as rl
from raftlib import bugs
from raftlib.transcript import format_transcript

HERE = Path(__file__).parent / "transcripts"
UPDATE = os.environ.get("RAFT_UPDATE_TRANSCRIPTS") == "1"
REGENERATE = "RAFT_UPDATE_TRANSCRIPTS=1 .venv/bin/python -m pytest tests/test_transcripts.py"


class Recorder:
    """Collects a scenario's transcript in titled sections, each followed by a
    snapshot of every server (term, role, commit index, log)."""

    def __init__(self, c: rl.Cluster, *, deliveries: bool) -> None:
        self.c = c
        self.deliveries = deliveries
        self.mark = 0
        self.lines: list[str] = []

    def section(self, title: str) -> None:
        rows = self.c.trace_rows()
        window = format_transcript(rows[self.mark:], deliveries=self.deliveries)
        self.mark = len(rows)
        self.lines += [f"== {title}", *filter(None, window.split("\n")), *self.snapshot(), ""]

    def snapshot(self) -> list[str]:
        out = []
        for sid in self.c.nodes:
            node = self.c[sid]
            role = node.role if self.c.up[sid] else "crashed"
            log = " ".join(f"{e.command}@{e.term}" for e in node.log)
            out.append(f"   {sid} term={node.current_term} {role:<9} "
                       f"commit={node.commit_index} log=[{log}]")
        return out

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


def elect(c: rl.Cluster, sid: str) -> None:
    """Force ``sid``'s election timeout and run until it leads (one retry if needed)."""
    for _ in range(2):
        c.timeout(sid)
        if c.run_until(lambda: c[sid].role == rl.LEADER, 0.2):
            return
    raise AssertionError(f"{sid} was not elected")


# --------------------------------------------------------------- the scenarios
def first_election() -> tuple[rl.Cluster, str]:
    """First election: three servers start as followers with random election
    timeouts (150-300 ms). The first timer to fire makes its server a candidate
    in term 1; it votes for itself and sends RequestVote (detail: its last log
    index, 0). Each follower grants its vote (detail True): the second vote is
    already a majority (2 of 3) and the candidate becomes leader at once, before
    the third reply arrives. It then sends empty AppendEntries (detail: 0
    entries) at once and every 50 ms; each heartbeat restarts the followers'
    election timers, so no other election starts."""
    c = rl.Cluster(3, seed=1)
    rec = Recorder(c, deliveries=True)
    assert c.run_until(lambda: c.leader() is not None, 1.0)
    c.run(0.12)
    rec.section("run until a leader is elected, then 120 ms of heartbeats")
    lead = c.leader()
    assert [r[2] for r in c.trace_rows() if r[1] == "role"] == [lead, lead]  # candidate, leader
    assert all(c[s].current_term == 1 for s in c.nodes)
    return c, rec.text()


def split_vote() -> tuple[rl.Cluster, str]:
    """Split vote: in a 4-server cluster, S1 and S2 are forced to time out at
    the same instant (t=0), both become candidates in term 1 and vote for
    themselves. We deliver S1's request to S3 and S2's request to S4 first
    (deliver_now), so S3 votes for S1 and S4 for S2: each candidate has 2 votes
    of 4, no majority (3). The other requests are refused (each server has
    already voted in term 1). Term 1 ends without a leader. The candidates' new
    random timeouts differ, so one times out first, starts term 2 and wins it
    before the other tries again: randomized timeouts make split votes rare
    and short (§5.2)."""
    c = rl.Cluster(4, seed=2)
    rec = Recorder(c, deliveries=True)
    c.timeout("S1")
    c.timeout("S2")
    for src, dst in (("S1", "S3"), ("S2", "S4")):
        [m] = [m for m in c.in_flight() if (m.message.src, m.message.dst) == (src, dst)]
        c.deliver_now(m.id)
    rec.section("S1 and S2 time out at t=0; S3 hears S1 first, S4 hears S2 first")
    c.run(0.05)
    rec.section("the other votes are refused: no leader in term 1")
    assert c.leader() is None
    assert [c[s].role for s in ("S1", "S2")] == [rl.CANDIDATE, rl.CANDIDATE]
    assert c.run_until(lambda: c.leader() is not None, 1.0)
    c.run(0.02)
    rec.section("the first candidate to time out again wins term 2")
    assert c[c.leader()].current_term == 2
    return c, rec.text()


def log_repair() -> tuple[rl.Cluster, str]:
    """Log repair with fast backup: S1 leads term 1 and commits a and b. Then S1
    is cut off alone and, still leader, accepts x1 x2 x3 that can never commit.
    Meanwhile S2 wins term 2 and commits c d e f with S3, and S3 then wins
    term 3 (so its next_index for S1 is 7). After the heal, S1 steps down and
    S3 repairs S1's log: the first AppendEntries (prev index 6) fails because
    S1's log is too short (conflict_index 6); the second (prev index 5, with 1
    entry) fails on a term mismatch (S1 has term 1 there: conflict_term 1, whose
    first index in S1 is 1); S3's last entry of term 1 is at index 2, so the
    third request carries the 4 entries after it, succeeds (detail True),
    deletes x1 x2 x3 and appends c d e f; S1 applies up to 6. Three round trips,
    not one per entry (Students' Guide)."""
    c = rl.Cluster(3, seed=3)
    elect(c, "S1")
    for cmd in ("a", "b"):
        c.submit(cmd, to="S1")
    assert c.run_until(lambda: c.committed(2)[0] == 3, 1)
    rec = Recorder(c, deliveries=False)
    rec.section("S1 leads term 1; a and b are committed everywhere")
    c.partition(["S1"], ["S2", "S3"])
    for cmd in ("x1", "x2", "x3"):
        c.submit(cmd, to="S1")
    elect(c, "S2")
    for cmd in ("c", "d", "e", "f"):
        c.submit(cmd, to="S2")
    assert c.run_until(lambda: c["S3"].commit_index == 6, 1)
    elect(c, "S3")
    c.run(0.01)
    rec.section("partition: S1 takes x1-x3 alone; S2 (term 2) commits c-f; S3 wins term 3")
    rec.deliveries = True
    healed_at = len(c.trace_rows())
    c.heal()
    assert c.run_until(lambda: c["S3"].match_index["S1"] == 6 and c["S1"].commit_index == 6, 1)
    rec.section("heal: S1 steps down and S3 repairs its log in three round trips")
    assert [e.command for e in c["S1"].log] == ["a", "b", "c", "d", "e", "f"]
    answers = [r[7] for r in c.trace_rows()[healed_at:]
               if r[1] == "deliver" and r[2:5] == ("S3", "S1", "AppendEntriesReply")]
    assert answers[:3] == [False, False, True]
    c.check()
    return c, rec.text()


def figure8_setup(node_class: type = rl.RaftNode) -> tuple[rl.Cluster, Recorder]:
    """Steps (a)-(c) of the Raft paper's Figure 8 (§5.4.2), five servers."""
    c = rl.Cluster(5, seed=8, election_timeout=(5.0, 10.0), node_class=node_class)
    rec = Recorder(c, deliveries=False)
    elect(c, "S5")
    c.submit("x", to="S5")
    c.run(0.1)
    rec.section("term 1: S5 leads and commits x at index 1 on every server")
    elect(c, "S1")
    c.partition(["S1", "S2"], ["S3", "S4", "S5"])
    c.submit("y", to="S1")
    c.run(0.1)
    rec.section("(a) S1 leads term 2; y (index 2, term 2) reaches only S2")
    c.crash("S1")
    elect(c, "S5")
    c.disconnect("S5")
    c.submit("z", to="S5")
    c.run(0.1)
    rec.section("(b) S1 crashes; S5 wins term 3 with S3, S4 and takes z at index 2, alone")
    c.crash("S5")
    c.heal()
    c.restart("S1")
    elect(c, "S1")
    c.run(0.1)
    rec.section("(c) S5 crashes; S1 restarts, wins term 4 (its term-3 try fails: S3 and S4 "
                "voted for S5) and copies y to S3 and S4")
    holders = [s for s in c.nodes if len(c[s].log) >= 2 and c[s].log[1].command == "y"]
    assert len(holders) >= 3, "y must be stored on a majority"
    return c, rec


def figure8_d() -> tuple[rl.Cluster, str]:
    """Figure 8 (§5.4.2), ending (d): S1 commits nothing of an older term by
    counting replicas. After (c), y (term 2) is stored on a majority, yet no
    server applies index 2: S1 leads term 4 and may only commit by counting an
    entry of term 4, and it has none. Then S1 crashes and S5 restarts: S5's last
    log term (3) beats the others' (2), so after one refused try in term 4 it
    wins term 5 with S2, S3, S4 and overwrites y with z everywhere. Nothing
    applied is lost because y was never committed: look for the absence of any
    "apply 2" line before the last section."""
    c, rec = figure8_setup()
    assert all(c[s].commit_index <= 1 for s in c.nodes)
    assert c.committed(2) == (0, None)
    c.crash("S1")
    c.restart("S5")
    elect(c, "S5")
    c.submit("v", to="S5")
    c.run(0.1)
    rec.section("(d) S1 crashes; S5 restarts, wins term 5 and overwrites y with z; v "
                "(term 5) commits z with it")
    assert c.committed(2) == (4, "z")
    assert [e.command for e in c["S2"].log] == ["x", "z", "v"]
    c.check()
    return c, rec.text()


def figure8_e() -> tuple[rl.Cluster, str]:
    """Figure 8 (§5.4.2), ending (e): after (c), S1 takes w in its own term 4
    and replicates it to a majority. Committing w (index 3) commits y (index 2)
    indirectly: look for "apply 3" on S1. Now S1 crashes and S5 restarts, but S5
    can never win: S2, S3 and S4 all have a last log term (4) newer than S5's
    (3) and refuse it (§5.4.1). One of them becomes leader instead, and y
    stays."""
    c, rec = figure8_setup()
    c.submit("w", to="S1")
    c.run(0.1)
    rec.section("(e) S1 takes w (term 4); once w is on a majority, y and w commit")
    assert c.committed(3)[1] == "w" and c.committed(2)[1] == "y"
    c.crash("S1")
    c.restart("S5")
    for _ in range(3):
        c.timeout("S5")
        c.run(0.05)
        assert c["S5"].role != rl.LEADER
    assert c.run_until(lambda: c.leader() is not None, 12)
    c.run(0.1)
    rec.section("S1 crashes; S5 restarts and times out three times but nobody votes for it; "
                "a server holding y and w wins")
    assert c.leader() in ("S2", "S3", "S4")
    assert all([e.command for e in c[s].log][:3] == ["x", "y", "w"]
               for s in ("S2", "S3", "S4", "S5"))
    c.check()
    return c, rec.text()


def disruptive_server_pre_vote() -> tuple[rl.Cluster, str]:
    """The disruptive server, with PreVote (dissertation §9.6): S1 leads term 1 of
    three servers; S3 is cut off for one second. Each time its election timer
    fires it asks for pre-votes in term 2 (its PreVotes are lost; drops are not shown) but
    stays a follower in term 1: it never raises its term. Back on the network,
    its next PreVote is refused (detail False) by servers that heard S1 within
    the minimum election timeout, and S1's heartbeats bring it back as a follower.
    Without PreVote, S3 would return in a higher term and depose S1."""
    c = rl.Cluster(3, seed=6, pre_vote=True)
    elect(c, "S1")
    c.run(0.1)
    rec = Recorder(c, deliveries=False)
    rec.section("S1 leads term 1")
    c.disconnect("S3")
    c.run(1.0)
    rec.section("S3 is cut off for 1 s: its pre-votes are lost and its term stays 1")
    assert c["S3"].current_term == 1
    rec.deliveries = True
    c.connect("S3")
    c.timeout("S3")
    c.run(0.06)
    rec.section("S3 is back and times out at once: its PreVote is refused; S1 stays leader")
    assert c.leader() == "S1" and all(c[s].current_term == 1 for s in c.nodes)
    c.check()
    return c, rec.text()


SCENARIOS: dict[str, Callable] = {f.__name__: f for f in (
    first_election, split_vote, log_repair, figure8_d, figure8_e, disruptive_server_pre_vote)}


# ------------------------------------------------------------------- the tests
def header(scenario: Callable) -> str:
    doc = textwrap.fill(" ".join(scenario.__doc__.split()), 86)
    lines = [f"Scenario {scenario.__name__} (tests/test_transcripts.py).", "", *doc.split("\n"),
             "", "Format: time server event [peer] [detail]; '<-' a delivery (receiver <- sender,",
             "detail: entries sent, success or vote granted), 'x-' a drop; after each section,",
             "every server's term, role, commit index and log (command@term).",
             f"Regenerate after an intended change: {REGENERATE}"]
    return "\n".join(f"# {line}".rstrip() for line in lines) + "\n"


def body(text: str) -> list[str]:
    """The transcript lines: no comment lines, no blank lines around them."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return "\n".join(lines).strip("\n").split("\n")


@pytest.mark.parametrize("name", SCENARIOS)
def test_transcript(name):
    scenario = SCENARIOS[name]
    _, text = scenario()
    path = HERE / f"{name}.txt"
    if UPDATE:
        HERE.mkdir(exist_ok=True)
        path.write_text(header(scenario) + "\n" + text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; create it with {REGENERATE}"
    expected = path.read_text(encoding="utf-8")
    assert expected.startswith("# Scenario"), "the file must open with its comment block"
    assert body(text) == body(expected), (
        f"the run no longer matches {path.name}; if the change is intended, regenerate "
        f"with {REGENERATE} and review the diff")


def test_scenarios_replay_identically():
    """The transcript of a scenario is a function of its seed and script only."""
    assert log_repair()[1] == log_repair()[1]


def test_a_server_that_commits_old_terms_by_counting_breaks_figure_8():
    """The Figure 8 scenario is sharp: with the bug the paper warns about, the
    entry y is committed in (c) and then overwritten in (d)."""
    c, _ = figure8_setup(node_class=bugs.CommitOldTermEntries)
    assert c.committed(2)[1] == "y"  # wrongly committed by counting replicas
    c.crash("S1")
    c.restart("S5")
    with pytest.raises(rl.SafetyViolation, match="Leader Completeness|State Machine Safety"):
        elect(c, "S5")
        c.submit("v", to="S5")
        c.run(0.2)
        c.check()
