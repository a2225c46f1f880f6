"""Is a key-value client history linearizable? (Herlihy & Wing's correctness condition.)

The checker is the Wing–Gong algorithm with the improvements of Lowe and of
Porcupine (the checker MIT 6.824 uses for its key-value labs): the history is
split by key (operations on different keys commute, so each key is checked on
its own), and the search memoises every (set of operations linearized, state)
it has tried, so no configuration is explored twice.

A history is a list of :class:`Operation`: who called what, with its result,
between the virtual times of the call and of the return. An operation that
never returned (its client gave up, or the run ended first) is *pending*: it
may have taken effect at any time after its call, or never.

    >>> import raftlib as rl
    >>> c = rl.Cluster(3, seed=1); k = c.client()
    >>> k.put("x", "1"); k.wait(); k.get("x"); k.wait()
    '1'
    >>> rl.linearizability.check(c).ok
    True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from .errors import ConfigError

if TYPE_CHECKING:
    from .cluster import Cluster

PENDING = math.inf  # the return time of an operation that never returned
MAX_STEPS = 2_000_000


class Operation(NamedTuple):
    """One client operation: ``kind`` is "put", "append" or "get"; ``output`` is what
    the client was told (None while pending); ``ret`` is :data:`PENDING` if it never
    returned."""

    client: str
    kind: str
    key: Any
    value: Any
    output: Any
    call: float
    ret: float

    @property
    def pending(self) -> bool:
        return self.ret == PENDING

    def __str__(self) -> str:
        arg = f"{self.key!r}" if self.kind == "get" else f"{self.key!r}, {self.value!r}"
        out = "..." if self.pending else repr(self.output)
        return f"{self.client}: {self.kind}({arg}) -> {out}"


class Result(NamedTuple):
    """``ok`` is True (linearizable), False (not), or None (the search gave up after
    ``max_steps``). On False, ``key`` is the key whose history fails,
    ``linearization`` the longest order of its operations that could be explained,
    and ``violating`` the operations that cannot follow it."""

    ok: bool | None
    operations: list[Operation]
    key: Any = None
    linearization: list[Operation] = []
    violating: list[Operation] = []

    def explain(self) -> str:
        if self.ok:
            return f"linearizable ({len(self.operations)} operations)"
        if self.ok is None:
            return "unknown: the search took too many steps"
        lines = [f"not linearizable: on key {self.key!r}, after"]
        lines += [f"  {op}" for op in self.linearization] or ["  (nothing)"]
        lines.append("no order can take next:")
        lines += [f"  {op}" for op in self.violating]
        return "\n".join(lines)


# ------------------------------------------------------------------ the model
def step(state: Any, op: Operation) -> tuple[bool, Any]:
    """The key-value model (as :class:`raftlib.kv.KVStore` applies commands) on one key:
    whether ``op`` can return its output in ``state``, and the state after it."""
    if op.kind == "get":
        return op.pending or op.output == state, state
    if op.kind == "put":
        new = op.value
    else:
        try:
            new = ("" if state is None else state) + op.value
        except TypeError:  # an append the store refuses leaves the value as it was
            return True, state
    return op.pending or op.output == new, new


# ---------------------------------------------------------------- histories
def history(cluster: "Cluster") -> list[Operation]:
    """The history of every key-value client of ``cluster`` so far: each finished
    request (from its call to its answer) and each pending one."""
    ops = []
    for client in cluster.clients.values():
        for row in getattr(client, "history", ()):
            ops.append(Operation(client.id, row["op"], row["key"], row["value"], row["result"],
                                 row["sent"], row["answered"]))
        pending = getattr(client, "pending", None)
        if pending is not None:
            ops.append(Operation(client.id, pending.kind, pending.key, pending.value, None,
                                 client._started, PENDING))
    return sorted(ops, key=lambda o: (o.call, o.client))


def check(history_or_cluster: "Cluster | Iterable[Operation]", *,
          max_steps: int = MAX_STEPS) -> Result:
    """Check that a history (a list of :class:`Operation`, or a cluster's clients'
    history) is linearizable with respect to a key-value store."""
    if hasattr(history_or_cluster, "clients") and hasattr(history_or_cluster, "nodes"):
        ops = history(history_or_cluster)  # type: ignore[arg-type]
    else:
        ops = list(history_or_cluster)  # type: ignore[arg-type]
    for op in ops:
        if not isinstance(op, Operation):
            raise ConfigError(f"a history is a list of linearizability.Operation, got {op!r}")
        if op.kind not in ("put", "append", "get"):
            raise ConfigError(f"operation kind must be put, append or get, got {op.kind!r}")
        if not (op.call <= op.ret) or math.isnan(op.call):
            raise ConfigError(f"an operation must return no earlier than it is called: {op}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ConfigError(f"max_steps must be an int >= 1, got {max_steps!r}")
    by_key: dict[Any, list[Operation]] = {}
    for op in ops:
        by_key.setdefault(_hashable(op.key), []).append(op)
    unknown = False
    for key_ops in by_key.values():
        ok, best, stuck = _check_key(key_ops, max_steps)
        if ok is False:
            return Result(False, ops, key_ops[0].key, best, stuck)
        unknown |= ok is None
    return Result(None if unknown else True, ops)


def _hashable(value: Any) -> Any:
    """``value`` itself if it can be a dict key or set member, else its repr."""
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


class _Node:
    """One call or return event in the doubly linked list of the search."""

    __slots__ = ("op", "id", "call", "match", "prev", "next")

    def __init__(self, op: Operation | None, ident: int, call: bool) -> None:
        self.op, self.id, self.call = op, ident, call
        self.match: _Node | None = None
        self.prev: _Node | None = None
        self.next: _Node | None = None


def _events(ops: list[Operation]) -> _Node:
    """The calls and returns of ``ops`` in time order (calls first at equal times),
    as a linked list behind a sentinel head."""
    events = []
    for i, op in enumerate(ops):
        call, ret = _Node(op, i, True), _Node(op, i, False)
        call.match = ret
        events.append((op.call, 0, i, call))
        events.append((op.ret, 1, i, ret))
    events.sort(key=lambda e: e[:3])
    head = prev = _Node(None, -1, False)
    for *_, node in events:
        prev.next, node.prev = node, prev
        prev = node
    return head


def _lift(node: _Node) -> None:
    """Take a call and its return out of the list."""
    node.prev.next = node.next
    if node.next is not None:
        node.next.prev = node.prev
    ret = node.match
    ret.prev.next = ret.next
    if ret.next is not None:
        ret.next.prev = ret.prev


def _unlift(node: _Node) -> None:
    ret = node.match
    ret.prev.next = ret
    if ret.next is not None:
        ret.next.prev = ret
    node.prev.next = node
    if node.next is not None:
        node.next.prev = node


def _check_key(ops: list[Operation], max_steps: int) -> tuple[bool | None, list, list]:
    """Wing & Gong's search with Lowe's memoisation, on the operations of one key.
    Returns (ok, the longest partial linearization, the operations stuck after it)."""
    head = _events(ops)
    state: Any = None
    linearized = 0
    cache: set[tuple[int, Any]] = set()
    calls: list[tuple[_Node, Any]] = []  # the operations linearized so far, in order
    best: list[int] = []
    stuck: list[int] = []
    node = head.next
    steps = 0
    while head.next is not None:
        steps += 1
        if steps > max_steps:
            return None, [], []
        if node.call:
            ok, new_state = step(state, node.op)
            if ok:
                key = (linearized | (1 << node.id), _hashable(new_state))
                if key not in cache:
                    cache.add(key)
                    calls.append((node, state))
                    state, linearized = new_state, key[0]
                    _lift(node)
                    node = head.next
                    continue
            node = node.next
        else:  # a return: the operation it ends cannot be linearized here, back up
            if len(calls) >= len(best):
                best = [n.id for n, _ in calls]
                stuck = _candidates(head)
            if not calls:
                return False, [ops[i] for i in best], [ops[i] for i in stuck]
            top, state = calls.pop()
            linearized &= ~(1 << top.id)
            _unlift(top)
            node = top.next
    return True, [], []


def _candidates(head: _Node) -> list[int]:
    """The operations that could have come next: every call before the first return."""
    out, node = [], head.next
    while node is not None and node.call:
        out.append(node.id)
        node = node.next
    if node is not None:
        out.append(node.id)  # the operation whose return came too soon
    return sorted(set(out))

