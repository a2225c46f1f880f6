"""The site's Pyodide package list (``static/pyodide/pyodide-lock.json``).

Start from the lock of the Pyodide core (npm's ``pyodide`` package, the exact version the
kernel expects) and:

* point every package the site does not ship at the public Pyodide CDN of that version
  (numpy, pandas, matplotlib and the rest load from there on first use);
* ship, next to the core, the pure-Python wheels the kernel needs to start (micropip, IPython
  and their dependencies, as PyPI serves them, with their real sha256), the kernel's own wheels,
  ipywidgets, comm, anywidget and raftlib's wheel built from this repository; these are
  preloaded when the kernel starts, so ``import raftlib`` works with no ``%pip`` cell.

raftlib's pandas and matplotlib are left out of its ``depends`` on purpose: raftlib loads
them on first use (:mod:`raftlib.optional`), so a kernel starts without them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

#: The packages the kernel loads before its first cell (the lite kernel installs these itself
#: with piplite when they are not preloaded; preloading them avoids any lookup on PyPI).
PRELOAD = ("micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "jedi", "ipython",
           "ipywidgets", "anywidget", "raftlib")
#: Pure-Python packages of Pyodide's own list that the site ships (PyPI's wheels, same version),
#: with everything they depend on.
SHIP_FROM_LOCK = ("micropip", "ipython", "jedi", "traitlets", "typing-extensions", "packaging")
#: Packages not in Pyodide's list that the site ships, at the version of the build environment
#: (so the kernel side matches the widget front ends the site ships).
SHIP_FROM_ENV = ("comm", "ipywidgets", "anywidget", "psygnal")
#: The Python of the Pyodide the kernel expects (jupyterlite_pyodide_kernel.constants).
PYODIDE_PYTHON = "3.14"
#: Requirements deliberately not listed as ``depends``: loaded on first use, or front-end only.
NOT_PRELOADED = {
    "raftlib": {"pandas", "matplotlib"},
    "ipywidgets": {"widgetsnbextension", "jupyterlab-widgets"},
}


class LockError(RuntimeError):
    """The site's package list cannot be made (a wheel missing, a dependency unknown)."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def download(name: str, version: str | None, dest: Path) -> Path:
    """PyPI's pure-Python wheel of ``name==version`` (any version if None; cached in ``dest``)."""
    dest.mkdir(parents=True, exist_ok=True)
    found = _find_wheel(dest, name, version)
    if found:
        return found
    # the machine-wide pip constraints are for the course's environment, not Pyodide's
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "--python-version", PYODIDE_PYTHON, "--implementation", "py", "--abi", "none",
           "--platform", "any", "-d", str(dest), name if version is None else f"{name}=={version}"]
    result = subprocess.run(cmd, capture_output=True, text=True,
                            env={**os.environ, "PIP_CONSTRAINT": ""})
    found = _find_wheel(dest, name, version)
    if result.returncode or not found:
        raise LockError(f"could not get the pure-Python wheel {name}=={version} from PyPI:\n"
                        f"{result.stderr.strip()}")
    return found


def _find_wheel(folder: Path, name: str, version: str | None) -> Path | None:
    for wheel in sorted(folder.glob("*.whl")):
        wname, wversion = wheel.name.split("-")[:2]
        if (canonical(wname) == canonical(name) and version in (None, wversion)
                and "none-any" in wheel.name):
            return wheel
    return None


def wheel_metadata(wheel: Path) -> tuple[str, str, list[str], list[str]]:
    """(name, version, requirements for Pyodide, top-level import names) of a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        dist_info = next(n.split("/")[0] for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = HeaderParser().parsestr(zf.read(f"{dist_info}/METADATA").decode())
        record = zf.read(f"{dist_info}/RECORD").decode()
    env = {**default_environment(), "sys_platform": "emscripten", "platform_system": "Emscripten",
           "python_version": PYODIDE_PYTHON, "python_full_version": f"{PYODIDE_PYTHON}.0",
           "extra": ""}
    requires = []
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            requires.append(canonical(req.name))
    imports = set()
    for row in csv.reader(io.StringIO(record)):
        top = row[0].split("/")[0]
        if top.endswith(".py") and "/" not in row[0]:
            imports.add(top[:-3])
        elif "/" in row[0] and not top.endswith((".dist-info", ".data")):
            imports.add(top)
    return meta["Name"], meta["Version"], requires, sorted(imports)


def build_lock(core_lock: Path, out_dir: Path, *, cdn_url: str, extra_wheels: list[Path],
               env_versions: dict[str, str], cache: Path) -> dict:
    """Write ``out_dir/pyodide-lock.json`` and the shipped wheels; return the lock."""
    lock = json.loads(core_lock.read_text())
    packages = lock["packages"]

    shipped: dict[str, Path] = {}
    todo = list(SHIP_FROM_LOCK)
    while todo:
        name = canonical(todo.pop())
        if name in shipped:
            continue
        if name not in packages:
            raise LockError(f"{name} is not in Pyodide's package list {core_lock}")
        pkg = packages[name]
        if not pkg["file_name"].endswith("-none-any.whl"):
            raise LockError(f"{name} is not pure Python in Pyodide ({pkg['file_name']})")
        shipped[name] = download(pkg["name"], pkg["version"], cache)
        todo += pkg["depends"]

    new = [download(name, env_versions[name], cache) for name in SHIP_FROM_ENV]
    for wheel in [*new, *extra_wheels]:
        name, version, requires, imports = wheel_metadata(wheel)
        key = canonical(name)
        skipped = NOT_PRELOADED.get(key, set())
        packages[key] = {"name": key, "version": version, "file_name": wheel.name,
                         "install_dir": "site", "package_type": "package", "imports": imports,
                         "depends": sorted(r for r in requires if r not in skipped),
                         "unvendored_tests": False, "sha256": ""}
        shipped[key] = wheel

    out_dir.mkdir(parents=True, exist_ok=True)
    for key, pkg in packages.items():
        if key in shipped:
            wheel = shipped[key]
            shutil.copy2(wheel, out_dir / wheel.name)
            pkg["file_name"] = wheel.name
            pkg["sha256"] = sha256(wheel)
        else:
            pkg["file_name"] = f"{cdn_url.rstrip('/')}/{pkg['file_name']}"
    for key, pkg in packages.items():
        missing = [d for d in pkg["depends"] if canonical(d) not in packages]
        if missing:
            raise LockError(f"{key} depends on {missing}, which nothing provides")
    missing = [name for name in PRELOAD if name not in shipped]
    if missing:
        raise LockError(f"the site would not ship {missing}, which the kernel preloads")
    (out_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return lock
