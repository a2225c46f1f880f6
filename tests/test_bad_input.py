"""The bad-input table of issue 14: every public entry point of raftlib, fed bad input.

Each case is a call and what must happen: either a named raftlib error (a
``RaftlibError`` subclass) whose message mentions the parameter, or a documented
valid behaviour, checked. A case fails as a *bare exception* (TypeError,
KeyError, AttributeError... from inside), a *silent* acceptance or wrong state,
or a *hang* (a per-case SIGALRM guard). The test prints the tally.
"""

from __future__ import annotations

import math
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable

import pytest

import raftlib as rl
from raftlib import experiments, faults, glossary, i18n, plots, scenarios, soak, tables
from raftlib.faults import Fault
from raftlib.primary_backup import PrimaryBackup
from raftlib.replay import Timeline

NAN, INF = math.nan, math.inf
PER_CASE_SECONDS = 5


@dataclass
class Case:
    name: str
    call: Callable[[rl.Cluster], Any]
    mention: str | None = None                  # None: a valid input
    check: Callable[[rl.Cluster, Any], bool] | None = None  # for valid inputs


CASES: list[Case] = []


def bad(name: str, call: Callable, mention: str) -> None:
    CASES.append(Case(name, call, mention))


def ok(name: str, call: Callable, check: Callable | None = None) -> None:
    CASES.append(Case(name, call, None, check))


def each(values, name: str, make: Callable, mention: str) -> None:
    for v in values:
        bad(f"{name}={v!r}", lambda c, v=v: make(c, v), mention)


NUMBERS = [-1, -0.5, NAN, INF, -INF, "1", True, None, [1], "soon"]
BOOLS = ["false", "no", "yes", "True", 0, 1, None, 0.0]
IDS = ["S9", "", None, 1, ["S1"], "s1"]
RANGES = [(0.3, 0.1), (-1, 1), (NAN, 1), (0, INF), "12", (1,), (1, 2, 3), 5, ("a", "b"), {}]
PROBABILITIES = [1.5, -0.1, NAN, INF, "x", "0.5", None, True]

# ----------------------------------------------------------------- Cluster(...)
each([0, -1, 2.0, "3", True, None, 10**6, 102, [3], NAN], "Cluster n",
     lambda c, v: rl.Cluster(v), "n must be")
each(["1", 1.5, None, True, [1]], "Cluster seed", lambda c, v: rl.Cluster(3, seed=v), "seed")
each([[], "fast", None, 1, "PAPER"], "Cluster timing",
     lambda c, v: rl.Cluster(3, timing=v), "timing")
each(RANGES, "Cluster election_timeout",
     lambda c, v: rl.Cluster(3, election_timeout=v), "election_timeout")
each([v for v in NUMBERS if v is not None] + [1e-9, 0, 0.15, 0.3, 1.0],
     "Cluster heartbeat_interval",
     lambda c, v: rl.Cluster(3, heartbeat_interval=v), "heartbeat_interval")
each([r for r in RANGES] + [None], "Cluster latency",
     lambda c, v: rl.Cluster(3, latency=v), "latency")
each(RANGES, "Cluster storage_latency",
     lambda c, v: rl.Cluster(3, storage_latency=v), "storage_latency")
each([object, "RaftNode", None, 1, rl.RaftNode("S1", ["S1"])], "Cluster node_class",
     lambda c, v: rl.Cluster(3, node_class=v), "node_class")
for flag in ("noop_on_election", "dedup", "check_every_event"):
    each(BOOLS, f"Cluster {flag}", lambda c, v, f=flag: rl.Cluster(3, **{f: v}), flag)
ok("Cluster(1)", lambda c: rl.Cluster(1).run(1.0), lambda c, r: True)
ok("Cluster(101)", lambda c: rl.Cluster(101), lambda c, r: len(r.nodes) == 101)
ok("Cluster dedup=False", lambda c: rl.Cluster(3, dedup=False), lambda c, r: r.dedup is False)
ok("Cluster timing=mit", lambda c: rl.Cluster(3, timing="mit"),
   lambda c, r: r.heartbeat_interval == 0.1)
ok("Cluster election_timeout=None", lambda c: rl.Cluster(3, election_timeout=None),
   lambda c, r: r.election_timeout == (0.15, 0.3))
bad("Cluster heartbeat >= election low via election_timeout",
    lambda c: rl.Cluster(3, election_timeout=(0.01, 0.02)), "heartbeat_interval")

# ------------------------------------------------------------ running and time
each(NUMBERS, "run", lambda c, v: c.run(v), "seconds")
each([NAN, -1, "x", None, INF], "run_to", lambda c, v: c.run_to(v), "time")
bad("run_to the past", lambda c: (c.run(1), c.run_to(0.5)), "past")
each([True, None, 1, "x"], "run_until predicate", lambda c, v: c.run_until(v, 1), "predicate")
each(NUMBERS, "run_until timeout", lambda c, v: c.run_until(lambda: False, v), "timeout")
each(NUMBERS, "call_later delay", lambda c, v: c.call_later(v, lambda: None), "delay")
each([5, None, "x"], "call_later fn", lambda c, v: c.call_later(0.1, v), "fn")
each([5, None, "x", [1]], "spawn", lambda c, v: c.spawn(v), "spawn")


def _sleeper(value):
    yield value


each([-1, NAN, "x", None], "process sleep",
     lambda c, v: (c.spawn(_sleeper(v)), c.run(0.1)), "sleep")
each(NUMBERS, "run_process timeout",
     lambda c, v: c.run_process(_sleeper(0.1), timeout=v), "timeout")
each(["S9", None, ["S1"], 1], "set_timer node", lambda c, v: c.set_timer(v, "x", 0.1),
     "unknown node")
each([-5, NAN, INF, "1", None, True], "set_timer delay",
     lambda c, v: c.set_timer("S1", "election", v), "delay")
each(["", None, 5], "set_timer name", lambda c, v: c.set_timer("S1", v, 0.1), "name")
each(["S9", None, ["S1"]], "cancel_timer node", lambda c, v: c.cancel_timer(v, "x"),
     "unknown node")
each(["S9", None], "cancel_timers node", lambda c, v: c.cancel_timers(v), "unknown node")
ok("step on an empty queue", lambda c: rl.Cluster(1).step(), lambda c, r: r is not None)


# ------------------------------------------------------------------ re-entrancy
def _inside(c, inner):
    c.call_later(0.1, lambda: inner(c))
    c.run(0.5)


for _name, _inner in {"run": lambda c: c.run(1), "run_to": lambda c: c.run_to(3),
                      "run_until": lambda c: c.run_until(lambda: False, 1),
                      "step": lambda c: c.step(), "run_process": lambda c: c.run_process(
                          _sleeper(0.1)),
                      "deliver_now": lambda c: c.deliver_now(1)}.items():
    bad(f"{_name} inside a callback", lambda c, f=_inner: _inside(c, f), _name)
bad("run inside a run_until predicate",
    lambda c: c.run_until(lambda: c.run(1) or False, 1), "run")


def _wait_inside(c):
    cl = c.client("C1")
    c.run(1)
    cl.put("x", "1")
    c.call_later(0.01, lambda: cl.wait())
    c.run(0.5)


bad("client wait inside a callback", _wait_inside, "run_until")

# ----------------------------------------------------------------- server ids
for _method in ("crash", "restart", "disconnect", "connect", "timeout", "applied", "__getitem__"):
    each(IDS, _method, lambda c, v, m=_method: getattr(c, m)(v), "unknown server")
for _method in ("crash", "restart"):
    bad(f"{_method} a client", lambda c, m=_method: (c.client("C1"), getattr(c, m)("C1")),
        "client")
ok("disconnect a client", lambda c: (c.client("C1"), c.disconnect("C1")),
   lambda c, r: "C1" in c.network.disconnected)
bad("cut S1 S1", lambda c: c.cut("S1", "S1"), "different")
each(["S9", None, ["S1"], ""], "cut dst", lambda c, v: c.cut("S1", v), "unknown server")
each(["S9", None, 3], "cut src", lambda c, v: c.cut(v, "S1"), "unknown server")
bad("partition string group", lambda c: c.partition("S1", ["S2", "S3"]), "string")
bad("partition number group", lambda c: c.partition(5, ["S1", "S2", "S3"]), "lists")
bad("partition twice", lambda c: c.partition(["S1", "S2"], ["S2", "S3"]), "twice")
bad("partition missing", lambda c: c.partition(["S1"], ["S2"]), "does not name")
bad("partition none", lambda c: c.partition(), "at least one group")
bad("partition unknown", lambda c: c.partition({"S1", "S9"}, ["S2", "S3"]), "unknown server")
bad("partition nested", lambda c: c.partition([["S1"]], ["S2", "S3"]), "unknown server")
ok("partition with sets", lambda c: c.partition({"S3", "S1"}, {"S2"}),
   lambda c, r: c.network.groups == [["S1", "S3"], ["S2"]]
   and c.trace_rows()[-1][-1] == "S1,S3 | S2")

# ---------------------------------------------------------------- observation
each([0, -1, 1.0, True, "1", None], "committed", lambda c, v: c.committed(v), "index")
for _method in ("drop", "duplicate", "deliver_now"):
    each([999, None, "1", -1], _method, lambda c, v, m=_method: getattr(c, m)(v),
         "no message with id")
each(["no", None, 1], "transcript deliveries", lambda c, v: c.transcript(deliveries=v),
     "deliveries")

# ---------------------------------------------------------------------- submit
each([lambda: 1, (x for x in ()), threading.Lock()], "submit unpicklable",
     lambda c, v: c.submit(v, to="S1"), "submit")
for _label, _op, _mention in [
        ("unknown kind", rl.Op("frobnicate", "k"), "kind"),
        ("list key", rl.Op("put", ["k"], "1"), "key"),
        ("int key", rl.Op("get", 5), "key"),
        ("append int", rl.Op("append", "k", 5), "append"),
        ("append None", rl.Op("append", "k"), "append"),
        ("put nan", rl.Op("put", "k", NAN), "value"),
        ("put list", rl.Op("put", "k", [1]), "value"),
        ("put dict", rl.Op("put", "k", {"a": 1}), "value"),
        ("get with value", rl.Op("get", "k", "v"), "get"),
        ("seq None", rl.Op("put", "k", "v", "C1", None), "seq"),
        ("seq 0", rl.Op("put", "k", "v", "C1", 0), "seq"),
        ("seq str", rl.Op("put", "k", "v", "C1", "1"), "seq"),
        ("client_id int", rl.Op("put", "k", "v", 5, 1), "client_id"),
        ("kind None", rl.Op(None, "k"), "kind"),
        ("kind list", rl.Op(["put"], "k", "v"), "kind")]:
    bad(f"submit Op {_label}", lambda c, o=_op: c.submit(o, to="S1"), _mention)
each([v for v in IDS if v is not None], "submit to", lambda c, v: c.submit("x", to=v),
     "unknown server")
bad("submit to a crashed server", lambda c: (c.crash("S2"), c.submit("x", to="S2")), "crashed")
ok("submit with no leader", lambda c: c.submit("x"), lambda c, r: r == (-1, 0, False))
ok("submit a set", lambda c: c.submit({1, 2}, to="S1"), lambda c, r: r[0] == -1 or r[2] in (
    True, False))
ok("submit a valid Op", lambda c: (c.run(1), c.submit(rl.Op("put", "k", 5)))[1],
   lambda c, r: r[2] is True)

# --------------------------------------------------------------------- clients
each(["", None, 5, "S1", " C1", "a b", ["C1"]], "client id", lambda c, v: c.client(v),
     "client_id")
each([0, -1, 1e-9, 0.001, NAN, INF, "x", True, None], "client timeout",
     lambda c, v: c.client("C2", timeout=v), "timeout")
bad("client twice", lambda c: (c.client("C1"), c.client("C1")), "already exists")


def _with_client(action):
    def call(c):
        cl = c.client("C1")
        return action(c, cl)
    return call


for _label, _action, _mention in [
        ("put list key", lambda c, cl: cl.put(["k"], "1"), "key"),
        ("put None key", lambda c, cl: cl.put(None, "1"), "key"),
        ("put list value", lambda c, cl: cl.put("k", [1]), "value"),
        ("put nan", lambda c, cl: cl.put("k", NAN), "value"),
        ("put inf", lambda c, cl: cl.put("k", INF), "value"),
        ("put object", lambda c, cl: cl.put("k", object()), "value"),
        ("append int", lambda c, cl: cl.append("k", 5), "append"),
        ("append None", lambda c, cl: cl.append("k", None), "append"),
        ("append bytes", lambda c, cl: cl.append("k", b"x"), "append"),
        ("get int key", lambda c, cl: cl.get(5), "key"),
        ("request delete", lambda c, cl: cl.request("delete", "k"), "kind"),
        ("request None", lambda c, cl: cl.request(None, "k"), "kind"),
        ("request list", lambda c, cl: cl.request(["put"], "k", "v"), "kind"),
        ("wait before any request", lambda c, cl: cl.wait(), "no request"),
        ("wait -1", lambda c, cl: (cl.put("k", "v"), cl.wait(-1)), "timeout"),
        ("wait nan", lambda c, cl: (cl.put("k", "v"), cl.wait(NAN)), "timeout"),
        ("wait str", lambda c, cl: (cl.put("k", "v"), cl.wait("x")), "timeout"),
        ("two at a time", lambda c, cl: (cl.put("k", "v"), cl.put("k", "w")), "one request"),
        ("append to a number", lambda c, cl: (cl.put("k", 5), cl.wait(), cl.append("k", "x"),
                                              cl.wait()), "holds 5"),
        ("put after reset", lambda c, cl: (rl.replay.restore(c, rl.replay.fresh(c)),
                                           cl.put("k", "v")), "does not exist")]:
    bad(f"client {_label}", _with_client(_action), _mention)


def _poisoned_then_fine(c, cl):
    cl.put("k", 5)
    cl.wait()
    cl.append("k", "x")
    c.run(0.5)
    c.run(0.5)  # no exception out of run(), now or later
    cl.put("a", "1")
    result = cl.wait()
    c.run(0.5)  # every follower learns the commit
    return result


ok("client: an append to a number does not break later runs",
   _with_client(_poisoned_then_fine),
   lambda c, r: r == "1" and len({repr(c.kv[s].data) for s in c.nodes}) == 1)
ok("client: int put", _with_client(lambda c, cl: (cl.put("k", 5), cl.wait())[1]),
   lambda c, r: r == 5)

# --------------------------------------------------------------------- network
for _knob in ("latency", "request_delay"):
    each(RANGES + [None], f"network.{_knob}", lambda c, v, k=_knob: setattr(c.network, k, v),
         _knob)
for _knob in ("request_loss", "reply_loss", "duplicate"):
    each(PROBABILITIES, f"network.{_knob}", lambda c, v, k=_knob: setattr(c.network, k, v),
         _knob)
each(BOOLS + [NAN], "network.long_reordering",
     lambda c, v: setattr(c.network, "long_reordering", v), "long_reordering")
each(BOOLS, "network.set_unreliable", lambda c, v: c.network.set_unreliable(v), "unreliable")
each(["reqest_loss", "latancy", "long_reorder", "dupliate", "foo", "reliable"],
     "network misspelled", lambda c, v: setattr(c.network, v, 0.5), "no setting")
ok("network.duplicate = 1", lambda c: setattr(c.network, "duplicate", 1),
   lambda c, r: c.network.duplicate == 1.0)
ok("network.long_reordering = True", lambda c: setattr(c.network, "long_reordering", True),
   lambda c, r: c.network.long_reordering is True and not c.network.reliable)
ok("network.set_unreliable(False)", lambda c: c.network.set_unreliable(False),
   lambda c, r: c.network.reliable)

# ---------------------------------------------------------------------- faults
each([None, "S1", [], ["S1", "S1"], [1, 2], 0, -1, 10**6, 3.5], "random_schedule servers",
     lambda c, v: faults.random_schedule(v, 1), "servers")
each(["1", 1.5, None, True], "random_schedule seed",
     lambda c, v: faults.random_schedule(3, v), "seed")
each([-1, NAN, INF, "1", None, 1e7], "random_schedule duration",
     lambda c, v: faults.random_schedule(3, 1, duration=v), "duration")
each([0, -1, NAN, 1e-9, "x"], "random_schedule mean_gap",
     lambda c, v: faults.random_schedule(3, 1, mean_gap=v), "mean_gap")
each(["wild", None, []], "random_schedule profile",
     lambda c, v: faults.random_schedule(3, 1, profile=v), "profile")
each([{"explode": 1}, {"crash": -1}, {"crash": NAN}, "x", [1]], "random_schedule weights",
     lambda c, v: faults.random_schedule(3, 1, weights=v), "weights")
each([-1, 4, 1.5, "1", True], "random_schedule max_down",
     lambda c, v: faults.random_schedule(3, 1, max_down=v), "max_down")
ok("random_schedule zero duration", lambda c: faults.random_schedule(3, 1, duration=0),
   lambda c, r: r == [])
for _fault, _mention in [
        (Fault(-1, "crash", ("S1",)), "time"), (Fault(NAN, "crash", ("S1",)), "time"),
        (Fault("0.1", "heal"), "time"), (Fault(0.1, "crash", ("S9",)), "unknown server"),
        (Fault(0.1, "crash", ()), "one server"), (Fault(0.1, "cut", ("S1", "S1")), "differ"),
        (Fault(0.1, "cut", ("S1",)), "src, dst"), (Fault(0.1, "partition", (["S1"],)),
                                                   "does not name"),
        (Fault(0.1, "partition", ("S1", "S2")), "string"), (Fault(0.1, "heal", ("x",)),
                                                          "no arguments"),
        (Fault(0.1, "unreliable", ("no",)), "True or False"),
        (Fault(0.1, "long_reordering", (1,)), "True or False"),
        (Fault(0.1, "duplicate", (1.5,)), "probability"), (Fault(0.1, "duplicate", ()), "one"),
        (Fault(0.1, "explode"), "action"), ((0.1, "crash", ("S1",)), "Fault records"),
        (Fault(0.1, "crash", "S1"), "tuple"), (Fault(0.1, "restart", ("S9",)), "unknown server"),
        (Fault(0.1, "disconnect", (None,)), "unknown server"),
        (Fault(0.1, ["crash"], ("S1",)), "Fault records"),
        (Fault(0.1, "connect", ("S1", "S2")), "one server")]:
    bad(f"install {_fault!r}", lambda c, f=_fault: faults.install(c, [f]), _mention)
    bad(f"apply_fault {_fault!r}", lambda c, f=_fault: faults.apply_fault(c, f),
        "Fault records" if _mention == "Fault records" else _mention)
each([None, "x", Fault(0.1, "heal"), 5], "install schedule",
     lambda c, v: faults.install(c, v), "schedule")
ok("a refused schedule installs nothing",
   lambda c: pytest.raises(rl.RaftlibError, faults.install, c,
                           [Fault(0.1, "heal"), Fault(0.2, "crash", ("S9",))]),
   lambda c, r: (c.run(0.3), not any(row[1] == "heal" for row in c.trace_rows()))[1])
ok("install a valid schedule", lambda c: faults.install(c, faults.random_schedule(
    c.nodes, 1, duration=1.0)), lambda c, r: (c.run(1.5), True)[1])

# -------------------------------------------------------------------- Timeline
bad("Timeline(None)", lambda c: Timeline(None), "cluster")
bad("Timeline(5)", lambda c: Timeline(5), "cluster")
each([NAN, "x", None, INF], "Timeline.seek", lambda c, v: Timeline(c).seek(v), "t")
each([NAN, "x", None], "Timeline.run_to", lambda c, v: Timeline(c).run_to(v), "t")
each([-1, NAN, "x", None], "Timeline.run", lambda c, v: Timeline(c).run(v), "seconds")
each(["explode", None, ["crash"], "run"], "Timeline.act", lambda c, v: Timeline(c).act(v),
     "action")
bad("Timeline.act crash S9", lambda c: Timeline(c).act("crash", "S9"), "unknown server")
ok("Timeline.seek(-1) clamps to the start",
   lambda c: (lambda tl: (tl.run_to(1.0), tl.seek(-1)))(Timeline(c)), lambda c, r: c.now == 0)


def _rewound_client(c):
    tl = Timeline(c)
    cl = c.client("C1")
    tl.rebase()
    tl.run_to(1.0)
    cl.put("x", "1")
    tl.rebase()
    tl.run_to(2.0)
    tl.seek(1.0)  # the put is pending again, in the held object too
    tl.run_to(2.0)
    return cl


ok("a held client survives a rewind", _rewound_client,
   lambda c, cl: cl.pending is None and c.clients["C1"] is cl and len(cl.history) == 1)

# ---------------------------------------------------------------------- tables
each(["role", ["rol"], [5], 5], "tables.trace events",
     lambda c, v: tables.trace(c, events=v), "events")
each([NAN, "x", -INF, None], "tables.trace start", lambda c, v: tables.trace(c, start=v), "start")
each([NAN, "x"], "tables.trace end", lambda c, v: tables.trace(c, end=v), "end")
ok("tables.trace known events", lambda c: (c.run(1), tables.trace(c, events=["role"]))[1],
   lambda c, r: len(r) > 0)
each([["S9"], "S1", 5, [None]], "tables.entries servers",
     lambda c, v: tables.entries(c, servers=v), "server")
each(["x", None, 5], "tables.logs value", lambda c, v: tables.logs(c, value=v), "value")
each(["S9", 5, ["S1"]], "tables.peers leader", lambda c, v: tables.peers(c, leader=v), "server")
for _fn in ("trace", "servers", "entries", "logs", "peers", "message_stats", "server_traffic",
            "in_flight", "roles"):
    bad(f"tables.{_fn}(None)", lambda c, f=_fn: getattr(tables, f)(None), "cluster")

# ----------------------------------------------------------------------- plots
each([NAN, "x", -1], "plots.spacetime start", lambda c, v: plots.spacetime(c, start=v, end=1),
     "start")
each([NAN, "x", [1]], "plots.timeline end", lambda c, v: plots.timeline(c, end=v), "end")
each([0, -1, "x", 1.5, True, None], "plots.log_matrix last",
     lambda c, v: plots.log_matrix(c, last=v), "last")
each([None, [], [NAN], ["a"], {}, 5], "plots.distribution data",
     lambda c, v: plots.distribution(v), "distribution")
for _fn in ("spacetime", "timeline", "log_matrix"):
    bad(f"plots.{_fn}(None)", lambda c, f=_fn: getattr(plots, f)(None), "cluster")

# ------------------------------------------------------------------- scenarios
each([["S9"], "S1", [None]], "scenarios.split_vote candidates",
     lambda c, v: scenarios.split_vote(c, v), "server")
each([-1, "x", 1.5, None, True, 10**6], "scenarios.leader_crash commands",
     lambda c, v: scenarios.leader_crash(c, commands=v), "commands")
each([-1, "x", 1.5, None, 10**6], "scenarios.stale_follower missed",
     lambda c, v: scenarios.stale_follower(rl.Cluster(5, seed=1), missed=v), "missed")
each(["explode", None, ["figure8"]], "scenarios.apply name",
     lambda c, v: scenarios.apply(v, c), "scenario")
bad("scenarios.figure8 on 3 servers", lambda c: scenarios.figure8(c), "needs exactly 5")
for _name in scenarios.PRESETS:
    bad(f"scenarios.apply({_name!r}, None)", lambda c, n=_name: scenarios.apply(n, None),
        "cluster")

# ----------------------------------------------------------------- experiments
each([(300, 150), "x", (0, 1), (NAN, 1), None], "experiments.run_trial timeout_ms",
     lambda c, v: experiments.run_trial(v, 0), "timeout")
each(["x", None, 1.5], "experiments.run_trial seed",
     lambda c, v: experiments.run_trial((150, 300), v), "seed")
each([[], [NAN], None, ["a"]], "experiments.cdf", lambda c, v: experiments.cdf(v), "cdf")
each([0, -1, "x", None], "experiments.figure16 trials",
     lambda c, v: experiments.figure16(trials=v), "trials")
each([0, "x"], "experiments.broadcast_time samples",
     lambda c, v: experiments.broadcast_time(samples=v), "samples")
bad("experiments.run_lines no lines", lambda c: experiments.run_lines([], 1), "lines")

# ------------------------------------------------------------------------ soak
each(["x", None, 1.5], "soak.chaos_run seed", lambda c, v: soak.chaos_run(v), "seed")
each([0, "3", 10**6], "soak.chaos_run n", lambda c, v: soak.chaos_run(1, n=v), "n")
each([-1, NAN, "x", 1e7], "soak.chaos_run duration",
     lambda c, v: soak.chaos_run(1, duration=v), "duration")
each([0, -1, NAN], "soak.chaos_run check_interval",
     lambda c, v: soak.chaos_run(1, check_interval=v), "check_interval")
each(["no", None], "soak.chaos_run check_every_event",
     lambda c, v: soak.chaos_run(1, check_every_event=v), "check_every_event")
each([object, "x"], "soak.chaos_run node_class",
     lambda c, v: soak.chaos_run(1, node_class=v), "node_class")
bad("soak.chaos_run schedule='x'", lambda c: soak.chaos_run(1, n=3, schedule="x"), "schedule")
bad("soak.chaos_run schedule with a bad fault",
    lambda c: soak.chaos_run(1, n=3, schedule=[Fault(0.1, "crash", ("S9",))]), "fault")

# -------------------------------------------------------------------- glossary
each(["no such term", None, 5, ["leader"]], "glossary.get", lambda c, v: glossary.get(v),
     "glossary")
each(["fr", None, 5], "glossary.label lang", lambda c, v: glossary.label("leader", v), "lang")
each(["fr", None], "glossary.bilingual lang", lambda c, v: glossary.bilingual("leader", v),
     "lang")
each([None, 5, ["x"]], "glossary.search", lambda c, v: glossary.search(v), "text")
each(["sideways", None, 5], "glossary.matches direction",
     lambda c, v: glossary.matches("leader", "leader", v), "direction")
each([-1, "x", 1.5, None, 99, [1]], "glossary.by_lesson", lambda c, v: glossary.by_lesson(v),
     "lesson")
each(["x", 99], "glossary.as_dataframe", lambda c, v: glossary.as_dataframe(v), "lesson")
ok("glossary.matches non-string answer", lambda c: glossary.matches("leader", 5),
   lambda c, r: r is False)

# -------------------------------------------------------------- primary/backup
each([1, "2", None, True, 10**6], "PrimaryBackup replicas",
     lambda c, v: PrimaryBackup(v), "replicas")
each([NAN, 0, -1, "x"], "PrimaryBackup ping_interval",
     lambda c, v: PrimaryBackup(2, ping_interval=v), "ping_interval")
each([0.01, NAN, "x"], "PrimaryBackup failure_timeout",
     lambda c, v: PrimaryBackup(2, failure_timeout=v), "failure_timeout")
each(["P9", 5], "PrimaryBackup initial_primary",
     lambda c, v: PrimaryBackup(2, initial_primary=v), "initial_primary")
each(["x", None], "PrimaryBackup seed", lambda c, v: PrimaryBackup(2, seed=v), "seed")
for _method in ("data", "view", "writes", "crash", "restart"):
    each(["P9", 5], f"PrimaryBackup.{_method}",
         lambda c, v, m=_method: getattr(PrimaryBackup(2), m)(v), "unknown")
bad("PrimaryBackup.view since nan", lambda c: PrimaryBackup(2).view("P1", since=NAN), "since")
bad("PrimaryBackup.client named like a replica", lambda c: PrimaryBackup(2).client("P1"),
    "client_id")

# ------------------------------------------------------------ i18n and show
each(["fr", None, 5, ["en"], ""], "i18n.set_language", lambda c, v: i18n.set_language(v),
     "language")
each(["no_such_key", None], "i18n.text", lambda c, v: i18n.text(v), "UI string")
each([None, 5, "c", Timeline], "show", lambda c, v: rl.show(v), "cluster")


# ------------------------------------------------------------------- the test
class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def _outcome(case: Case) -> str | None:
    """None if the case is handled well; otherwise what went wrong."""
    c = rl.Cluster(3, seed=1)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, PER_CASE_SECONDS)
    try:
        result = case.call(c)
    except _Hang:
        return f"hang (> {PER_CASE_SECONDS} s)"
    except rl.RaftlibError as err:
        if case.mention is None:
            return f"refused a valid input: {type(err).__name__}: {err}"
        if case.mention.lower() not in str(err).lower():
            return f"message does not mention {case.mention!r}: {err}"
        return None
    except Exception as err:  # noqa: BLE001 - this is what the test counts
        return f"bare {type(err).__name__}: {err}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        i18n.set_language("en")
        import matplotlib.pyplot as plt
        plt.close("all")
    if case.mention is not None:
        return f"silently accepted (returned {result!r:.80})"
    if case.check is not None and not case.check(c, result):
        return f"wrong state (returned {result!r:.80})"
    return None


def test_the_bad_input_table(capsys):
    assert len(CASES) >= 300
    assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"
    problems = {}
    for case in CASES:
        problem = _outcome(case)
        if problem is not None:
            problems[case.name] = problem
    handled = len(CASES) - len(problems)
    with capsys.disabled():
        print(f"\nbad-input table: tried {len(CASES)}, handled {handled}, "
              f"bare exceptions {sum(p.startswith('bare') for p in problems.values())}, "
              f"silent/wrong {sum(p.startswith(('silent', 'wrong')) for p in problems.values())}, "
              f"hangs {sum(p.startswith('hang') for p in problems.values())}")
    assert not problems, "\n".join(f"{name}: {p}" for name, p in problems.items())
