"""The README's first command, `make lab`, really starts JupyterLab on the course.

It is run exactly as a learner runs it (through make, from the project root), with
a fixed token and no browser, in its own HOME and Jupyter folders; the test asks
the server for the lessons and for the lab extensions the course needs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEEDED_EXTENSIONS = {"@jupyter-widgets/jupyterlab-manager", "@jupyter/nbgrader", "jupyterlab-slideshow",
                     "anywidget"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    home = tmp_path_factory.mktemp("make-lab-home")
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    log_path = home / "make-lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"PORT={port}",
             f"LAB_ARGS=--no-browser --ip=127.0.0.1 --ServerApp.port_retries=0 "
             f"--IdentityProvider.token={token}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("`make lab` did not start JupyterLab:\n" + log_path.read_text())
                time.sleep(0.5)
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def test_make_lab_opens_the_welcome_lesson_at_the_project_root(lab):
    base, token = lab
    top = {item["name"] for item in _get(f"{base}/api/contents?token={token}")["content"]}
    assert {"notebooks", "exercises", "README.md"} <= top

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(f"{base}/?token={token}", timeout=5)
    assert answer.value.code == 302
    assert "/lab/tree/notebooks/00-welcome.ipynb" in answer.value.headers["Location"]


def test_make_lab_serves_every_lesson(lab):
    base, token = lab
    listing = _get(f"{base}/api/contents/notebooks?token={token}")
    served = {item["name"] for item in listing["content"]}
    lessons = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert "00-welcome.ipynb" in served
    assert lessons <= served, f"not served: {sorted(lessons - served)}"
    welcome = _get(f"{base}/api/contents/notebooks/00-welcome.ipynb?token={token}")
    assert welcome["type"] == "notebook" and welcome["content"]["cells"]


def test_make_lab_has_widgets_nbgrader_and_slides(lab):
    base, token = lab
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as response:
        page = response.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">'
                                  r"(.*?)</script>", page, re.S)[1])
    extensions = {e["name"] for e in config["federated_extensions"]}
    assert NEEDED_EXTENSIONS <= extensions, f"missing: {sorted(NEEDED_EXTENSIONS - extensions)}"
