"""The classic Raft scenarios, set up on a cluster through its public methods.

Each function takes a :class:`~raftlib.Cluster`, drives it into the scenario
and returns it, stopping just before the interesting part so that a learner
(or the widget's play button) can watch it unfold:

==================  ==========================================================
``split_vote``      every running server's election timer fires at once (§5.2)
``leader_crash``    a leader with committed entries crashes (§5.2)
``two_leaders``     a partition leaves a stale leader in the minority while the
                    majority elects a new one (§5.4, §6 of the paper's talk)
``figure8``         the paper's Figure 8, at stage (c) (§5.4.2); needs 5 servers
``stale_follower``  a follower that missed entries and holds conflicting ones
                    comes back and is repaired by AppendEntries (§5.3)
``lost_vote``       a voter crashes after voting, before the vote is on disk
``lost_entry``      a follower crashes after taking an entry, before it is on disk
==================  ==========================================================

``lost_vote`` and ``lost_entry`` need ``Cluster(3, storage_latency=...)`` and play
out to the end: with a server that persists before replying (Figure 2) nothing
happens; with one that replies first (``bugs.PersistAfterReply``) the cluster's
safety monitor raises :class:`~raftlib.errors.SafetyViolation`.

    >>> import raftlib as rl
    >>> from raftlib import scenarios
    >>> c = scenarios.leader_crash(rl.Cluster(5, seed=1))
    >>> c.leader() is None
    True

Everything is deterministic: the same seed gives the same scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .core import LEADER
from .errors import ConfigError
from .kv import Op

if TYPE_CHECKING:
    from .cluster import Cluster

ELECTION_WAIT = 5.0  # virtual seconds allowed for an election before giving up


def _leaders(c: "Cluster") -> list[str]:
    return [s for s in c.nodes if c.up[s] and c[s].role == LEADER]


def _elect(c: "Cluster", among: list[str] | None = None) -> str:
    """Run until one of ``among`` (default: anyone) leads; return it."""
    among = c.nodes if among is None else among

    def found() -> bool:
        return any(s in among for s in _leaders(c))

    if not c.run_until(found, ELECTION_WAIT):
        raise ConfigError(f"no leader among {', '.join(among)} within {ELECTION_WAIT} virtual "
                          f"seconds: is a majority of the servers running and connected?")
    return next(s for s in _leaders(c) if s in among)


def _elect_now(c: "Cluster", candidate: str) -> None:
    """Make ``candidate`` time out now, and again until it wins (a vote may already be cast
    in the next term), within ELECTION_WAIT."""
    deadline = c.now + ELECTION_WAIT
    wait = 0.05 + (2 * c.storage_latency[1] if c.storage_latency else 0.0)  # votes are written
    while c[candidate].role != LEADER:
        if c.now >= deadline:
            raise ConfigError(f"{candidate} did not win an election within {ELECTION_WAIT} s")
        c.timeout(candidate)
        c.run_until(lambda: c[candidate].role == LEADER, wait)


def _commit_all(c: "Cluster", leader: str, timeout: float = 2.0) -> None:
    """Run until ``leader`` has committed its whole log."""
    node = c[leader]
    if not c.run_until(lambda: node.commit_index >= node.last_log_index, timeout):
        raise ConfigError(f"{leader} could not commit its log within {timeout} s "
                          f"(is a majority reachable?)")


def _put(value: int) -> Op:
    return Op("put", "x", value)


def _need(c: "Cluster", n: int, name: str) -> None:
    if len(c.nodes) < n:
        raise ConfigError(f"the {name} scenario needs at least {n} servers, the cluster has "
                          f"{len(c.nodes)}")


def split_vote(c: "Cluster", candidates: list[str] | None = None) -> "Cluster":
    """Fire the election timers of ``candidates`` (default: every running server) at the
    same instant. Each candidate votes for itself, so with every server a candidate no
    one can win: a split vote. The randomized timeouts then break the tie (§5.2)."""
    candidates = [s for s in c.nodes if c.up[s]] if candidates is None else list(candidates)
    for sid in candidates:
        c.timeout(sid)
    return c


def leader_crash(c: "Cluster", *, commands: int = 3) -> "Cluster":
    """Elect a leader, commit ``commands`` client commands on every server, then crash
    the leader. The followers' election timers run out next and a new leader is elected."""
    _need(c, 3, "leader crash")
    leader = _elect(c)
    for i in range(commands):
        c.submit(_put(i + 1), to=leader)
    _commit_all(c, leader)
    c.run(c.heartbeat_interval * 2)  # followers learn the commit index too
    c.crash(leader)
    return c


def two_leaders(c: "Cluster") -> "Cluster":
    """Elect a leader, then partition it with one follower away from the others. The
    majority elects a second leader in a higher term while the old one still believes
    it leads (a stale leader). Each gets a client command: only the majority's commits.
    Call ``c.heal()`` to watch the stale leader step down and roll back."""
    _need(c, 3, "two leaders")
    old = _elect(c)
    c.run(c.heartbeat_interval * 2)
    minority = [old] + [s for s in c.nodes if s != old][:(len(c.nodes) - 1) // 2 - 1]
    majority = [s for s in c.nodes if s not in minority]
    c.partition(minority, majority)
    new = _elect(c, among=majority)
    c.submit(_put(1), to=old)
    c.submit(_put(2), to=new)
    _commit_all(c, new)
    return c


def figure8(c: "Cluster") -> "Cluster":
    """The paper's Figure 8 (§5.4.2), stopped at stage (c).

    Logs (terms of the entries) then are S1 [1, 2, 4], S2 [1, 2], S3 [1, 2], S4 [1],
    S5 [1, 3]: S1 leads in term 4 and has just copied its term-2 entry to a majority,
    yet that entry is not committed, because a leader only counts replicas for entries
    of its own term. S5 is crashed. From here: crash S1, restart S5 and time S5 out to
    see (d), S5 overwriting index 2; or let S1 run to see (e), its term-4 entry
    committing index 2 with it. The cluster must have exactly 5 servers.
    """
    if c.nodes != ["S1", "S2", "S3", "S4", "S5"]:
        raise ConfigError(f"the Figure 8 scenario needs exactly 5 servers S1..S5, the cluster "
                          f"has {', '.join(c.nodes)}")
    # Term 1: S2 leads and replicates index 1 everywhere.
    _elect_now(c, "S2")
    c.submit(_put(1), to="S2")
    _commit_all(c, "S2")
    c.run(c.heartbeat_interval * 2)
    # (a) Term 2: S1 leads and copies index 2 to S2 only.
    _elect_now(c, "S1")
    c.partition(["S1", "S2"], ["S3", "S4", "S5"])
    c.submit(_put(2), to="S1")
    c.run_until(lambda: c["S2"].last_log_index == 2, 0.1)
    # (b) S1 crashes; S5 wins term 3 with votes from S3 and S4, takes an entry at
    # index 2 and crashes before sending it.
    c.crash("S1")
    c.heal()
    _elect_now(c, "S5")
    c.submit(_put(3), to="S5")
    c.crash("S5")
    # (c) S1 restarts and wins term 4 with S2 and S3 (S4 is cut off), copies its
    # term-2 entry to S3, then takes an entry of term 4.
    c.restart("S1")
    c.partition(["S1", "S2", "S3"], ["S4"], ["S5"])
    _elect_now(c, "S1")  # term 3 fails (S3 voted for S5 in it), term 4 wins
    if not c.run_until(lambda: c["S3"].last_log_index == 2, 1.0):
        raise ConfigError("S1 did not copy index 2 to S3")
    c.heal()
    c.submit(_put(4), to="S1")
    return c


def _crash_window(c: "Cluster", name: str) -> float:
    """Half the shortest disk write: a crash that long after an input falls in the
    window between the reply (if it leaves early) and the end of the write."""
    if len(c.nodes) != 3:
        raise ConfigError(f"the {name} scenario needs exactly 3 servers, the cluster has "
                          f"{len(c.nodes)}")
    if c.storage_latency is None:
        raise ConfigError(f"the {name} scenario needs a disk that takes time: "
                          f"Cluster(3, storage_latency=(0.05, 0.05)), for example")
    window = c.storage_latency[0] / 2
    if window <= 2 * c.network.latency[1]:
        raise ConfigError(f"the {name} scenario needs storage_latency above four one-way "
                          f"message delays ({4 * c.network.latency[1]} s), so that an early "
                          f"reply comes back before the write is done; got {c.storage_latency}")
    return window


def lost_vote(c: "Cluster") -> "Cluster":
    """A vote lost in a crash (Figure 2: persist before responding).

    S1 times out and asks S2 (S1's requests to S3 are cut). S2 grants its vote and
    crashes half a disk write later, then restarts from its disk. S3 times out in
    the same term and asks S2. If S2's grant left before its write (S1 may then
    have won), S2 has forgotten that vote and grants it again: two leaders in one
    term, an Election Safety violation. If S2 persisted first, the grant died with
    it and S1 never got it."""
    window = _crash_window(c, "lost vote")
    a, b, d = c.nodes
    c.cut(a, d)
    c.timeout(a)
    c.run_until(lambda: c[b].voted_for == a, 1.0)
    c.run(window)
    c.restart(b)
    c.heal()
    c.timeout(d)
    c.run_until(lambda: c[d].role == LEADER, 1.0)
    c.run(c.heartbeat_interval * 2)
    c.check()
    return c


def lost_entry(c: "Cluster") -> "Cluster":
    """An acknowledged entry lost in a crash (Figure 2: persist before responding).

    S1 leads; a command goes to S1 while S1's messages to S3 are cut. S2 stores the
    entry and crashes half a disk write later, and S1 crashes too. S2 restarts from
    its disk, and S2 and S3 elect a leader that commits another command. If S2's
    success reply left before its write, S1 counted it and applied the first
    command: now another command is applied at that index, a State Machine Safety
    violation. If S2 persisted first, S1 never committed the first command."""
    window = _crash_window(c, "lost entry")
    a, b, d = c.nodes
    _elect_now(c, a)
    _commit_all(c, a)
    c.run(c.heartbeat_interval * 2)
    c.cut(a, d)
    index, _, _ = c.submit(_put(1), to=a)
    c.run_until(lambda: c[b].last_log_index >= index, 1.0)
    c.run(window)
    c.crash(a)
    c.restart(b)
    c.heal()
    leader = _elect(c, among=[b, d])
    c.submit(_put(2), to=leader)
    _commit_all(c, leader)
    c.check()
    return c


def stale_follower(c: "Cluster", *, missed: int = 5) -> "Cluster":
    """A follower comes back holding two uncommitted entries of an old leader and
    lacking ``missed`` committed ones. The current leader, elected after those were
    committed, starts with next_index past the end of its own log: its AppendEntries
    fail the consistency check, next_index backs up, the conflicting entries are
    truncated and the log is repaired (§5.3). The old leader stays crashed."""
    _need(c, 4, "stale follower")
    old = _elect(c)
    c.submit(_put(0), to=old)
    _commit_all(c, old)
    c.run(c.heartbeat_interval * 2)
    stale = next(s for s in c.nodes if s != old)
    others = [s for s in c.nodes if s not in (old, stale)]
    c.partition([old, stale], others)
    c.submit(_put(-1), to=old)
    c.submit(_put(-2), to=old)
    c.run_until(lambda: c[stale].last_log_index == c[old].last_log_index, 0.2)
    c.crash(old)
    c.crash(stale)
    c.heal()
    first = _elect(c, among=others)
    for i in range(missed):
        c.submit(_put(i + 1), to=first)
    _commit_all(c, first)
    c.run(c.heartbeat_interval * 2)
    # A leader elected now starts with next_index = its log length + 1 for everyone.
    second = next(s for s in others
                  if s != first and c[s].last_log_index == c[first].last_log_index)
    _elect_now(c, second)
    c.restart(stale)
    return c


#: Every scenario by name, in teaching order.
PRESETS: dict[str, Callable[["Cluster"], "Cluster"]] = {
    "split_vote": split_vote,
    "leader_crash": leader_crash,
    "two_leaders": two_leaders,
    "figure8": figure8,
    "stale_follower": stale_follower,
}


def apply(name: str, c: "Cluster") -> "Cluster":
    """Set up the scenario ``name`` (a key of :data:`PRESETS`) on ``c`` and return ``c``."""
    if name not in PRESETS:
        raise ConfigError(f"unknown scenario {name!r}; the scenarios are {', '.join(PRESETS)}")
    return PRESETS[name](c)
