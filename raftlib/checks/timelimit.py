"""A time limit on one call of learner code, with or without ``signal.setitimer``.

In CPython's main thread the limit is a SIGALRM timer, which also stops learner code that
calls into the library. Where there is no such timer (Pyodide in the browser, other
threads) it is a trace function: it follows only frames of code outside raftlib (the
learner's cells) and checks the clock on their line events, so an endless loop in
learner code is stopped within the limit; raftlib's own code runs untraced at full speed.
Either way the expiry raises ``expired`` (a ``BaseException``, so that the learner's
``except Exception`` cannot swallow it).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import FrameType
from typing import Any, Callable

#: Set while the trace-function limit stops learner code: CPython then clears the trace
#: function itself, which audits as ``sys.settrace`` (the sandbox lets exactly that pass).
EXPIRING = [False]

#: Where the library's own code lives: its frames are never traced.
_LIBRARY = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def start(seconds: float, expired: type[BaseException]) -> Callable[[], None] | None:
    """Start a limit of ``seconds`` on the current thread; return the function that stops
    it (``None`` when no limit can be set: a debugger or coverage tool owns the trace
    hook)."""
    try:
        import signal
    except ImportError:  # pragma: no cover - every Python this runs on has it
        signal = None
    if (signal is not None and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()):
        return _alarm(signal, seconds, expired)
    return _traced(seconds, expired)


def _alarm(signal: Any, seconds: float, expired: type[BaseException]) -> Callable[[], None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise expired()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def stop() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    return stop


def _traced(seconds: float, expired: type[BaseException]) -> Callable[[], None] | None:
    if sys.gettrace() is not None:
        return None
    deadline = time.perf_counter() + seconds

    def on_line(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line" and time.perf_counter() > deadline:
            EXPIRING[0] = True
            raise expired()
        return on_line

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename.startswith(_LIBRARY):
            return None  # the library's own code: not followed
        return on_line

    sys.settrace(on_call)

    def stop() -> None:
        sys.settrace(None)
        EXPIRING[0] = False

    return stop
