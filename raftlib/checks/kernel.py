"""The grading kernel under OS isolation: a Jupyter kernel manager for nbgrader's
``Execute`` that starts the learner's kernel inside bubblewrap (:mod:`.isolation`).

The kernel runs as user 65534 with no network, sees ``/usr``, Python, the installed
libraries and ``raftlib`` read-only, and only the notebook's own folder (what was handed
in with it) writable; ``solutions/``, the gradebook, other submissions and the grader's
home are not there. It talks to the grader over Unix sockets (ZeroMQ's ``ipc``
transport) in a private folder, since it has no network, and is interrupted by message
(a signal to bubblewrap would not reach it). Its environment is a fixed few variables,
not the grader's (which may hold tokens).

``isolation`` (``c.IsolatedKernelManager.isolation``): "bwrap" (required: where bwrap
cannot run the kernel does not start and every test fails), "auto" (bwrap where it runs,
else the ordinary kernel and a warning in nbgrader's log), "none".
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from jupyter_client import AsyncKernelManager
from traitlets import Enum

from .isolation import sandbox_command, unavailable
from .rerun import ISOLATION

#: Message in nbgrader's log where the kernel runs without isolation ("auto").
NOT_ISOLATED = "grading kernel not isolated by the OS: {why}"
#: Error where isolation is required and bwrap cannot run.
REQUIRED = "the grader requires OS isolation for the kernel and {why}"


class IsolatedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel runs under bubblewrap (see the module doc)."""

    isolation = Enum(ISOLATION, "auto", help="Run the grading kernel under bubblewrap: 'bwrap' "
                     "(required), 'auto' (where it runs, else a warning), 'none'").tag(config=True)

    _private: str | None = None

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        why = unavailable() if self.isolation != "none" else "isolation is switched off"
        if why is not None:
            if self.isolation == "bwrap":
                raise RuntimeError(REQUIRED.format(why=why))
            if self.isolation == "auto":
                self.log.warning(NOT_ISOLATED.format(why=why))
            return await super()._async_pre_start_kernel(**kw)
        self._private = tempfile.mkdtemp(prefix="raftlib-kernel-")
        self.transport = "ipc"
        self.connection_file = os.path.join(self._private, "kernel.json")
        self.ip = os.path.join(self._private, "ipc")
        self.kernel_spec.interrupt_mode = "message"
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        work = os.path.realpath(kw.get("cwd") or os.getcwd())
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp",
                     "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp",
                     "IPYTHONDIR": "/tmp/ipython", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        # The launcher sets JPY_PARENT_PID to the grader's pid, which the kernel cannot see
        # in its own process tree (it would shut down at once); bwrap's --die-with-parent
        # does that job, and 1 switches ipykernel's parent polling off.
        cmd = ["/usr/bin/env", "JPY_PARENT_PID=1", *cmd]
        return sandbox_command(cmd, work, writable=[self._private]), kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if self._private is not None and not restart:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    cleanup_resources = _async_cleanup_resources
