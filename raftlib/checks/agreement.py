"""Cluster scenarios about log agreement (after the MIT 6.824 lab 2B/2C tests), for
exercises 04 and 05. Each is ``scenario(node_class, seed)``; see :mod:`.runs`."""

from __future__ import annotations

from ..cluster import Cluster
from .messages import Msg, say
from .common import CheckFailed
from .runs import cluster, committed_everywhere, connected_leader, rng

HINTS = {"State Machine Safety": Msg("a_hint_state_machine_safety"),
         "Log Matching": Msg("a_hint_log_matching"),
         "Leader Completeness": Msg("a_hint_leader_completeness"),
         "Applier order": Msg("a_hint_applier_order")}


def one(c: Cluster, command: object, expected: int, within: float = 5.0) -> int:
    """Like 6.824's ``one()``: submit ``command`` to the leader until ``expected``
    servers applied it at the index it got; return that index."""
    deadline = c.now + within
    while c.now < deadline:
        leader = c.leader()
        if leader is not None:
            index, _, ok = c.submit(command, to=leader)
            if ok:
                def applied() -> bool:
                    count, applied_command = c.committed(index)
                    return count >= expected and applied_command == command
                if c.run_until(applied, 2.0):
                    return index
                continue
        c.run(0.05)
    counts = {s: len(c.applied(s)) for s in c.nodes}
    raise CheckFailed(say("not_applied_by", command=command, expected=expected, within=within,
                          counts=counts))


def basic_agree(cls: type, seed: int) -> None:
    """Basic agreement: 5 servers apply 3 commands in order"""
    c = cluster(cls, seed, 5)
    connected_leader(c, c.nodes, 3.0)
    for i in range(1, 4):
        index = one(c, f"cmd{i}", 5)
        if index != i:
            raise CheckFailed(say("wrong_index", i=i, index=index))


def follower_rejoins(cls: type, seed: int) -> None:
    """A follower cut off for a while catches up when it comes back"""
    c = cluster(cls, seed, 3)
    leader = connected_leader(c, c.nodes, 3.0)
    one(c, 101, 3)
    away = next(s for s in c.nodes if s != leader)
    c.disconnect(away)
    for cmd in (102, 103, 104, 105):
        one(c, cmd, 2)
    c.connect(away)
    one(c, 106, 3)


def stale_leader_rejoins(cls: type, seed: int) -> None:
    """An old leader with uncommitted entries rejoins and has them replaced"""
    c = cluster(cls, seed, 3)
    one(c, 101, 3)
    old = c.leader()
    c.disconnect(old)
    for cmd in (102, 103, 104):
        c.submit(cmd, to=old)  # never committed
    one(c, 103, 2)
    new = c.leader()
    c.disconnect(new)
    c.connect(old)
    one(c, 104, 2)
    c.connect(new)
    one(c, 105, 3)


def backup(cls: type, seed: int) -> None:
    """Backing up over many conflicting entries (6.824 TestBackup, shorter)"""
    c = cluster(cls, seed, 5)
    one(c, "start", 5)
    leader1 = c.leader()
    f1 = next(s for s in c.nodes if s != leader1)
    rest = [s for s in c.nodes if s not in (leader1, f1)]
    c.partition([leader1, f1], rest)  # leader1 keeps taking entries it cannot commit
    for i in range(10):
        c.submit(f"lost{i}", to=leader1)
    c.run(0.2)
    for i in range(10):
        one(c, f"kept{i}", 3)
    leader2 = c.leader()
    other = next(s for s in rest if s != leader2)
    c.partition([leader1, f1], [leader2, other], [s for s in rest if s not in (leader2, other)])
    for i in range(10):
        c.submit(f"lost-again{i}", to=leader2)
    c.run(0.2)
    third = next(s for s in rest if s not in (leader2, other))
    c.partition([leader1, f1, third], [leader2, other])  # the stale majority must be repaired
    for i in range(10):
        one(c, f"repaired{i}", 3)
    c.heal()
    one(c, "final", 5, within=10.0)


def unreliable(cls: type, seed: int) -> None:
    """Unreliable network: lost, delayed, duplicated and reordered messages"""
    c = cluster(cls, seed, 5)
    c.network.set_unreliable(True)
    c.network.duplicate = 0.1
    c.network.long_reordering = True
    for i in range(8):
        c.submit(f"u{i}")
        c.run(0.1)
    c.network.set_unreliable(False)
    c.network.duplicate = 0.0
    c.network.long_reordering = False
    one(c, "done", 5, within=10.0)


def churn(cls: type, seed: int) -> None:
    """Churn: random crashes, restarts and partitions with commands (6.824 Figure8Unreliable)"""
    c = cluster(cls, seed, 5)
    pick = rng("churn", seed)
    c.network.set_unreliable(True)
    for step in range(40):
        c.submit(f"x{step}")
        c.run(pick.uniform(0.01, 0.15))
        roll = pick.random()
        up = [s for s in c.nodes if c.up[s]]
        if roll < 0.2 and len(up) > 3:
            c.crash(pick.choice(up))
        elif roll < 0.45:
            down = [s for s in c.nodes if not c.up[s]]
            if down:
                c.restart(pick.choice(down))
        elif roll < 0.6:
            side = pick.sample(c.nodes, 2)
            c.partition(side, [s for s in c.nodes if s not in side])
        elif roll < 0.7:
            c.heal()
    for s in c.nodes:
        if not c.up[s]:
            c.restart(s)
    c.heal()
    c.network.set_unreliable(False)
    one(c, "done", 5, within=10.0)
    committed_everywhere(c, c.nodes, max(c.safety.max_applied.values()), 3.0)
