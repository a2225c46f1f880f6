"""A throw-away JupyterLab on 127.0.0.1 for the browser tests and the widget benchmark.

Everything Jupyter and IPython write goes into a temporary HOME; the server gets a
random token and port. Used as ``with lab_server(folder) as (base_url, token): ...``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

#: Enables :mod:`raftlib.jupyter_nodelay` (as ``make lab`` does).
NODELAY = "--ServerApp.jpserver_extensions=raftlib.jupyter_nodelay=True"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(root: Path, *, start_timeout: float = 60.0) -> Iterator[tuple[str, str]]:
    """Run ``jupyter lab`` serving ``root``; yield ``(base_url, token)``; stop it after."""
    with tempfile.TemporaryDirectory(prefix="raft-lab-home-") as tmp:
        home = Path(tmp)
        settings = home / "user-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        token, port = secrets.token_hex(16), _free_port()
        env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
                   JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                   IPYTHONDIR=str(home / "ipython"),
                   JUPYTERLAB_SETTINGS_DIR=str(home / "user-settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
                   PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        with open(home / "lab.log", "w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                 "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
                 f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                 "--LabApp.expose_app_in_browser=True", NODELAY],
                env=env, stdout=log, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + start_timeout
                while True:
                    try:
                        urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                        break
                    except OSError:
                        if server.poll() is not None or time.monotonic() > deadline:
                            log.flush()
                            raise RuntimeError("jupyter lab did not start:\n"
                                               + (home / "lab.log").read_text()) from None
                        time.sleep(0.3)
                yield base, token
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()


def open_notebook(browser, base: str, token: str, name: str, *, width: int = 1440,
                  height: int = 900, ready: str = ".raft-view .raft-status[data-seq]",
                  count: int = 1):
    """A page of ``browser`` with notebook ``name`` open and all its cells run, once
    ``count`` elements match ``ready``."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset")  # a fresh workspace
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    # On a fresh kernel "idle" shows before the kernel connection is ready, and a
    # Run All issued then is dropped: wait for the session's kernel itself.
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget")
    page.evaluate("""async () => { const p = window.jupyterapp.shell.currentWidget;
        await p.context.ready; await p.sessionContext.ready;
        await p.sessionContext.session.kernel.info; }""")
    # Outputs autosaved by an earlier page would show old widgets (still alive in the kernel)
    # until Run All replaces them: clear them first, so ``ready`` only matches this run's.
    page.evaluate("""async () => {
        await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
        await window.jupyterapp.commands.execute('notebook:run-all-cells'); }""")
    page.wait_for_function(f"() => document.querySelectorAll({ready!r}).length == {count}")
    return page
