"""Checks for arguments at the door: each returns the clean value or raises
:class:`~raftlib.errors.ConfigError` naming the parameter, what it got and what
is allowed. Shared by the cluster, the simulator, the network, faults and clients.
"""

from __future__ import annotations

import difflib
import math
from typing import Any, Callable, Iterable

from .errors import ConfigError


def check_bool(name: str, value: Any) -> bool:
    """Only a real ``True``/``False`` (not ``'no'``, ``0`` or ``None``)."""
    if type(value) is not bool:
        raise ConfigError(f"{name} must be True or False, got {value!r}")
    return value


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """An int (not a bool) with ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
            high is not None and value > high):
        span = f">= {low}" if high is None else f"from {low} to {high}"
        raise ConfigError(f"{name} must be an int {span}, got {value!r}")
    return value


def check_number(name: str, value: Any, *, low: float = 0.0, high: float = math.inf,
                 low_open: bool = False, unit: str = "seconds") -> float:
    """A finite real number (not a bool or a string) in ``[low, high]`` (``(low, high]``
    with ``low_open``)."""
    number = None
    if not isinstance(value, (bool, str, bytes)):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            pass
    bound = f"> {low:g}" if low_open else f">= {low:g}"
    if high != math.inf:
        bound += f" and <= {high:g}"
    if number is None or not math.isfinite(number) or number > high or (
            number <= low if low_open else number < low):
        raise ConfigError(f"{name} must be a finite number of {unit} {bound}, got {value!r}")
    return number


def check_time(name: str, value: Any) -> float:
    """A finite number of virtual seconds >= 0."""
    return check_number(name, value)


def check_range(name: str, value: Any, *, allow_zero: bool = True) -> tuple[float, float]:
    """A ``(low, high)`` range of virtual seconds, returned as floats."""
    try:
        if isinstance(value, (str, bytes)) or any(isinstance(v, (bool, str, bytes))
                                                  for v in value):
            raise TypeError
        low, high = (float(v) for v in value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{name} must be a (low, high) pair of seconds, got {value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low < 0 or high < low or (
            not allow_zero and high <= 0):
        need = "0 <= low <= high" if allow_zero else "0 <= low <= high and high > 0"
        need += ", both finite"
        raise ConfigError(f"{name} must satisfy {need} (virtual seconds), got {value!r}")
    return low, high


def check_probability(name: str, value: Any) -> float:
    """A number from 0 to 1."""
    try:
        return check_number(name, value, high=1.0)
    except ConfigError:
        raise ConfigError(f"{name} must be a probability between 0 and 1, got {value!r}") from None


def check_choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """One of ``allowed``; the message suggests the closest one."""
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"{name} must be one of {allowed}, got {value!r}{_suggest(value, allowed)}")
    return value


def check_name(name: str, value: Any) -> str:
    """A non-empty string without spaces (a client or server id)."""
    if not isinstance(value, str) or not value or value != value.strip() or " " in value:
        raise ConfigError(f"{name} must be a non-empty string without spaces, e.g. 'C1'; "
                          f"got {value!r}")
    return value


def check_callable(name: str, value: Any, example: str) -> Callable:
    if not callable(value):
        raise ConfigError(f"{name} must be a function, e.g. {example}; got {value!r}")
    return value


def check_names(name: str, value: Any, known: Iterable[str]) -> list[str]:
    """A list of names from ``known`` (a single string is refused: write ``[value]``)."""
    known = list(known)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ConfigError(f"{name} must be a list of names from {known}, got {value!r}")
    names = list(value)
    unknown = [v for v in names if not isinstance(v, str) or v not in known]
    if unknown:
        raise ConfigError(f"{name}: unknown {unknown!r}; the allowed names are {known}"
                          f"{_suggest(unknown[0], known)}")
    return names


def check_cluster(value: Any, name: str = "cluster") -> Any:
    """A raftlib ``Cluster`` (the object these functions read)."""
    from .cluster import Cluster

    if not isinstance(value, Cluster):
        raise ConfigError(f"{name} must be a raftlib Cluster, e.g. c = rl.Cluster(5); "
                          f"got {value!r}")
    return value


def _suggest(value: Any, allowed: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, allowed, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
