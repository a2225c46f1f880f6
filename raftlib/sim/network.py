"""The simulated network: who can reach whom, and what happens to a message on the way.

The model follows MIT 6.824's labrpc (see ``../shared/reference/6824-tests.md``):
requests and replies can be lost separately, requests can be delayed, replies can be
held back for a long time ("long reordering"). Messages can also be duplicated,
which labrpc never does but a real network may. All randomness comes from the
``random.Random`` stream handed in, so a seed replays the same run.
"""

from __future__ import annotations

import random
from typing import Any, Iterable

from ..errors import ConfigError, UnknownServerError
from ..validate import _suggest, check_bool, check_probability, check_range

# labrpc's unreliable mode: a request waits 0-26 ms; 10 % of requests and 10 % of replies are lost.
UNRELIABLE_REQUEST_DELAY = (0.0, 0.026)
UNRELIABLE_LOSS = 0.1
# labrpc's long reordering: 2/3 of replies arrive 200 ms + U(0, U(0, 2000 ms)) late.
LONG_REORDER_PROBABILITY = 2 / 3


class Network:
    """Delivery rules and connectivity between named endpoints.

    Attributes you may set at any time: ``latency`` (one-way delay range, seconds),
    ``request_loss``, ``reply_loss``, ``duplicate`` (probabilities), ``request_delay``
    (extra delay range for requests), ``long_reordering`` (bool),
    ``deliver_from_crashed`` (bool: messages outlive their sender's crash). Setting any
    other attribute (a misspelling such as ``reqest_loss``) raises ConfigError.
    """

    SETTINGS = ("latency", "request_delay", "request_loss", "reply_loss", "duplicate",
                "long_reordering", "deliver_from_crashed")
    _INTERNAL = frozenset({"_rng", "endpoints", "_latency", "_request_delay", "_request_loss",
                           "_reply_loss", "_duplicate", "_long_reordering",
                           "_deliver_from_crashed", "groups", "cuts",
                           "disconnected", "blocked"})
    # the settings that decide a message's fate, and whether they leave the network reliable
    _FATE = ("_request_delay", "_request_loss", "_reply_loss", "_duplicate", "_long_reordering")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.SETTINGS and name not in self._INTERNAL:
            raise ConfigError(f"the network has no setting {name!r}; the settings are "
                              f"{', '.join(self.SETTINGS)}{_suggest(name, list(self.SETTINGS))}")
        super().__setattr__(name, value)
        if name in self._FATE:
            fate = self.__dict__
            # read on every send: no loss, duplication, extra delay or reordering
            super().__setattr__("_reliable", not any(fate.get(key) for key in self._FATE[1:])
                                and not fate.get("_request_delay", (0.0, 0.0))[1])

    def __init__(self, endpoints: Iterable[str], rng: random.Random,
                 latency: tuple[float, float]) -> None:
        self._rng = rng
        self.endpoints: list[str] = list(endpoints)
        self._latency = check_range("latency", latency)
        self._request_delay = (0.0, 0.0)
        self._request_loss = self._reply_loss = self._duplicate = 0.0
        self._long_reordering = False
        self._deliver_from_crashed = False
        self.groups: list[list[str]] = []          # the current partition, if any
        self.cuts: set[tuple[str, str]] = set()      # one-way cuts (src, dst)
        self.disconnected: set[str] = set()
        self.blocked: set[tuple[str, str]] = set()   # derived from the three above

    # ----------------------------------------------------------- delivery rules
    latency = property(lambda self: self._latency,
                       lambda self, v: setattr(self, "_latency", check_range("latency", v)),
                       doc="One-way delay range (low, high) in seconds, drawn uniformly.")
    request_delay = property(
        lambda self: self._request_delay,
        lambda self, v: setattr(self, "_request_delay", check_range("request_delay", v)),
        doc="Extra delay range for requests only (labrpc's unreliable 0-26 ms).")
    request_loss = property(
        lambda self: self._request_loss,
        lambda self, v: setattr(self, "_request_loss", check_probability("request_loss", v)),
        doc="Probability that a request is lost before it reaches the server.")
    reply_loss = property(
        lambda self: self._reply_loss,
        lambda self, v: setattr(self, "_reply_loss", check_probability("reply_loss", v)),
        doc="Probability that a reply is lost after the server handled the request.")
    duplicate = property(
        lambda self: self._duplicate,
        lambda self, v: setattr(self, "_duplicate", check_probability("duplicate", v)),
        doc="Probability that a message is delivered twice (independent delays).")

    long_reordering = property(
        lambda self: self._long_reordering,
        lambda self, v: setattr(self, "_long_reordering", check_bool("long_reordering", v)),
        doc="True: 2/3 of replies are held back 200 ms + U(0, U(0, 2 s)) (labrpc).")

    @property
    def deliver_from_crashed(self) -> bool:
        """Deliver messages still in flight from a server that crashed, or from an
        earlier incarnation of one that restarted (a real network does; off by
        default, when they vanish with their sender)."""
        return self._deliver_from_crashed

    @deliver_from_crashed.setter
    def deliver_from_crashed(self, value: bool) -> None:
        object.__setattr__(self, "_deliver_from_crashed",
                           check_bool("deliver_from_crashed", value))

    def set_unreliable(self, unreliable: bool = True) -> None:
        """labrpc's unreliable mode: requests wait 0-26 ms, 10 % of requests and
        10 % of replies are lost. ``False`` turns all three off again."""
        check_bool("unreliable", unreliable)
        self.request_delay = UNRELIABLE_REQUEST_DELAY if unreliable else (0.0, 0.0)
        self.request_loss = self.reply_loss = UNRELIABLE_LOSS if unreliable else 0.0

    @property
    def reliable(self) -> bool:
        """No loss, duplication, extra request delay or long reordering."""
        return self._reliable

    def delays(self, is_reply: bool) -> tuple[float, ...]:
        """Decide one message's fate: the delays of its copies; empty means lost."""
        rng = self._rng
        if self._reliable:
            low, high = self._latency
            return (low + (high - low) * rng.random(),)
        loss = self._reply_loss if is_reply else self._request_loss
        if loss and rng.random() < loss:
            return ()
        copies = 2 if self._duplicate and rng.random() < self._duplicate else 1
        out = []
        for _ in range(copies):
            low, high = self._latency
            delay = low + (high - low) * rng.random()
            if is_reply:
                if self._long_reordering and rng.random() < LONG_REORDER_PROBABILITY:
                    delay += 0.2 + rng.uniform(0.0, rng.uniform(0.0, 2.0))
            elif self._request_delay[1]:
                delay += rng.uniform(*self._request_delay)
            out.append(delay)
        return tuple(out)

    # ------------------------------------------------------------- connectivity
    def add_endpoint(self, name: str) -> None:
        if name not in self.endpoints:
            self.endpoints.append(name)
            self._recompute()

    def check_endpoint(self, name: str) -> str:
        if name not in self.endpoints:
            raise UnknownServerError(
                f"unknown server {name!r}; the servers are {', '.join(self.endpoints)}")
        return name

    def partition(self, servers: list[str], *groups: Iterable[str]) -> None:
        """Split ``servers`` into ``groups``: each server named exactly once.
        Other endpoints (clients) may be placed in at most one group; unplaced
        ones reach everybody."""
        self.groups = self.parse_groups(servers, groups)
        self._recompute()

    def parse_groups(self, servers: list[str], groups: Iterable[Iterable[str]]) -> list[list[str]]:
        """Check a partition (ConfigError/UnknownServerError if it is not one) and return
        its groups, each in canonical endpoint order whatever iterable (a set) was given."""
        parsed = []
        seen: dict[str, int] = {}
        order = self.endpoints.index
        for i, group in enumerate(groups):
            if isinstance(group, str):
                raise ConfigError(f"partition groups must be lists of server ids, got the "
                                  f"string {group!r}; write partition(['S1', 'S2'], ['S3'])")
            if not hasattr(group, "__iter__"):
                raise ConfigError(f"partition groups must be lists of server ids, got "
                                  f"{group!r}; write partition(['S1', 'S2'], ['S3'])")
            members = [self.check_endpoint(s) for s in group]
            for s in members:
                if s in seen:
                    raise ConfigError(f"server {s!r} is named twice in the partition "
                                      f"(groups {seen[s] + 1} and {i + 1}); name each once")
                seen[s] = i
            parsed.append(sorted(members, key=order))
        missing = [s for s in servers if s not in seen]
        if missing:
            raise ConfigError(f"the partition does not name {', '.join(missing)}; every server "
                              f"must be in exactly one group")
        return parsed

    def cut(self, src: str, dst: str) -> None:
        """Cut one direction: messages from ``src`` to ``dst`` are lost."""
        src, dst = self.check_endpoint(src), self.check_endpoint(dst)
        if src == dst:
            raise ConfigError(f"cut needs two different endpoints (src -> dst), got {src!r} twice")
        self.cuts.add((src, dst))
        self._recompute()

    def disconnect(self, name: str) -> None:
        self.disconnected.add(self.check_endpoint(name))
        self._recompute()

    def connect(self, name: str) -> None:
        self.disconnected.discard(self.check_endpoint(name))
        self._recompute()

    def heal(self) -> None:
        """Remove every partition, cut and disconnection."""
        self.groups, self.cuts, self.disconnected = [], set(), set()
        self._recompute()

    def can_reach(self, src: str, dst: str) -> bool:
        return (src, dst) not in self.blocked

    def _recompute(self) -> None:
        group_of = {s: i for i, g in enumerate(self.groups) for s in g}
        blocked = set(self.cuts)
        for a in self.endpoints:
            for b in self.endpoints:
                if a == b:
                    continue
                if a in self.disconnected or b in self.disconnected:
                    blocked.add((a, b))
                elif group_of.get(a, group_of.get(b)) != group_of.get(b, group_of.get(a)):
                    blocked.add((a, b))
        self.blocked = blocked
