"""Run a learner's function so that it has no path back to the grader.

Three layers, each independent of what the learner's code is called or how it
spells a name (the lint in :mod:`.lint` reads the syntax; these hold at run time):

* :func:`sandboxed`: a copy of the function whose globals hold only what it uses:
  builtins without the reflective ones (``getattr``, ``vars``, ``eval``, ``open``,
  ``__import__`` ...), the learner's other functions (sandboxed too), copies of
  constants, and read-only :class:`ModuleView` s of the allowed modules that hide
  ``_`` names, modules outside :data:`~.lint.ALLOWED_MODULES` (``matplotlib.os``),
  the grader's own modules (``raftlib.checks``), attribute-by-string tools
  (``operator.attrgetter``, ``string.Formatter`` ...) and hand out copies of
  module-level containers, so module state the checks read cannot be changed.
* :class:`Trap`: while a graded call runs, a profile hook sees every Python call;
  running the library's own version of the graded handler (whatever path reached
  it: ``super()``, the MRO, ``attrgetter`` with a string ...) fails the test.
* An audit hook (PEP 578) refuses files outside Python's own folders, writing files,
  sockets, processes, ``ctypes`` and tracing while a graded call runs.

They make cheating from inside graded functions hard; top-level code in the
learner's kernel is stopped by the independent re-check (:mod:`.recheck`), and
the operating system's isolation (:mod:`.isolation`) is the last line.
"""

from __future__ import annotations

import builtins
import copy
import operator
import os
import string
import sys
import sysconfig
import threading
import types
import typing
import weakref
from typing import Any, Callable, Iterable

from .. import i18n
from . import timelimit
from .lint import ALLOWED_MODULES, DENIED_NAMES
from .messages import say

#: Builtins graded code gets: everything public except the reflective and I/O ones.
SAFE_BUILTINS: dict[str, Any] = {
    name: value for name, value in vars(builtins).items()
    if not name.startswith("_") and name not in DENIED_NAMES}
#: Callables of allowed modules that look attributes up by a string.
_REFLECTIVE = frozenset(id(f) for f in (
    operator.attrgetter, operator.methodcaller, string.Formatter, string.Template,
    typing.get_type_hints, typing.ForwardRef, getattr, setattr, delattr, vars, eval, exec))
_MUTABLE = (dict, list, set, bytearray)


def _trusted_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # raftlib/
    return tuple(sorted(os.path.realpath(d) + os.sep for d in dirs))


TRUSTED_DIRS = _trusted_dirs()


def trusted(code: types.CodeType) -> bool:
    """Whether ``code`` was loaded from a file of Python's or the installed libraries."""
    path = code.co_filename
    return os.path.isabs(path) and os.path.realpath(path).startswith(TRUSTED_DIRS)


def _allowed_module(module: types.ModuleType) -> bool:
    name = module.__name__
    return name.split(".")[0] in ALLOWED_MODULES and not (
        name == "raftlib.checks" or name.startswith("raftlib.checks."))


class ModuleView:
    """A read-only view of an allowed module for graded code (see the module docstring)."""

    __slots__ = ("_ModuleView__module",)

    def __init__(self, module: types.ModuleType) -> None:
        object.__setattr__(self, "_ModuleView__module", module)

    def __getattr__(self, name: str) -> Any:
        module = object.__getattribute__(self, "_ModuleView__module")
        if name.startswith("_"):
            raise AttributeError(say("sandbox_private", where=f"{module.__name__}.{name}"))
        return exposed(getattr(module, name), f"{module.__name__}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(say("sandbox_set_module"))

    __delattr__ = __setattr__

    def __repr__(self) -> str:
        return f"<module {object.__getattribute__(self, '_ModuleView__module').__name__!r}>"


def exposed(value: Any, where: str) -> Any:
    """What graded code gets for ``value`` (found as ``where``)."""
    if isinstance(value, types.ModuleType):
        if not _allowed_module(value):
            raise AttributeError(say("sandbox_module", where=where))
        return ModuleView(value)
    if id(value) in _REFLECTIVE:
        raise AttributeError(say("sandbox_reflective", where=where))
    if isinstance(value, _MUTABLE):
        return copy.deepcopy(value)
    return value


_SANDBOXED: "weakref.WeakSet[types.FunctionType]" = weakref.WeakSet()


def _names(code: types.CodeType) -> set[str]:
    """Every global (or attribute) name ``code`` and the code nested in it refer to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def sandboxed(fn: types.FunctionType, memo: dict | None = None) -> types.FunctionType:
    """A copy of the learner's ``fn`` whose globals hold only what it uses, made safe."""
    if fn in _SANDBOXED or trusted(fn.__code__):
        return fn
    memo = {} if memo is None else memo
    if id(fn) in memo:
        return memo[id(fn)]
    env: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, "__name__": "graded"}
    copy_ = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, fn.__closure__)
    copy_.__kwdefaults__ = fn.__kwdefaults__
    copy_.__doc__ = fn.__doc__
    memo[id(fn)] = copy_
    source = fn.__globals__
    for name in _names(fn.__code__):
        if name not in source or name.startswith("__"):
            continue
        value = source[name]
        if isinstance(value, types.FunctionType):
            env[name] = sandboxed(value, memo)
            continue
        try:
            env[name] = exposed(value, name)
        except AttributeError:
            continue  # using it raises NameError; the lint has already said why
    _SANDBOXED.add(copy_)
    return copy_


# ------------------------------------------------------------- run-time traps
_active = [0]      # graded calls running now (the audit hook reads this cell, not a global)
_tripped: list[str] = []
#: Audit events refused during a graded call. Not "import", "exec", "marshal.loads",
#: "os.listdir" or "object.__setattr__": libraries do those when they import lazily.
_REFUSED_EVENTS = ("socket.", "subprocess.", "os.system", "os.exec", "os.spawn", "os.fork",
                   "os.posix_spawn", "os.kill", "os.remove", "os.rename", "os.rmdir",
                   "os.chmod", "os.chown", "os.truncate", "os.symlink", "os.link",
                   "os.putenv", "os.unsetenv", "shutil.", "ctypes.", "sys.setprofile",
                   "sys.settrace", "sys.addaudithook", "function.__new__", "code.__new__",
                   "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.", "sqlite3.", "pty.",
                   "builtins.input")


def _readable(path: Any) -> bool:
    if not isinstance(path, (str, bytes, os.PathLike)):
        return False
    real = os.path.realpath(os.fsdecode(path))
    return real.startswith(TRUSTED_DIRS + ("/usr/", "/etc/fonts/", os.path.realpath(sys.prefix)))


def _audit(event: str, args: tuple) -> None:
    if not _active[0] or (event == "sys.settrace" and timelimit.EXPIRING[0]):
        return  # (the time limit stopping the learner's code, see .timelimit)
    if event == "open":
        path, mode, flags = (*args, 0, 0)[:3]
        writes = (any(c in mode for c in "wax+") if isinstance(mode, str) else
                  bool((flags or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND)))
        if _readable(path) and not writes:
            return
    elif not event.startswith(_REFUSED_EVENTS):
        return
    what = f"{event}{args[:1]!r}" if args else event
    _tripped.append(say("sandbox_event", what=what))
    raise PermissionError(_tripped[-1])


_hooked = [False]
_lock = threading.Lock()


def _install_audit_hook() -> None:
    with _lock:
        if not _hooked[0]:
            sys.addaudithook(_audit)
            _hooked[0] = True


class Trap:
    """The run-time traps around one outermost graded call: ``with Trap(codes): ...`` then
    :meth:`problem` says what the learner's code tried (``None``: nothing)."""

    def __init__(self, forbidden: Iterable[types.CodeType] = ()) -> None:
        self.forbidden = frozenset(forbidden)
        self.hit: str | None = None
        self.previous: Callable | None = None
        self.hook = self._profile  # one bound method, to recognise it in sys.getprofile()

    def _profile(self, frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in self.forbidden and self.hit is None:
            self.hit = say("sandbox_library", name=frame.f_code.co_name)

    def __enter__(self) -> "Trap":
        _install_audit_hook()
        i18n.get_language()  # settled now: the hooks' messages must not read the folder's marker
        del _tripped[:]
        if self.forbidden:
            self.previous = sys.getprofile()
            sys.setprofile(self.hook)
        _active[0] += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        _active[0] -= 1
        if self.forbidden:
            current = sys.getprofile()
            sys.setprofile(self.previous)
            if current is not self.hook and self.hit is None:
                self.hit = say("sandbox_tracing")

    def problem(self) -> str | None:
        return self.hit or (_tripped[0] if _tripped else None)
