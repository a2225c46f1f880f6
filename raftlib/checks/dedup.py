"""Exercise 09: the client table, exactly-once execution under retries and crashes.

Raft paper §8: "clients assign unique serial numbers to every command. Then,
the state machine tracks the latest serial number processed for each client,
along with the associated response. If it receives a command whose serial
number has already been executed, it responds immediately without re-executing
the request." The learner writes the key-value state machine's duplicate check
and its apply; the checks feed them commands directly, then run them on every
server of real clusters whose leader crashes after applying a request and before
its reply gets out, so the client retries the same request elsewhere.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from ..cluster import Cluster
from ..core import RaftNode
from ..kv import KVStore, Op
from .common import (CheckFailed, exactly_bool, guard, learner_function, library_stood_in,
                     own_functions)
from .persistence import code_names
from .messages import Msg, say
from .runs import rng, run_seeds

RULE = Msg("rule", "rule_dedup")


def _store(**methods: Callable) -> type:
    """A KVStore whose methods ``methods`` are the learner's (guarded)."""
    for name, fn in methods.items():
        learner_function(fn, name)
        if "KVStore" in code_names(fn.__code__):
            raise CheckFailed(say("d_library", name=name))
    attrs = {name: guard(fn, name, _describe) for name, fn in methods.items()}
    return type("LearnerStore", (KVStore,), attrs)


def _describe(store: KVStore, *args: Any) -> str:
    return say("for_args", args=f"sessions={store.sessions}, data={store.data}, {args!r}")


def _op(kind: str, key: str, value: Any, client: str | None, seq: int | None) -> Op:
    return Op(kind, key, value, client, seq)


# ---------------------------------------------------------- Q1: is_duplicate
DUPLICATE_CASES = (
    # (sessions before, command, duplicate?, why)
    ({}, _op("put", "x", 1, "C1", 1), False, Msg("d_why_nothing")),
    ({"C1": (3, "a")}, _op("append", "x", "b", "C1", 3), True,
     Msg("d_why_retry")),
    ({"C1": (3, "a")}, _op("append", "x", "b", "C1", 4), False,
     Msg("d_why_next")),
    ({"C1": (3, "a")}, _op("put", "x", 1, "C2", 3), False,
     Msg("d_why_per_client")),
    ({"C1": (3, "a")}, _op("put", "x", 1, "C1", 2), True,
     Msg("d_why_older")),
    ({"C1": (1, "a"), "C2": (7, None)}, _op("get", "x", None, "C2", 7), True,
     Msg("d_why_get")),
)


def is_duplicate(is_duplicate: Callable, full: bool = False) -> None:
    """Question 1: ``is_duplicate(self, command)`` for client commands."""
    cls = _store(is_duplicate=is_duplicate)
    for sessions, command, want, why in DUPLICATE_CASES if full else DUPLICATE_CASES[:3]:
        store = cls()
        store.sessions = dict(sessions)
        got = exactly_bool(store.is_duplicate(command), f"is_duplicate({command})")
        if got != want:
            raise CheckFailed(say("d_is_duplicate", sessions=sessions, command=command, got=got,
                                  want=want, why=why) + f"\n{RULE}")
        if store.sessions != sessions:
            raise CheckFailed(say("d_changed_table", sessions=store.sessions))


# ----------------------------------------------------------------- Q2: apply
ANY = object()  # any result is accepted for this step


def _script(full: bool) -> list[tuple[Any, Any, str]]:
    """(command, expected result, what it shows) applied in order to one fresh store."""
    steps = [
        (_op("put", "x", "a", "C1", 1), "a", Msg("d_why_put")),
        (_op("append", "x", "b", "C1", 2), "ab", Msg("d_why_append")),
        (_op("append", "x", "b", "C1", 2), "ab",
         Msg("d_why_retried_append")),
        (_op("get", "x", None, "C2", 1), "ab", Msg("d_why_get_value")),
    ]
    if full:
        steps += [
            (_op("append", "x", "c", "C1", 3), "abc", Msg("d_why_next_exec")),
            (_op("get", "x", None, "C2", 1), "ab",
             Msg("d_why_retried_get")),
            (_op("put", "y", 5, None, None), 5, Msg("d_why_no_client")),
            (_op("put", "y", 6, None, None), 6, Msg("d_why_every_time")),
            ("not an Op", None, Msg("d_why_not_op")),
            (_op("append", "x", "b", "C1", 2), ANY,
             Msg("d_why_old_retry")),
            (_op("get", "x", None, "C1", 4), "abc", Msg("d_why_twice")),
        ]
    return steps


def apply(apply: Callable, full: bool = False) -> None:
    """Question 2: ``apply(self, command)``: execute a committed command once, answer a
    retry from the client table (with the library's ``is_duplicate``)."""
    cls = _store(apply=apply)
    store = cls()
    done: list[str] = []
    for command, want, why in _script(full):
        data_before = dict(store.data)
        got = store.apply(command)
        done.append(repr(command))
        if want is ANY:
            if store.data != data_before:
                raise CheckFailed(say("d_data", done=", ".join(done), data=store.data, why=why)
                                  + f"\n{RULE}")
            continue
        if got != want:
            raise CheckFailed(say("d_apply", done=", ".join(done), got=got, want=want, why=why)
                              + f"\n{RULE}")
    if full:
        expected_sessions = {"C1": (4, "abc"), "C2": (1, "ab")}
        if store.sessions != expected_sessions:
            raise CheckFailed(say("d_sessions", sessions=store.sessions,
                                  expected=expected_sessions) + f"\n{RULE}")


#: Each function's own question (the parameters of :func:`exactly_once` hide the names).
_OWN_QUESTION = {"is_duplicate": is_duplicate, "apply": apply}


# ----------------------------------------------- Q3: exactly once in clusters
CLIENTS = ("C1", "C2")
REQUESTS = 6


def _workload(client: Any):
    for seq in range(1, REQUESTS + 1):
        client.append(client.id, f"{seq},")
        while client.pending is not None:
            yield 0.005


def _crash_before_reply(c: Cluster, r: random.Random):
    """Crash the leader right after it applies a client request (its reply is lost with
    it), and restart it 50 ms later."""
    seen = {sid: 0 for sid in c.nodes}
    while c.now < 6.0:
        yield 0.001
        for sid in c.nodes:
            if not c.up[sid]:
                continue
            applied = c.applied(sid)
            new = [cmd for _, cmd in applied[seen[sid]:] if isinstance(cmd, Op)]
            seen[sid] = len(applied)
            if new and c.leader() == sid and r.random() < 0.5:
                c.crash(sid)
                c.call_later(0.05, lambda s=sid: (c.restart(s), seen.__setitem__(s, 0)))


def _retries(store_class: type) -> Callable[[type, int], None]:
    def run(_node_class: type, seed: int) -> None:
        """Two retrying clients append while leaders crash before replying (3 servers)"""
        cls = type("LearnerCluster", (Cluster,), {"store_class": store_class})
        c = cls(3, seed=seed, check_every_event=True)
        for client_id in CLIENTS:
            c.spawn(_workload(c.client(client_id, timeout=0.2)))
        c.spawn(_crash_before_reply(c, rng("dedup:crash", seed)))
        done = c.run_until(lambda: all(len(c.clients[k].history) == REQUESTS
                                       for k in CLIENTS), 20.0)
        if not done:
            raise CheckFailed(say("d_unfinished", requests=REQUESTS,
                                  done=[len(c.clients[k].history) for k in CLIENTS]))
        c.run(0.5)
        _exactly_once(c)
    run.__name__ = "retries"  # its message key
    return run


def _exactly_once(c: Cluster) -> None:
    want = {k: "".join(f"{seq}," for seq in range(1, REQUESTS + 1)) for k in CLIENTS}
    retried = sum(row["attempts"] > 1 for k in CLIENTS for row in c.clients[k].history)
    for sid in c.nodes:
        if not c.up[sid]:
            continue
        data = {k: c.kv[sid].data.get(k) for k in CLIENTS}
        if data != want:
            raise CheckFailed(say("d_twice", sid=sid, data=data, requests=REQUESTS,
                                  retried=retried, want=want) + f"\n{RULE}")
    for k in CLIENTS:
        for row in c.clients[k].history:
            expected = "".join(f"{seq}," for seq in range(1, row["seq"] + 1))
            if row["result"] != expected:
                raise CheckFailed(say("d_answer", client=k, seq=row["seq"],
                                      attempts=row["attempts"], result=row["result"],
                                      expected=expected) + f"\n{RULE}")


def exactly_once(is_duplicate: Callable, apply: Callable, full: bool = False) -> None:
    """Question 3: both functions on every server of real clusters with retrying clients
    and leaders that crash between applying a request and answering it. A function whose
    own question fails is the library's here (one bug, one question)."""
    own = own_functions({"is_duplicate": is_duplicate, "apply": apply},
                        {name: [lambda f, q=question: q(f, True)]
                         for name, question in _OWN_QUESTION.items()})
    store_class = _store(**own)
    library_stood_in(lambda: run_seeds(_retries(store_class), RaftNode,
                                       range(6) if full else range(1), {}),
                     {"is_duplicate", "apply"} - set(own))


__all__ = ["DUPLICATE_CASES", "apply", "exactly_once", "is_duplicate"]
