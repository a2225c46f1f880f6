"""The widget in a real JupyterLab, driven through Debian's Chromium with Playwright.

The test starts ``jupyter lab`` on 127.0.0.1 (own HOME and JUPYTER_* directories,
a random token), opens ``tests/browser/widget_demo.ipynb``, runs all cells, sees
the widget, plays it, crashes the leader and steps until a new leader is shown.
Screenshots go to ``test-artifacts/``. It is skipped only where Chromium is not
installed (``tools/install-chromium.sh`` installs it where root and apt-get exist).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "tests" / "browser" / "widget_demo.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of the demo notebook."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed and this machine cannot install it "
                    "(tools/install-chromium.sh needs root and apt-get); browser test skipped")
    home = tmp_path_factory.mktemp("lab-home")
    work = tmp_path_factory.mktemp("lab-root")
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
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
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         "--LabApp.expose_app_in_browser=True"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("jupyter lab did not start:\n" + (home / "lab.log").read_text())
                time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def page(lab):
    from playwright.sync_api import sync_playwright

    base, token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 2300})
        pg.set_default_timeout(TIMEOUT_MS)
        pg.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
        pg.wait_for_selector(".jp-Notebook .jp-Cell")
        # On a fresh kernel "idle" shows before the kernel connection is ready, and a
        # Run All issued then is dropped: wait for the session's kernel itself.
        pg.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget")
        pg.evaluate("""async () => { const p = window.jupyterapp.shell.currentWidget;
            await p.context.ready; await p.sessionContext.ready;
            await p.sessionContext.session.kernel.info; }""")
        pg.click(".lm-MenuBar-itemLabel:text-is('Run')")
        pg.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        pg.wait_for_function(
            "() => document.querySelectorAll('.raft-view .raft-picture').length == 2")
        yield pg
        browser.close()


def status(view) -> dict[str, str]:
    el = view.locator(".raft-status")
    return {k: el.get_attribute(f"data-{k}") for k in ("leader", "term", "time")}


def wait_for_status(page, view, predicate, what: str, timeout: float = 30.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = status(view)
        if predicate(now):
            return now
        page.wait_for_timeout(100)
    raise AssertionError(f"the widget never showed {what}; last status {status(view)}")


def settle(page, view) -> dict[str, str]:
    """Wait until the status stops changing (ticks already sent are processed)."""
    last = status(view)
    for _ in range(100):
        page.wait_for_timeout(300)
        now = status(view)
        if now == last:
            return now
        last = now
    raise AssertionError("the widget kept changing after pause")


def test_widget_in_jupyterlab_plays_crashes_the_leader_and_shows_a_new_one(page):
    view = page.locator(".raft-view").first
    first = wait_for_status(page, view, lambda s: s["leader"], "a leader")
    leader = first["leader"]
    assert view.locator(".raft-picture text", has_text=leader).count() >= 2  # ring and log row
    page.screenshot(path=str(ARTIFACTS / "browser_notebook.png"), full_page=True)
    view.screenshot(path=str(ARTIFACTS / "browser_widget_en.png"))

    # Play: the kernel advances virtual time on every tick of the Play widget.
    view.locator(".widget-play button").first.click()
    wait_for_status(page, view, lambda s: float(s["time"]) > float(first["time"]) + 0.002,
                    "time advancing while playing")
    view.locator(".widget-play button").first.click()  # the same button pauses
    settled = settle(page, view)
    page.wait_for_timeout(500)
    assert status(view)["time"] == settled["time"]  # paused: the kernel stopped advancing

    # Crash the leader through the server buttons.
    view.locator(".raft-servers button", has_text=leader).click()
    view.locator(".raft-crash").click()
    wait_for_status(page, view, lambda s: s["leader"] == "", "no leader after the crash")
    assert view.locator(".raft-picture text", has_text="crashed").count() == 1
    view.screenshot(path=str(ARTIFACTS / "browser_widget_crashed.png"))

    # Step to the next role changes until someone else leads.
    new = ""
    for _ in range(10):
        before = status(view)["time"]
        view.locator(".raft-next").click()
        wait_for_status(page, view, lambda s: s["time"] != before, "the next event")
        now = settle(page, view)  # the click's redraw may arrive in parts: read the last one
        if now["leader"] not in ("", leader):
            new = now["leader"]
            break
    assert new and new != leader
    note = view.locator(".raft-note").inner_text()
    assert f"{new} became leader" in note, note
    assert view.locator(".raft-picture text", has_text="★ leader").count() == 1
    view.screenshot(path=str(ARTIFACTS / "browser_widget_new_leader.png"))

    # The second view was made with rl.set_language("zh"): glossary terms in Chinese.
    zh = page.locator(".raft-view").nth(1)
    wait_for_status(page, zh, lambda s: s["time"], "a status")
    assert zh.locator(".raft-picture text", has_text="任期").count() == 4  # S4 is crashed
    assert zh.locator("button", has_text="单步").count() == 1
    zh.screenshot(path=str(ARTIFACTS / "browser_widget_zh.png"))
