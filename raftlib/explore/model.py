"""The transition system the explorer searches: states, enabled steps and their successors.

A state is a tuple of small ints ``(servers, in_flight, submitted, crashes, ghost)``:
``servers`` the interned tuple of each server (:mod:`.state`), ``in_flight`` the
sorted interned messages (a multiset: a duplicated message appears twice),
``submitted`` how many of the commands the clients have given a leader,
``crashes`` how many crashes happened, ``ghost`` the interned history the checker
needs (:mod:`.invariants`).

Steps (Raft's environment; any of them may happen at any time, as in TLA+):
deliver a message to a running server, drop it, duplicate it, fire a running
non-leader's election timeout, fire a leader's heartbeat, give the next command
to a leader, crash a running server (its messages still in flight are lost;
those to it stay, and reach it if it restarts first), restart a crashed one
from its persisted state. A step whose successor leaves a bound is not taken.

A server's reaction depends only on its own tuple and its input, so it is
computed once per (server, tuple, input) and cached: the node class runs on
each distinct situation once, however many cluster states share it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..core import LEADER, RaftNode
from . import dead, invariants
from .steps import Step
from .symmetry import Symmetry
from .state import APPLIED, LOG, ROLE, TERM, UP, Codec, crashed, dump, load, persisted

DELIVER, DROP, DUPLICATE, TIMEOUT, HEARTBEAT, REQUEST, CRASH, RESTART = (
    "deliver", "drop", "duplicate", "timeout", "heartbeat", "request", "crash", "restart")
KINDS = (DELIVER, DROP, DUPLICATE, TIMEOUT, HEARTBEAT, REQUEST, CRASH, RESTART)


#: ``(servers, in_flight, submitted, crashes, ghost)``, a plain tuple for speed.
State = tuple


class Reaction(NamedTuple):
    """What one server did with one input (cached)."""

    server: int                     # its new interned tuple
    sent: tuple[int, ...]           # interned messages it sent
    applied: tuple                  # (index, Entry) pairs it applied
    violation: Any                  # Leader Append-Only broken by this step, or None
    checks: bool                    # whether the step can break a property of the whole state
    log_changed: bool


class Model:
    """The bounded transition system of ``n`` servers of ``node_class``."""

    def __init__(self, n: int, node_class: type[RaftNode], *, max_term: int, max_log: int,
                 max_in_flight: int, commands: tuple, crashes: int, drops: bool,
                 duplicates: bool, symmetry: bool = True, reduce: bool = True,
                 walks: bool = False) -> None:
        self.ids = tuple(f"S{i}" for i in range(1, n + 1))
        self.node_class = node_class
        self.max_term, self.max_log, self.max_in_flight = max_term, max_log, max_in_flight
        self.commands, self.max_crashes = commands, crashes
        self.drops, self.duplicates = drops, duplicates
        self.codec = Codec(self.ids)
        self._nodes = [node_class(sid, self.ids) for sid in self.ids]
        self._fresh = [dump(node, 0) for node in self._nodes]
        self._cache: dict[tuple, Reaction] = {}
        #: drop dead messages at once (:mod:`.dead`): sound only when drops are allowed
        self.reduce = reduce and drops and dead.applies(node_class)
        self.leader_replies = dead.applies(node_class, dead.LEADER_METHODS)  # R4 too
        self._dead: dict[tuple[int, int], bool] = {}   # (server tuple, message) -> dead?
        self.ghosts: list[invariants.Ghost] = []
        self._ghost_ids: dict[invariants.Ghost, int] = {}
        # n! renamings: worth it up to 4 servers (24), not beyond
        self.symmetry = Symmetry(self.codec, self.ghost, self.ghosts, every=walks) \
            if symmetry and 1 < n <= 4 else None

    # ------------------------------------------------------------ interning
    def ghost(self, g: invariants.Ghost) -> int:
        i = self._ghost_ids.get(g)
        if i is None:
            i = self._ghost_ids[g] = len(self.ghosts)
            self.ghosts.append(g)
        return i

    def initial(self) -> State:
        codec = self.codec
        return (tuple(codec.server(s) for s in self._fresh), (), 0, 0, self.ghost(((), ())))

    def server_tuples(self, state: State) -> list[tuple]:
        servers = self.codec.servers
        return [servers[s] for s in state[0]]

    def messages(self, state: State) -> list[Any]:
        messages = self.codec.messages
        return [messages[m] for m in state[1]]

    def step(self, label: tuple) -> Step:
        """The readable event of a step ``label``."""
        kind, i, arg = label
        if kind in (DELIVER, DROP, DUPLICATE):
            return Step(kind, self.ids[i], self.codec.messages[arg])
        if kind == REQUEST:
            return Step(kind, self.ids[i], command=self.commands[arg])
        return Step(kind, self.ids[i])

    # ------------------------------------------------------------ one server
    def react(self, i: int, s_id: int, kind: str, arg: int = 0) -> Reaction | None:
        """Server ``i`` in tuple ``s_id`` takes one input (cached)."""
        key = (i, s_id, kind, arg)
        try:
            return self._cache[key]
        except KeyError:
            reaction = self._cache[key] = self._react(i, s_id, kind, arg)
            return reaction

    def _react(self, i: int, s_id: int, kind: str, arg: int) -> Reaction | None:
        codec = self.codec
        s = codec.servers[s_id]
        node = self._nodes[i]
        if kind in (RESTART, CRASH):
            if kind == RESTART:
                load(node, self._fresh[i])
                node.restore(persisted(s))
                after = dump(node, 0)
            else:
                load(node, s)
                after = crashed(node.persistent_state())
            if self.reduce and not dead.monotone(s, after, self.leader_replies):
                raise dead.NotMonotone(f"{kind} at {self.ids[i]}: {s} -> {after}")
            return Reaction(codec.server(after), (), (), None, True, True)
        load(node, s)
        if kind == DELIVER:
            node.receive(codec.messages[arg])
        elif kind == TIMEOUT:
            node.on_election_timeout()
        elif kind == HEARTBEAT:
            node.on_heartbeat_timeout()
        else:
            node.propose(self.commands[arg])
        applied = tuple(node.to_apply)
        after = dump(node, s[APPLIED] + len(applied))
        if self.reduce and not dead.monotone(s, after, self.leader_replies):
            raise dead.NotMonotone(f"{kind} at {self.ids[i]}: {s} -> {after}")
        violation = None
        if s[ROLE] == LEADER and after[ROLE] == LEADER and s[TERM] == after[TERM]:
            violation = invariants.append_only(self.ids[i], s[TERM], s[LOG], after[LOG])
        if after[TERM] > self.max_term or len(after[LOG]) > self.max_log:
            return None
        log_changed = after[LOG] != s[LOG]
        checks = bool(applied) or log_changed or (after[ROLE] == LEADER) != (s[ROLE] == LEADER)
        return Reaction(codec.server(after), tuple(codec.message(m) for m in node.outbox),
                        applied, violation, checks, log_changed)

    # ------------------------------------------------------------ successors
    def successors(self, state: State, reduce: bool | None = None) -> list[tuple[tuple, State, Any]]:
        """Every step enabled in ``state``: ``(label, successor, violation)``, with
        ``violation`` set on a step that breaks a property. Successors are concrete
        (not reduced by symmetry); their dead messages are dropped if ``reduce``
        (default: the model's setting)."""
        out: list = []
        live = self.reduce if reduce is None else reduce
        servers = self.codec.servers
        links = self.codec.links
        tuples = [servers[s] for s in state[0]]
        in_flight = state[1]
        step = self._step
        previous = -1
        for pos, m in enumerate(in_flight):
            if m == previous:
                continue  # a second copy: the same steps as the first
            previous = m
            rest = in_flight[:pos] + in_flight[pos + 1:]
            dst = links[m][1]
            if tuples[dst][UP]:
                step(out, state, tuples, dst, DELIVER, m, rest, live)
            if self.drops:
                out.append(((DROP, dst, m), (state[0], rest) + state[2:], None))
            if self.duplicates and self._fits(in_flight + (m,), (m,)):
                out.append(((DUPLICATE, dst, m),
                            (state[0], tuple(sorted(in_flight + (m,)))) + state[2:], None))
        submitted, crashes = state[2], state[3]
        for i, s in enumerate(tuples):
            if not s[UP]:
                step(out, state, tuples, i, RESTART, 0, in_flight, live)
                continue
            if s[ROLE] == LEADER:
                step(out, state, tuples, i, HEARTBEAT, 0, in_flight, live)
                if submitted < len(self.commands):
                    step(out, state, tuples, i, REQUEST, submitted, in_flight, live)
            else:
                step(out, state, tuples, i, TIMEOUT, 0, in_flight, live)
            if crashes < self.max_crashes:
                kept = tuple(m for m in in_flight if links[m][0] != i)
                step(out, state, tuples, i, CRASH, 0, kept, live)
        return out

    def _fits(self, in_flight: tuple, sent: tuple) -> bool:
        """No link that ``sent`` uses holds more than max_in_flight messages."""
        link_ids = self.codec.link_ids
        on = [link_ids[x] for x in in_flight]
        limit = self.max_in_flight
        for link in {link_ids[m] for m in sent}:
            if on.count(link) > limit:
                return False
        return True

    def _step(self, out: list, state: State, tuples: list, i: int, kind: str, arg: int,
              in_flight: tuple, live: bool) -> None:
        reaction = self.react(i, state[0][i], kind, arg)
        if reaction is None:
            return  # it would leave max_term or max_log
        sent = reaction.sent
        if sent:
            in_flight = tuple(sorted(in_flight + sent))
            if not self._fits(in_flight, sent):
                return
        servers = state[0]
        servers = (*servers[:i], reaction.server, *servers[i + 1:])
        if live and (sent or reaction.server != state[0][i]):
            in_flight = self._live(in_flight, i, sent, servers, reaction.server != state[0][i])
        nxt = (servers, in_flight, state[2] + (kind == REQUEST), state[3] + (kind == CRASH),
               state[4])
        violation = reaction.violation
        if violation is None and reaction.checks:
            nxt, violation = self._check(nxt, tuples, i, reaction)
        out.append(((kind, i, arg), nxt, violation))

    def _live(self, in_flight: tuple, i: int, sent: tuple, servers: tuple,
              changed: bool) -> tuple:
        """``in_flight`` without the messages a step at server ``i`` made dead: those it
        just ``sent``, and those to ``i`` if it ``changed`` (:mod:`.dead`)."""
        links, memo = self.codec.links, self._dead
        keep = []
        for m in in_flight:
            dst = links[m][1]
            if (changed and dst == i) or m in sent:
                key = (servers[dst], m)
                is_dead = memo.get(key)
                if is_dead is None:
                    is_dead = memo[key] = self._is_dead(m, servers[dst])
                if is_dead:
                    continue
            keep.append(m)
        return in_flight if len(keep) == len(in_flight) else tuple(keep)

    def dead_messages(self, state: State) -> list[int]:
        """The interned messages in flight in ``state`` that are dead (:mod:`.dead`)."""
        links = self.codec.links
        return [m for m in state[1] if self._is_dead(m, state[0][links[m][1]])]

    def _is_dead(self, m: int, s_id: int) -> bool:
        src, dst = self.codec.links[m]
        return dead.dead(self.codec.messages[m], self.codec.servers[s_id],
                         src - (src > dst), self.leader_replies)

    def _check(self, nxt: State, tuples: list, i: int, reaction: Reaction) -> tuple[State, Any]:
        """The properties that depend on more than the server that moved."""
        s = self.codec.servers[reaction.server]
        leaders, chosen = self.ghosts[nxt[4]]
        sid = self.ids[i]
        before = tuples[i]
        new_chosen = chosen
        if reaction.applied:
            new_chosen, violation = invariants.applies(chosen, sid, before[APPLIED], s[TERM],
                                                       reaction.applied)
            if violation:
                return nxt, violation
        is_leader = s[ROLE] == LEADER and s[UP]
        new_leaders = leaders
        if is_leader and before[ROLE] != LEADER:
            violation = invariants.election(leaders, sid, s[TERM])
            if violation:
                return nxt, violation
            if (s[TERM], sid) not in leaders:
                new_leaders = tuple(sorted(leaders + ((s[TERM], sid),)))
        if new_leaders is not leaders or new_chosen is not chosen:
            nxt = nxt[:4] + (self.ghost((new_leaders, new_chosen)),)
        if is_leader and new_chosen:
            violation = invariants.completeness(new_chosen, sid, s[TERM], s[LOG])
            if violation:
                return nxt, violation
        log = s[LOG]
        for j, other in enumerate(tuples):
            if j == i:
                continue
            if new_chosen is not chosen and other[ROLE] == LEADER and other[UP]:
                violation = invariants.completeness(new_chosen, self.ids[j], other[TERM],
                                                    other[LOG])
                if violation:
                    return nxt, violation
            if log and other[LOG] and reaction.log_changed:
                violation = (invariants.log_matching(sid, log, self.ids[j], other[LOG]) if i < j
                             else invariants.log_matching(self.ids[j], other[LOG], sid, log))
                if violation:
                    return nxt, violation
        return nxt, None

    # ------------------------------------------------------------ symmetry and traces
    def canonical(self, state: State) -> State:
        """The representative of ``state`` under server renaming (itself without symmetry)."""
        return state if self.symmetry is None else self.symmetry.canonical(state)

    def concretize(self, representatives: list[State], last: tuple | None,
                   violation: Any) -> tuple[list[tuple], State, Any]:
        """A concrete path through states whose representatives are ``representatives``
        (from the initial state on), then the step ``last`` of the final representative
        renamed to match; returns the labels, the concrete final state and the
        violation as found on it."""
        state = self.initial()
        labels = []
        targets = [(r, None) for r in representatives[1:]]
        if last is not None:
            targets.append((None, violation))
        for target, prop in targets:
            for label, nxt, found in self.successors(state):
                if target is not None and found is None and self.canonical(nxt) == target:
                    break
                if prop is not None and found is not None and found.prop == prop.prop:
                    break
            else:
                raise AssertionError("explore: no concrete step matches the trace")  # a bug here
            labels.append(label)
            state = nxt
            violation = found if found is not None else violation
        return labels, state, violation

    def run(self, labels: list[tuple]) -> tuple[list[tuple], State, Any]:
        """Take the concrete steps ``labels`` from the initial state, skipping any that
        is not enabled, until one breaks a property; return the steps taken, the state
        reached and the violation (or ``None``)."""
        state, taken = self.initial(), []
        for label in labels:
            found = {lab: (nxt, v) for lab, nxt, v in self.successors(state)}
            if label not in found:
                continue
            taken.append(label)
            state, violation = found[label]
            if violation is not None:
                return taken, state, violation
        return taken, state, None

    def realize(self, labels: list[tuple]) -> tuple[list[tuple], State, Any]:
        """The steps ``labels`` of the search taken without dropping dead messages at
        once: a step that finds no room on a link first drops the dead messages in
        flight on the links it sends on (:mod:`.dead`). Returns the steps with those
        drops, the state reached and the violation of the last step."""
        links = self.codec.links
        state, taken, violation = self.initial(), [], None
        for label in labels:
            found = {lab: (nxt, v) for lab, nxt, v in self.successors(state, reduce=False)}
            if label not in found:  # no room: free it, one dead message at a time
                kind, i, arg = label
                full = {links[m] for m in self.react(i, state[0][i], kind, arg).sent}
                for m in self.dead_messages(state):
                    if label in found:
                        break
                    if links[m] in full:
                        drop = (DROP, links[m][1], m)
                        taken.append(drop)
                        state = found[drop][0]
                        found = {lab: (nxt, v) for lab, nxt, v
                                 in self.successors(state, reduce=False)}
            taken.append(label)
            state, violation = found[label]
        return taken, state, violation

    def shrink(self, labels: list[tuple], prop: str) -> list[tuple]:
        """A shorter trace that still breaks ``prop``: remove runs of 8, 4, 2, then single
        steps (and the later steps that no longer apply) while the violation stays, for
        the long traces of random walks."""
        size = 8
        while size:
            shrunk = False
            k = len(labels) - 1 - size
            while k >= 0:
                taken, _, violation = self.run(labels[:k] + labels[k + size:])
                if violation is not None and violation.prop == prop and len(taken) < len(labels):
                    labels, shrunk = taken, True
                k = min(k, len(labels) - 1 - size) - 1
            if not shrunk:
                size //= 2
        return labels
