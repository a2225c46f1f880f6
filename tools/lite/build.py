"""``make lite``: build the course as a static JupyterLite site (default ``_site/``).

Run with the lite build environment's Python (``.cache/lite/venv``, from
``tools/lite/requirements.txt``). Steps:

1. stage the content, one folder per language edition: the lessons (``notebooks/``, with the
   glossary notebook) and the exercises' student copies (``exercises/``), with kernelspec
   ``python`` (the Pyodide kernel);
2. fetch the Pyodide core the kernel expects from npm (``.cache/lite/npm/``) and put it in the
   site, with a package list (:mod:`lock`) that ships raftlib's wheel (built from this checkout),
   ipywidgets, anywidget and the kernel's pure-Python wheels, and sends everything else
   (numpy, pandas, matplotlib, ...) to the public Pyodide CDN of the same version;
3. ``jupyter lite build``, which also copies the widget front ends (ipywidgets' manager and
   anywidget) from this environment; any ``FAIL`` in its log fails the build.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

from jupyterlite_pyodide_kernel.constants import (PYODIDE_KERNEL_PLUGIN_ID, PYODIDE_PYTHON_VERSION,
                                                  PYODIDE_VERSION)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lock import PRELOAD, PYODIDE_PYTHON, SHIP_FROM_ENV, build_lock  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "lite"
#: Where the learner's browser gets the Pyodide packages the site does not ship.
DEFAULT_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
#: The Pyodide core files the site serves itself (from npm's ``pyodide`` package).
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
              "package.json")
#: One content folder per language edition: (lessons folder, suffix of its exercises' folders
#: in ``exercises/``; None: the others) of this repository: the Chinese edition of exercise A
#: is ``exercises/A-zh``. An edition's ``raft-course.json`` (in its lessons folder and each
#: exercise folder) makes widgets, plots and grader messages Chinese there
#: (:func:`raftlib.i18n.folder_language`).
EDITIONS = {"en": ("notebooks", None), "zh": ("notebooks/zh", "-zh")}
#: The marker file of an edition's language, copied with its lessons.
LANGUAGE_FILE = "raft-course.json"
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
#: What the site must contain (checked after the build, and by tests/test_lite.py).
FRONT_ENDS = ("extensions/@jupyter-widgets/jupyterlab-manager", "extensions/anywidget",
              "extensions/@jupyterlite/pyodide-kernel-extension")


class BuildError(RuntimeError):
    """The site could not be built (the message says which step and why)."""


def stage_content(dest: Path) -> list[Path]:
    """Copy every edition's notebooks into ``dest/<language>/`` with the Pyodide kernelspec."""
    staged = []
    for language, (lessons, exercises) in EDITIONS.items():
        sources = [(p, Path("lessons") / p.name) for p in sorted((ROOT / lessons).glob("*.ipynb"))]
        suffixes = tuple(suffix for _, suffix in EDITIONS.values() if suffix)
        folders = [f for f in sorted((ROOT / "exercises").iterdir()) if f.is_dir()
                   and (f.name.endswith(exercises) if exercises else not f.name.endswith(suffixes))]
        sources += [(p, Path("exercises") / p.parent.name / p.name)
                    for folder in folders for p in sorted(folder.glob("*.ipynb"))]
        for marker, rel in [(ROOT / lessons / LANGUAGE_FILE, Path("lessons")),
                            *((f / LANGUAGE_FILE, Path("exercises") / f.name) for f in folders)]:
            if marker.is_file():
                (dest / language / rel).mkdir(parents=True, exist_ok=True)
                (dest / language / rel / LANGUAGE_FILE).write_bytes(marker.read_bytes())
        if not sources:
            raise BuildError(f"no notebooks found for the {language!r} edition in {lessons}/")
        for src, rel in sources:
            nb = json.loads(src.read_text(encoding="utf-8"))
            nb.setdefault("metadata", {})["kernelspec"] = KERNELSPEC
            out = dest / language / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            staged.append(out)
    return staged


def pyodide_core() -> Path:
    """npm's ``pyodide`` package of exactly the kernel's version (cached)."""
    folder = CACHE / "npm" / f"pyodide-{PYODIDE_VERSION}"
    if (folder / "pyodide.mjs").is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is needed to fetch the Pyodide core (npm's `pyodide` package); "
                         "install Node.js and npm")
    folder.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([npm, "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination",
                             str(folder.parent)], capture_output=True, text=True)
    tarball = folder.parent / f"pyodide-{PYODIDE_VERSION}.tgz"
    if result.returncode or not tarball.is_file():
        raise BuildError(f"npm pack pyodide@{PYODIDE_VERSION} failed:\n{result.stderr}")
    tmp = folder.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(tarball) as tf:
        tf.extractall(tmp, filter="data")
    (tmp / "package").rename(folder)
    shutil.rmtree(tmp)
    tarball.unlink()
    return folder


def raftlib_wheel(dest: Path) -> Path:
    """raftlib's wheel, built from this checkout."""
    shutil.rmtree(dest, ignore_errors=True)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                             "-w", str(dest), str(ROOT)], capture_output=True, text=True)
    wheels = list(dest.glob("raftlib-*.whl"))
    if result.returncode or len(wheels) != 1:
        raise BuildError(f"building raftlib's wheel failed:\n{result.stderr}")
    return wheels[0]


def kernel_wheels() -> list[Path]:
    """The Pyodide kernel's own wheels (piplite, pyodide-kernel, the ipykernel shim)."""
    pypi = (Path(sys.prefix) / "share/jupyter/labextensions" /
            PYODIDE_KERNEL_PLUGIN_ID.split(":")[0] / "static/pypi")
    wheels = [w for w in sorted(pypi.glob("*.whl"))
              if w.name.split("-")[0] in ("piplite", "pyodide_kernel", "ipykernel")]
    if len(wheels) != 3:
        raise BuildError(f"the Pyodide kernel's wheels are missing from {pypi}")
    return wheels


def lite_config(stage: Path) -> None:
    """``jupyter-lite.json``: preload the shipped packages when the kernel starts."""
    settings = {PYODIDE_KERNEL_PLUGIN_ID: {"loadPyodideOptions": {"packages": list(PRELOAD)}}}
    # exposeAppInBrowser: window.jupyterapp, which tests/test_lite.py drives (harmless otherwise)
    config = {"jupyter-lite-schema-version": 0,
              "jupyter-config-data": {"appName": "raft-course", "exposeAppInBrowser": True,
                                      "litePluginSettings": settings}}
    (stage / "jupyter-lite.json").write_text(json.dumps(config, indent=2))


def build(output: Path, cdn_url: str) -> None:
    if PYODIDE_PYTHON != PYODIDE_PYTHON_VERSION:
        raise BuildError(f"tools/lite/lock.py picks wheels for Python {PYODIDE_PYTHON}, but this "
                         f"kernel's Pyodide has Python {PYODIDE_PYTHON_VERSION}: update it")
    stage = CACHE / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    stage_content(stage / "content")
    core = pyodide_core()
    static = stage / "static" / "pyodide"
    static.mkdir(parents=True)
    for name in CORE_FILES:
        shutil.copy2(core / name, static / name)
    wheel = raftlib_wheel(CACHE / "dist")
    build_lock(core / "pyodide-lock.json", static, cdn_url=cdn_url,
               extra_wheels=[*kernel_wheels(), wheel],
               env_versions={name: version(name) for name in SHIP_FROM_ENV},
               cache=CACHE / "wheels")
    lite_config(stage)

    shutil.rmtree(output, ignore_errors=True)
    cmd = [sys.executable, "-m", "jupyterlite_core", "build", "--contents", "content",
           "--output-dir", str(output), "--no-sourcemaps"]
    result = subprocess.run(cmd, cwd=stage, capture_output=True, text=True)
    log = result.stdout + result.stderr
    (CACHE / "build.log").write_text(log)
    print(log)
    failed = [line for line in log.splitlines() if "FAIL" in line]
    if result.returncode or failed:
        raise BuildError(f"jupyter lite build failed (exit {result.returncode}):\n"
                         + "\n".join(failed))
    missing = [p for p in FRONT_ENDS if not (output / p).is_dir()]
    if missing or not (output / "static/pyodide" / wheel.name).is_file():
        raise BuildError(f"the site lacks {missing or wheel.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "_site")
    parser.add_argument("--pyodide-cdn", default=DEFAULT_CDN,
                        help="where browsers fetch the Pyodide packages the site does not ship "
                             f"(default: {DEFAULT_CDN})")
    args = parser.parse_args(argv)
    try:
        build(args.output.resolve(), args.pyodide_cdn)
    except (BuildError, RuntimeError) as error:
        print(f"make lite: FAILED: {error}", file=sys.stderr)
        return 1
    print(f"make lite: site in {args.output} (Pyodide {PYODIDE_VERSION}; packages it does not "
          f"ship come from {args.pyodide_cdn})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
