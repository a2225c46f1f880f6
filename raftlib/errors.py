"""The exceptions raftlib raises: every one is a :class:`RaftlibError`.

Bad input raises a subclass of both ``RaftlibError`` and the matching built-in
(``ValueError`` or ``KeyError``) with a message that says what was wrong and
what is allowed.
"""

from __future__ import annotations


class RaftlibError(Exception):
    """Base class of every error raised on purpose by raftlib."""


class ConfigError(RaftlibError, ValueError):
    """An argument has a value that is not allowed (bad n, negative time, ...)."""


class UnknownServerError(RaftlibError, KeyError):
    """A server id that is not in the cluster."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownTermError(RaftlibError, KeyError):
    """A glossary key that is not in the glossary."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidCommandError(ConfigError):
    """A command the key-value state machine (or the wire) cannot take: refused at
    submit/request, before it reaches any log."""


class CommandFailed(RaftlibError, ValueError):
    """A committed key-value command whose result is an error (e.g. ``append`` to a
    key that holds a number); every replica got the same error result."""


class StaleClientError(RaftlibError, RuntimeError):
    """A client object that does not exist at the cluster's present moment (made
    after the moment a rewind or reset went back to)."""


class ReentrantRunError(RaftlibError, RuntimeError):
    """``run``/``step``/``wait``... called from inside the simulation (a callback, a
    predicate, a process): virtual time would go backwards."""


class MissingPackage(RaftlibError, ImportError):
    """A package raftlib loads on first use (pandas, matplotlib) cannot be loaded here:
    in the browser (JupyterLite) the Pyodide CDN could not be reached."""


class SafetyViolation(RaftlibError, AssertionError):
    """A Raft safety property (Raft paper, Figure 3) or the applier rule was broken.

    ``prop`` names the property, ``evidence`` holds what shows it, ``time`` is
    the virtual time and ``seed`` the cluster's seed, so the run can be replayed.
    """

    def __init__(self, prop: str, evidence: str, *, time: float | None = None,
                 seed: int | None = None) -> None:
        self.prop = prop
        self.evidence = evidence
        self.time = time
        self.seed = seed
        where = "" if time is None else f" at t={time:.6f}s"
        replay = "" if seed is None else f" (seed={seed})"
        super().__init__(f"{prop} violated{where}{replay}: {evidence}")
