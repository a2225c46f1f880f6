"""Operating-system isolation for grading (the learner's kernel and the independent
re-check), with bubblewrap (``bwrap``, Debian's ``bubblewrap`` package).

:func:`sandbox_command` wraps a command so that it runs in new namespaces: as user
65534 with no capabilities, no network (``--unshare-net``), its own process tree,
and a file system holding only ``/usr``, Python, the installed libraries and
``raftlib`` (all read-only) plus one writable work folder. The course folder
(``solutions/``, the gradebook, other submissions) and the grader's home are not
there at all. Where bwrap cannot run (not installed, or no user namespaces),
:func:`unavailable` says why and the caller decides (see ``IndependentRecheck.isolation``).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from typing import Sequence

#: Files of /etc a Python process needs (the dynamic linker's cache, fonts for plots).
_ETC = ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime")


def _readable_roots() -> list[str]:
    """Folders the sandbox gets read-only: Python, its libraries, raftlib."""
    paths = sysconfig.get_paths()
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                           *(paths[k] for k in ("stdlib", "purelib", "platlib")
                                             if k in paths))}
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    roots.add(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))  # raftlib/
    # Keep only outermost folders (binding a folder and its parent is redundant).
    return sorted(r for r in roots if not any(r != o and r.startswith(o + os.sep)
                                              for o in roots))


def sandbox_command(command: list[str], work: str, writable: Sequence[str] = ()) -> list[str]:
    """``command`` run under bubblewrap in ``work``, with only ``work`` and the folders
    ``writable`` writable (see the module doc)."""
    args = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
            "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--hostname", "grader",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for path in _ETC:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    for root in _readable_roots():
        if not root.startswith("/usr/"):
            args += ["--ro-bind", root, root]
    for folder in (work, *writable):
        args += ["--bind", folder, folder]
    args += ["--chdir", work, "--"]
    return args + command


@functools.lru_cache(maxsize=1)
def unavailable() -> str | None:
    """Why bubblewrap cannot isolate the re-check here (``None``: it can)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
    probe = sandbox_command([sys.executable, "-I", "-S", "-c", ""], "/tmp")  # starts, that is all
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bubblewrap does not start: {e}"
    if done.returncode != 0:
        return ("bubblewrap cannot create its sandbox here (are user namespaces allowed?): "
                + (done.stderr.strip().splitlines() or ["no message"])[-1])
    return None
