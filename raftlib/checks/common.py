"""What every exercise check shares: the failures it raises, a time limit on learner
code, and ways to test one learner function with everything else the library's."""

from __future__ import annotations

import functools
import sys
import threading
import types
from typing import Any, Callable, Iterable

from ..core import Entry, RaftNode
from ..errors import ConfigError, RaftlibError
from . import timelimit
from .messages import say

#: Real seconds one call of a learner's handler may take (a handler takes microseconds).
CALL_LIMIT = 2.0
#: Real seconds for a learner's function that runs a whole simulation or draws a plot.
RUN_LIMIT = 30.0


class CheckFailed(RaftlibError, AssertionError):
    """An exercise check failed: the message says which rule is broken and shows the evidence."""


class NotDoneYet(CheckFailed):
    """The learner's function still raises ``NotImplementedError``."""


class LearnerError(CheckFailed):
    """The learner's function raised an exception (chained as ``__cause__``)."""


class LearnerTimeout(CheckFailed):
    """The learner's function did not return within :data:`CALL_LIMIT` seconds."""


class RefusedCode(CheckFailed):
    """The learner's code does something graded code may not do (see :mod:`raftlib.checks.lint`)."""


class _Alarm(BaseException):
    """Raised by the time limit inside learner code; a BaseException, so that
    ``except Exception`` cannot swallow it."""


_state = threading.local()


def guard(fn: Callable, name: str, describe: Callable[..., str] | None = None,
          limit: float | None = None, library: Iterable[Callable] = ()) -> Callable:
    """``fn`` with a time limit and friendly errors: ``NotImplementedError`` becomes
    :class:`NotDoneYet`, any other exception :class:`LearnerError` (``describe(*args)``
    says what the function was doing), a call running over ``limit`` seconds (default
    :data:`CALL_LIMIT`) :class:`LearnerTimeout`. The limit is a SIGALRM timer where
    there is one, a trace function elsewhere (Pyodide, threads): see :mod:`.timelimit`.

    A learner's ``def`` function runs :func:`~.sandbox.sandboxed`, under a
    :class:`~.sandbox.Trap`: running the library's own version of a handler in
    :data:`HANDLERS` called ``name`` (or any function in ``library``) or doing I/O fails
    the call with :class:`RefusedCode`."""
    from .sandbox import Trap, sandboxed  # sandbox imports lint, which imports this module

    if isinstance(fn, types.FunctionType):
        fn = sandboxed(fn)
    forbidden = frozenset(_library_code(name, library))

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        outermost = not getattr(_state, "depth", 0)
        stop = (timelimit.start(CALL_LIMIT if limit is None else limit, _Alarm)
                if outermost else None)
        _state.depth = getattr(_state, "depth", 0) + 1
        try:
            if not outermost:
                return fn(*args, **kwargs)
            with Trap(forbidden) as trap:
                try:
                    result = fn(*args, **kwargs)
                finally:
                    problem = trap.problem() if sys.exc_info()[0] is not _Alarm else None
                    if problem is not None:
                        raise RefusedCode(say("stopped", name=name, problem=problem))
            return result
        except _Alarm:
            if not outermost:
                raise
            seconds = CALL_LIMIT if limit is None else limit
            raise LearnerTimeout(say("timeout", name=name, seconds=seconds,
                                     doing=_doing(describe, args))) from None
        except CheckFailed:
            raise
        except SystemExit as e:
            raise LearnerError(say("system_exit", name=name, code=e.code,
                                   doing=_doing(describe, args))) from None
        except NotImplementedError as e:
            raise NotDoneYet(say("not_done", name=name)) from e
        except Exception as e:
            raise LearnerError(say("raised", name=name, error=type(e).__name__, detail=e,
                                   doing=_doing(describe, args))) from e
        finally:
            if stop is not None:
                stop()
            _state.depth -= 1

    return guarded


def _library_code(name: str, library: Iterable[Callable]) -> Iterable[types.CodeType]:
    """The code objects of the library's own versions of ``name`` and of ``library``."""
    from .sandbox import trusted

    found = [getattr(RaftNode, name)] if name in HANDLERS else []
    for fn in [*found, *library]:
        code = getattr(fn, "__code__", None)
        if code is not None and trusted(code):
            yield code


def _doing(describe: Callable[..., str] | None, args: tuple) -> str:
    if describe is None:
        return ""
    try:
        return describe(*args)
    except Exception:  # a description must never hide the learner's error
        return ""


def learner_function(fn: Any, name: str, skip: frozenset = frozenset()) -> types.FunctionType:
    """Check that ``fn`` is the learner's ``def`` function called ``name`` and passes the
    lint (not following the functions named in ``skip``, which the check replaces)."""
    from .lint import check_function

    if not isinstance(fn, types.FunctionType):
        raise CheckFailed(say("not_a_function", name=name, kind=type(fn).__name__, value=fn))
    check_function(fn, skip)
    return fn


def isolate(fn: types.FunctionType, **names: Any) -> types.FunctionType:
    """A copy of ``fn`` that sees ``names`` (e.g. the reference versions of the learner's
    other functions) instead of its own globals, so one question grades one function."""
    env = dict(fn.__globals__)
    env.update(names)
    copy = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__doc__ = fn.__doc__
    return copy


# ----------------------------------------------------------------- nodes
def node_class(base: type = RaftNode, name: str = "LearnerNode", **methods: Callable) -> type:
    """A subclass of ``base`` whose methods ``methods`` are the learner's functions
    (guarded); every other method is the library's. Use it as ``Cluster(node_class=...)``."""
    for method, fn in methods.items():
        if not callable(getattr(RaftNode, method, None)) or method.startswith("_"):
            raise ConfigError(f"{method!r} is not a method of RaftNode; the handlers are "
                              f"{', '.join(HANDLERS)}")
        if not callable(fn):
            raise ConfigError(f"{method}= must be a function, got {fn!r}")
    library = [getattr(base, method) for method in methods]
    attrs = {method: guard(fn, method, _describe_call, library=library)
             for method, fn in methods.items()}
    return type(name, (base,), attrs)


#: The RaftNode methods an exercise may replace.
HANDLERS = ("on_election_timeout", "start_election", "log_is_up_to_date", "handle_request_vote",
            "handle_request_vote_reply", "become_leader", "step_down", "on_heartbeat_timeout",
            "broadcast_append_entries", "send_append_entries", "handle_append_entries",
            "merge_entries", "handle_append_entries_reply", "backup_index",
            "advance_commit_index", "apply_committed")



def own_functions(functions: dict[str, Any],
                  questions: dict[str, Iterable[Callable[[Any], None]]]) -> dict[str, Callable]:
    """For a question that grades several of the learner's functions together: those of
    ``functions`` whose own questions (``questions[name]``, checks called with the function,
    hidden tests included) pass. The others are left to the library in this question, so
    that a bug costs only its own question; code the grader refuses (:class:`RefusedCode`)
    fails this question too. If none passes, nothing of the learner's is left to grade: the
    first failure is raised (``NotDoneYet`` for an untouched exercise)."""
    kept, failures = {}, []
    for name, fn in functions.items():
        try:
            for check in questions[name]:
                check(fn)
        except RefusedCode:
            raise
        except CheckFailed as e:
            failures.append(e)
            continue
        kept[name] = fn
    if not kept:
        raise type(failures[0])(say("none_of_yours", failure=failures[0]))
    return kept


def library_stood_in(check: Callable[[], None], replaced: Iterable[str]) -> None:
    """Run ``check``; if it fails, its message says which functions were the library's."""
    replaced = sorted(replaced)
    try:
        check()
    except CheckFailed as e:
        if not replaced:
            raise
        raise type(e)(f"{e}" + say("stood_in", names=", ".join(f"`{n}`" for n in replaced))
                      ) from e.__cause__


def learner_class(name: str, fn: Any, base: type = RaftNode) -> type:
    """A subclass of ``base`` whose method ``name`` is the learner's checked ``fn``."""
    return node_class(base, **{name: learner_function(fn, name)})

def _describe_call(node: Any, *args: Any) -> str:
    what = say("while_node", node=node.id, state=state(node))
    if args:
        what += say("was_given", args=", ".join(repr(a) for a in args))
    return what + say("while_end")


def state(node: RaftNode) -> str:
    """A one-line summary of a node: role, term, vote, log terms, commit index."""
    return (f"{node.role}, current_term={node.current_term}, voted_for={node.voted_for!r}, "
            f"log terms={[e.term for e in node.log]}, commit_index={node.commit_index}")


def fresh(cls: type, me: str = "S1", n: int = 5, *, log: Iterable[int] = (),
          **attrs: Any) -> RaftNode:
    """A node of class ``cls`` in an ``n``-server cluster with the given state and empty outputs.

    ``log`` lists the terms of its entries (commands "c1", "c2", ...)."""
    node = cls(me, [f"S{i}" for i in range(1, n + 1)])
    node.log = [Entry(term, f"c{i}") for i, term in enumerate(log, start=1)]
    for key, value in attrs.items():
        setattr(node, key, value)
    node.outbox.clear()
    node.to_apply.clear()
    node.election_timer_reset = False
    node.heartbeat_timer_reset = False
    return node


def sent(node: RaftNode, kind: type) -> list:
    """The messages of type ``kind`` the node sent (left in its outbox)."""
    return [m for m in node.outbox if type(m) is kind]


def exactly_bool(value: Any, what: str) -> bool:
    """``value`` if it is True or False; otherwise a :class:`CheckFailed` naming ``what``."""
    if value is not True and value is not False:
        raise CheckFailed(say("must_be_bool", what=what, kind=type(value).__name__, value=value))
    return value


def exactly_int(value: Any, what: str) -> int:
    if type(value) is not int:
        raise CheckFailed(say("must_be_int", what=what, kind=type(value).__name__, value=value))
    return value
