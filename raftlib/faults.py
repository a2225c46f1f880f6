"""Random fault schedules for chaos runs: what breaks, and when.

A schedule is a list of :class:`Fault` records ``(time, action, args)``, with
times in virtual seconds from the moment the schedule is installed.
:func:`random_schedule` draws one from a seeded stream, so a seed names a
schedule (the same in every process); :func:`install` plays a schedule on a
cluster; :func:`heal_all` ends the chaos: the network is healed and reliable
again and every crashed server restarts.

>>> import raftlib as rl
>>> from raftlib import faults
>>> c = rl.Cluster(3, seed=1)
>>> faults.install(c, faults.random_schedule(c.nodes, seed=1, duration=2.0))
>>> c.run(2.0); faults.heal_all(c)
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from .errors import ConfigError, UnknownServerError
from .validate import check_bool, check_choice, check_number, check_probability, check_time

if TYPE_CHECKING:
    from .cluster import Cluster

#: What a fault can do, and the arguments it takes.
ACTIONS = {
    "crash": "(server,), or ('leader',) for whoever leads at that moment (if anyone)",
    "restart": "(server,), or () for a crashed server picked by the cluster's 'faults' stream",
    "disconnect": "(server,)",
    "connect": "(server,)",
    "partition": "(group, group, ...) with every server in exactly one group",
    "cut": "(src, dst): src can no longer reach dst",
    "heal": "(): no more partitions, cuts or disconnections",
    "unreliable": "(on,): labrpc's request delay and 10 % request/reply loss",
    "long_reordering": "(on,): replies held back up to 2.2 s",
    "duplicate": "(probability,): messages delivered twice",
}
LEADER = "leader"

#: Named mixes of faults: how often each action is drawn (relative weights) and
#: the mean gap between two faults in seconds.
PROFILES = {
    # Everything, a fault every quarter second.
    "mixed": ({"crash": 3.0, "restart": 3.0, "disconnect": 1.0, "connect": 1.0,
               "partition": 1.5, "cut": 1.0, "heal": 1.5, "unreliable": 0.5,
               "long_reordering": 0.5, "duplicate": 0.5}, 0.25),
    # Crash churn, a fault every 20 ms, like 6.824's Figure8 test: leaders die
    # during elections and right after replicating.
    "crashes": ({"crash": 1.0, "restart": 1.0}, 0.02),
    # Only the network: partitions, cuts, loss, reordering, duplication.
    "network": ({"disconnect": 1.0, "connect": 1.0, "partition": 2.0, "cut": 1.0, "heal": 2.0,
                 "unreliable": 1.0, "long_reordering": 1.0, "duplicate": 1.0}, 0.2),
}
_DUPLICATE_RATES = (0.0, 0.05, 0.2)
MIN_MEAN_GAP = 0.001   # seconds between faults, on average
MAX_FAULTS = 100_000   # duration / mean_gap above this would take minutes to draw


class Fault(NamedTuple):
    """One fault: at ``time`` (seconds after :func:`install`), do ``action(*args)``."""

    time: float
    action: str
    args: tuple = ()

    def __str__(self) -> str:
        return f"{self.time:.3f}s {self.action}({', '.join(map(repr, self.args))})"


def random_schedule(servers: Sequence[str] | int, seed: int, *, duration: float = 4.0,
                    profile: str = "mixed", mean_gap: float | None = None,
                    weights: dict[str, float] | None = None,
                    max_down: int | None = None) -> list[Fault]:
    """Draw a fault schedule for ``servers`` (ids, or n for "S1".."Sn") from ``seed``.

    ``profile`` (a key of :data:`PROFILES`) sets which faults are drawn and how
    often; ``weights`` and ``mean_gap`` override it. Faults arrive at
    exponential gaps until ``duration`` (``mean_gap`` >= :data:`MIN_MEAN_GAP`, and at
    most :data:`MAX_FAULTS` faults on average). At most ``max_down`` servers are down
    at once (default: a minority, so a majority can make progress whenever the
    network lets it).
    """
    ids = _server_ids(servers)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    check_choice("profile", profile, PROFILES)
    weights = PROFILES[profile][0] if weights is None else weights
    mean_gap = PROFILES[profile][1] if mean_gap is None else mean_gap
    duration = check_number("duration", duration)
    mean_gap = check_number("mean_gap", mean_gap, low=MIN_MEAN_GAP)
    if duration / mean_gap > MAX_FAULTS:
        raise ConfigError(f"duration / mean_gap must be at most {MAX_FAULTS:,} faults on "
                          f"average, got duration={duration!r}, mean_gap={mean_gap!r}")
    if not isinstance(weights, dict) or any(
            a not in ACTIONS or isinstance(w, bool) or not isinstance(w, (int, float)) or not w >= 0
            for a, w in weights.items()):
        raise ConfigError(f"weights must map actions from {list(ACTIONS)} to numbers >= 0, "
                          f"got {weights!r}")
    limit = (len(ids) - 1) // 2 if max_down is None else max_down
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= len(ids):
        raise ConfigError(f"max_down must be an int from 0 to {len(ids)}, got {max_down!r}")

    rng = random.Random(f"raftlib-faults:{seed}")
    down = 0  # crashes minus restarts: never fewer than the servers really down
    disconnected: list[str] = []
    toggles = {"unreliable": False, "long_reordering": False}
    schedule = []
    t = rng.expovariate(1 / mean_gap)
    while t < duration:
        possible = {"crash": down < limit, "restart": down > 0,
                    "disconnect": len(disconnected) < len(ids), "connect": bool(disconnected),
                    "partition": len(ids) >= 2, "cut": len(ids) >= 2}
        actions = [a for a in ACTIONS if weights.get(a, 0) > 0 and possible.get(a, True)]
        if not actions:
            break
        action = rng.choices(actions, [weights[a] for a in actions])[0]
        args: tuple[Any, ...] = ()
        if action == "crash":
            args = (LEADER if rng.random() < 0.5 else rng.choice(ids),)
            down += 1
        elif action == "restart":
            down -= 1
        elif action == "disconnect":
            args = (rng.choice([s for s in ids if s not in disconnected]),)
            disconnected.append(args[0])
        elif action == "connect":
            args = (disconnected.pop(rng.randrange(len(disconnected))),)
        elif action == "partition":
            args = _random_groups(rng, ids)
        elif action == "cut":
            args = tuple(rng.sample(ids, 2))
        elif action == "heal":
            disconnected.clear()
        elif action in toggles:
            toggles[action] = not toggles[action]
            args = (toggles[action],)
        elif action == "duplicate":
            args = (rng.choice(_DUPLICATE_RATES),)
        schedule.append(Fault(round(t, 6), action, args))
        t += rng.expovariate(1 / mean_gap)
    return schedule


def _server_ids(servers: Sequence[str] | int) -> list[str]:
    if isinstance(servers, int) and not isinstance(servers, bool):
        if not 1 <= servers <= 1000:
            raise ConfigError(f"servers must be from 1 to 1000, got {servers!r}")
        return [f"S{i}" for i in range(1, servers + 1)]
    if isinstance(servers, (str, bytes)) or not hasattr(servers, "__iter__"):
        raise ConfigError(f"servers must be a list of server ids or an int, got {servers!r}")
    ids = list(servers)
    if not ids or not all(isinstance(s, str) for s in ids) or len(set(ids)) != len(ids):
        raise ConfigError(f"servers must be a non-empty list of distinct server ids (str) or an "
                          f"int, got {servers!r}")
    return ids


def _random_groups(rng: random.Random, ids: list[str]) -> tuple[tuple[str, ...], ...]:
    """Split ``ids`` into two groups (sometimes three, with five or more servers)."""
    shuffled = rng.sample(ids, len(ids))
    k = 3 if len(ids) >= 5 and rng.random() < 0.25 else 2
    cuts = sorted(rng.sample(range(1, len(ids)), k - 1))
    bounds = [0, *cuts, len(ids)]
    return tuple(tuple(sorted(shuffled[a:b], key=ids.index)) for a, b in zip(bounds, bounds[1:]))


def apply_fault(cluster: "Cluster", fault: Fault) -> None:
    """Carry out one fault on ``cluster`` now."""
    if isinstance(fault, Fault) and isinstance(fault.action, str) and fault.action not in ACTIONS:
        raise ConfigError(f"unknown fault action {fault.action!r}; the actions are "
                          f"{', '.join(ACTIONS)}")
    check_fault(cluster, fault)
    action, args = fault.action, fault.args
    network = cluster.network
    if action == "crash" and args == (LEADER,):
        leader = cluster.leader()
        if leader is not None:
            cluster.crash(leader)
    elif action == "restart" and not args:
        crashed = [s for s in cluster.nodes if not cluster.up[s]]
        if crashed:
            cluster.restart(cluster.rng("faults").choice(crashed))
    elif action == "partition":
        cluster.partition(*args)
    elif action == "unreliable":
        network.set_unreliable(args[0])
    elif action == "long_reordering":
        network.long_reordering = args[0]
    elif action == "duplicate":
        network.duplicate = args[0]
    else:
        getattr(cluster, action)(*args)


def install(cluster: "Cluster", schedule: Sequence[Fault]) -> None:
    """Schedule every fault on ``cluster``, ``fault.time`` seconds from now.
    Faults at the same time happen in list order. Every fault is checked first
    (ConfigError naming the fault); nothing is scheduled if one is malformed."""
    if isinstance(schedule, (str, bytes, Fault)) or not hasattr(schedule, "__iter__"):
        raise ConfigError(f"schedule must be a list of Fault records, got {schedule!r}")
    schedule = list(schedule)
    for fault in schedule:
        check_fault(cluster, fault)
    for fault in schedule:
        cluster.call_later(fault.time, lambda f=fault: apply_fault(cluster, f))


def _one_server(cluster: "Cluster", args: tuple, *, leader: bool = False) -> None:
    if len(args) != 1:
        raise ConfigError(f"takes one server id, got {len(args)} arguments")
    if not (leader and args[0] == LEADER):
        cluster._check_server(args[0])


def _two_servers(cluster: "Cluster", args: tuple) -> None:
    if len(args) != 2:
        raise ConfigError(f"takes (src, dst), got {len(args)} arguments")
    for sid in args:
        cluster._check_server(sid)
    if args[0] == args[1]:
        raise ConfigError(f"src and dst must differ, got {args[0]!r} twice")


def _no_args(args: tuple) -> None:
    if args:
        raise ConfigError(f"takes no arguments, got {args!r}")


def _one(check, name: str, args: tuple) -> None:
    if len(args) != 1:
        raise ConfigError(f"takes one argument ({name}), got {len(args)}")
    check(name, args[0])


#: How each action's arguments are checked (actions without an entry: args must be a tuple).
_ARG_CHECKS = {
    "crash": lambda c, a: _one_server(c, a, leader=True),
    "restart": lambda c, a: a and _one_server(c, a),
    "disconnect": _one_server,
    "connect": _one_server,
    "partition": lambda c, a: c.network.parse_groups(c.nodes, a),
    "cut": _two_servers,
    "heal": lambda c, a: _no_args(a),
    "unreliable": lambda c, a: _one(check_bool, "on", a),
    "long_reordering": lambda c, a: _one(check_bool, "on", a),
    "duplicate": lambda c, a: _one(check_probability, "probability", a),
}


def check_fault(cluster: "Cluster", fault: Any) -> None:
    """Raise ConfigError (or UnknownServerError) if ``fault`` cannot be carried out on ``cluster``."""
    if not isinstance(fault, Fault) or not isinstance(fault.action, str) \
            or fault.action not in ACTIONS:
        raise ConfigError(f"a schedule holds Fault records with an action from "
                          f"{list(ACTIONS)}, got {fault!r}")
    try:
        check_time("time", fault.time)
        if not isinstance(fault.args, tuple):
            raise ConfigError(f"args must be a tuple, got {fault.args!r}")
        check = _ARG_CHECKS.get(fault.action)
        if check is not None:
            check(cluster, fault.args)
    except ConfigError as err:
        raise ConfigError(f"fault {fault!r}: {err}; {fault.action} takes "
                          f"{ACTIONS[fault.action]}") from None
    except UnknownServerError as err:
        raise type(err)(f"fault {fault!r}: {err}") from None


def heal_all(cluster: "Cluster") -> None:
    """End the chaos: heal every partition, cut and disconnection, make the
    network reliable and restart every crashed server."""
    cluster.heal()
    network = cluster.network
    network.set_unreliable(False)
    network.long_reordering = False
    network.duplicate = 0.0
    for sid in cluster.nodes:
        if not cluster.up[sid]:
            cluster.restart(sid)


# ------------------------------------------------------------ harsher faults
#: Faults beyond :data:`ACTIONS`, played by :func:`install_harsh`.
HARSH_ACTIONS = {
    "isolate_leader": "(seconds,): cut the leader off from every other server for that long, "
                      "while clients still reach it and commands keep being fed to it",
    "crash_new_leaders": "(seconds,): for that long, crash each newly elected leader within "
                         "one network latency of its election (restarted 50-300 ms later)",
}
POLL = 0.001  # virtual seconds between two looks for a new leader


def harsh_schedule(servers: Sequence[str] | int, seed: int, *,
                   duration: float = 4.0) -> list[Fault]:
    """Draw isolations of the leader and waves of leader crashes for ``servers``
    from ``seed`` (about one every second), to play with :func:`install_harsh`."""
    _server_ids(servers)
    check_number("duration", duration, high=MAX_FAULTS)  # about one fault a second
    rng = random.Random(f"raftlib-harsh:{seed}")
    schedule, t = [], rng.expovariate(1.0)
    while t < duration:
        action = rng.choice(sorted(HARSH_ACTIONS))
        schedule.append(Fault(round(t, 6), action, (round(rng.uniform(0.2, 1.0), 6),)))
        t += rng.expovariate(1.0)
    return schedule


def install_harsh(cluster: "Cluster", schedule: Sequence[Fault]) -> None:
    """Schedule every fault of ``schedule`` (actions from :data:`HARSH_ACTIONS`)."""
    for fault in schedule:
        if not isinstance(fault, Fault) or fault.action not in HARSH_ACTIONS or len(
                fault.args) != 1:
            raise ConfigError(f"a harsh schedule holds Fault records with an action from "
                              f"{list(HARSH_ACTIONS)} and one argument (seconds), got {fault!r}")
        check_number(f"{fault.action}'s seconds", fault.args[0], low_open=True)
        play = isolate_leader if fault.action == "isolate_leader" else crash_new_leaders
        cluster.call_later(fault.time, lambda f=fault, play=play: play(cluster, f.args[0]))


def isolate_leader(cluster: "Cluster", seconds: float, *, feed_every: float = 0.01) -> str | None:
    """Cut the current leader off from the other servers (clients still reach it) for
    ``seconds``, submitting a command to it every ``feed_every`` seconds meanwhile:
    it must never commit them. Returns the leader isolated (None if there was none)."""
    old = cluster.leader()
    if old is None:
        return None
    others = [s for s in cluster.nodes if s != old]
    if others:
        cluster.partition([old], others)
    feeding = [0]

    def feed():
        if cluster.up[old] and cluster[old].role == "leader":
            feeding[0] += 1
            cluster.submit(("to-isolated", old, feeding[0]), to=old)
        if feeding[0] < seconds / feed_every:
            cluster.call_later(feed_every, feed)

    feed()
    cluster.call_later(seconds, lambda: cluster.partition(cluster.nodes))
    return old


def crash_new_leaders(cluster: "Cluster", seconds: float) -> None:
    """For ``seconds``, crash each newly elected leader within one network latency
    (the low end of ``network.latency``) of its election; it restarts 50-300 ms later."""
    rng = cluster.rng("faults:harsh")
    end = cluster.now + seconds
    seen = {"leader": cluster.leader()}

    def crash_then_restart(sid: str) -> None:
        if cluster.up[sid]:
            cluster.crash(sid)
            cluster.call_later(rng.uniform(0.05, 0.3),
                               lambda: cluster.up[sid] or cluster.restart(sid))

    def watch():
        leader = cluster.leader()
        if leader is not None and leader != seen["leader"]:
            cluster.call_later(rng.uniform(0.0, cluster.network.latency[0]),
                               lambda: crash_then_restart(leader))
        seen["leader"] = leader
        if cluster.now + POLL <= end:
            cluster.call_later(POLL, watch)

    watch()
