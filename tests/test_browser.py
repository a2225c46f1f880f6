"""The widget in a real JupyterLab, driven through Debian's Chromium with Playwright.

The tests start ``jupyter lab`` on 127.0.0.1 (own HOME and JUPYTER_* directories,
a random token), open ``tests/browser/widget_demo.ipynb``, run all cells and click
the picture by its testability contract (``data-server``, ``data-message``,
``data-link``, ``data-action``): crash a server, drop a message, cut a link; check
the height is stable, each widget keeps its language, the slideshow (deck mode)
and the dark theme. Screenshots go to ``test-artifacts/``. Skipped only where Chromium is not
installed (``tools/install-chromium.sh`` installs it where root and apt-get exist).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from raftlib.labserver import CHROMIUM_ARGS, lab_server, open_notebook

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "tests" / "browser" / "widget_demo.ipynb"
LESSON = ROOT / "notebooks" / "00-welcome.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of the demo notebook."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed and this machine cannot install it "
                    "(tools/install-chromium.sh needs root and apt-get); browser test skipped")
    work = tmp_path_factory.mktemp("lab-root")
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    shutil.copy(LESSON, work / LESSON.name)
    with lab_server(work) as (base, token):
        yield base, token


@pytest.fixture
def page(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield open_notebook(browser, *lab, NOTEBOOK.name, count=3)
        browser.close()


def status(view) -> dict[str, str]:
    """The status line's data, read at once (separate reads could straddle an update)."""
    return view.locator(".raft-status").evaluate(
        "el => ({leader: el.dataset.leader, term: el.dataset.term, time: el.dataset.time,"
        " seq: el.dataset.seq})")


def wait_for(page, view, predicate, what: str, timeout: float = 30.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = status(view)
        if predicate(now):
            return now
        page.wait_for_timeout(50)
    raise AssertionError(f"the widget never showed {what}; last status {status(view)}")


def act(page, view, action: str) -> None:
    """Click a menu button and wait for the kernel's answer (a new state)."""
    before = status(view)["seq"]
    view.locator(f".raft-menu [data-action='{action}']").click()
    wait_for(page, view, lambda s: s["seq"] != before, f"the answer to {action}")


def test_click_a_server_and_crash_it(page):
    view = page.locator(".raft-view").first
    leader = wait_for(page, view, lambda s: s["leader"], "a leader")["leader"]
    page.screenshot(path=str(ARTIFACTS / "browser_notebook.png"))
    view.screenshot(path=str(ARTIFACTS / "browser_widget_en.png"))
    node = view.locator(f"[data-server='{leader}']")
    assert "pointer" == node.evaluate("el => getComputedStyle(el).cursor")
    node.click()
    menu = view.locator(".raft-menu")
    assert menu.is_visible()
    assert [b.get_attribute("data-action") for b in menu.locator("button").all()] == [
        "crash", "timeout", "request", "isolate", "reboot"]
    act(page, view, "crash")
    wait_for(page, view, lambda s: s["leader"] == "", "no leader after the crash")
    assert "raft-crashed" in node.get_attribute("class")
    assert node.locator(".raft-label").text_content() == "crashed"
    view.screenshot(path=str(ARTIFACTS / "browser_widget_crashed.png"))
    node.click()  # a crashed server offers restart only
    assert view.locator(".raft-menu [data-action]").get_attribute("data-action") == "restart"
    act(page, view, "restart")
    assert "raft-crashed" not in node.get_attribute("class")


def test_click_a_message_and_drop_it(page):
    view = page.locator(".raft-view").first
    wait_for(page, view, lambda s: s["leader"], "a leader")
    message = view.locator("[data-message]").first
    message.wait_for()
    mid = message.get_attribute("data-message")
    message.click()
    assert view.locator(".raft-menu-title").inner_text().startswith(f"#{mid} ")
    view.screenshot(path=str(ARTIFACTS / "browser_widget_message_menu.png"))
    act(page, view, "drop")
    assert view.locator(f"[data-message='{mid}']").count() == 0
    assert any(mid in (el.get_attribute("data-messages") or "").split()
               for el in view.locator("[data-message]").all()) is False


def test_click_a_link_and_cut_it(page):
    view = page.locator(".raft-view").first
    link = view.locator("[data-link='S1-S3']")
    assert "raft-cut" not in link.get_attribute("class")
    box = view.locator("[data-link='S1-S3'] .raft-link-line").bounding_box()
    # the link's middle (away from the servers and the messages near them)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert view.locator(".raft-menu-title").inner_text().startswith("S1 — S3")
    act(page, view, "cut")
    assert "raft-cut" in link.get_attribute("class")
    view.screenshot(path=str(ARTIFACTS / "browser_widget_cut.png"))
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    act(page, view, "heal")
    assert "raft-cut" not in link.get_attribute("class")


def note_after(page, view, key: str) -> str:
    """Press ``key`` in the widget, wait for the kernel's answer, return the note."""
    before = status(view)["seq"]
    page.keyboard.press(key)
    wait_for(page, view, lambda s: s["seq"] != before, f"the answer to key {key}")
    return view.locator(".raft-note").inner_text()


def test_raftscope_keyboard_shortcuts(page):
    view = page.locator(".raft-view").first
    cells = page.locator(".jp-Notebook .jp-Cell").count()
    leader = wait_for(page, view, lambda s: s["leader"], "a leader")["leader"]
    view.locator(".raft-status").click()  # focus the widget (not the picture: no menu)
    page.keyboard.press("?")
    keys = view.locator(".raft-help kbd").all_inner_texts()
    assert {"Space", "C", "K", "R", "B", "T", "D", "A", "L", "F"} <= set(keys), keys
    page.keyboard.press("Escape")
    assert not view.locator(".raft-help").is_visible()
    note_after(page, view, "k")
    assert status(view)["leader"] == "" and "raft-crashed" in view.locator(
        f"[data-server='{leader}']").get_attribute("class")
    assert "split vote" in note_after(page, view, "a")
    assert "first candidate" in note_after(page, view, "l")
    assert "click or point at a message first" in note_after(page, view, "d")
    note_after(page, view, "b")
    assert view.locator(".raft-crashed").count() == 0
    message = view.locator("[data-message]").first
    mid = message.get_attribute("data-message")
    message.hover()
    note_after(page, view, "d")
    assert view.locator(f"[data-message='{mid}']").count() == 0
    slider = view.locator(".raft-time")
    slider.evaluate("el => { el.value = el.max / 2; el.dispatchEvent(new Event('input')); "
                    "el.dispatchEvent(new Event('change')); }")
    wait_for(page, view, lambda s: view.locator(".raft-status").inner_text().find("replaying") >= 0,
             "the replay")
    view.locator(".raft-status").click()
    assert "forked" in note_after(page, view, "f")
    assert "replaying" not in view.locator(".raft-status").inner_text()
    # JupyterLab's own command-mode keys (A, B, D, L, F) did not act on the notebook
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells


def test_a_grouped_burst_and_a_stale_leader(page):
    """Screenshots of two states a learner must read at a glance: a burst of AppendEntries
    (three client requests at once) drawn as one arrow per link marked ×3, and two leaders
    where the one of the older term is marked stale."""
    view = page.locator(".raft-view").first
    wait_for(page, view, lambda s: s["leader"], "a leader")
    view.locator(".raft-status").click()
    for _ in range(3):
        note_after(page, view, "c")
    counts = view.locator("[data-message] .raft-count").all_text_contents()
    assert counts.count("×3") == 4, counts  # one group on each link from the leader
    bursts = view.locator("[data-message]", has=view.locator(".raft-count"))
    assert all(len(b.get_attribute("data-messages").split()) == 3 for b in bursts.all())
    view.screenshot(path=str(ARTIFACTS / "browser_widget_burst.png"))
    view.locator(".raft-preset").select_option("two_leaders")
    before = status(view)["seq"]
    view.locator(".raft-preset-button").click()
    wait_for(page, view, lambda s: s["seq"] != before, "the scenario")
    leaders = view.locator(".raft-server.raft-leader")
    assert leaders.count() == 2
    stale = view.locator(".raft-server.raft-leader.raft-stale")
    assert stale.count() == 1
    assert stale.locator(".raft-label").first.text_content() == "★ stale leader"
    fresh = view.locator(".raft-server.raft-leader:not(.raft-stale) .raft-label").first
    assert fresh.text_content() == "★ leader"
    assert status(view)["leader"] == view.locator(".raft-server.raft-leader:not(.raft-stale)"
                                                  ).get_attribute("data-server")
    view.screenshot(path=str(ARTIFACTS / "browser_widget_stale_leader.png"))


def test_a_tour_fits_the_notebook(page):
    """The guided tour (lesson 7's replication tour): caption, Back / Next and the picture
    fit the notebook's width; nothing is cut or wrapped; Next moves the picture."""
    tour = page.locator(".raft-tour")
    tour.scroll_into_view_if_needed()
    view = tour.locator(".raft-view")
    wait_for(page, view, lambda s: s["seq"], "the tour's picture")
    area = page.locator(".jp-Cell-outputArea", has=tour).bounding_box()
    box = tour.bounding_box()
    assert box["x"] + box["width"] <= area["x"] + area["width"] + 1, (box, area)
    assert view.locator(".raft-toolbar").bounding_box()["height"] <= 34  # one row of controls
    for selector in (".raft-tour-next", ".raft-tour-back", ".raft-tour-progress"):
        el = tour.locator(selector)
        assert el.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), selector
    caption = tour.locator(".raft-tour-caption")
    assert caption.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    first = caption.inner_text()
    before = status(view)["seq"]
    tour.locator(".raft-tour-next").click()
    wait_for(page, view, lambda s: s["seq"] != before, "the next step")
    assert caption.inner_text() != first and "2 of" in tour.locator(".raft-tour-progress").inner_text()
    tour.screenshot(path=str(ARTIFACTS / "browser_tour.png"))


def test_height_is_stable_over_fifty_steps_and_fits_the_screen(page):
    view = page.locator(".raft-view").first
    heights = []
    for _ in range(50):
        before = status(view)["seq"]
        view.locator(".raft-step").click()
        wait_for(page, view, lambda s: s["seq"] != before, "the step")
        heights.append(view.bounding_box()["height"])
    assert max(heights) - min(heights) <= 4, heights
    box = view.bounding_box()
    assert box["height"] <= 900 - 150 and box["width"] <= 1440


def test_scrubbing_replays_from_creation_while_dragging_and_steps_back(page):
    view = page.locator(".raft-view").first
    slider = view.locator(".raft-time")
    assert float(slider.get_attribute("min")) == 0.0  # the cluster ran before show(): replayed
    for t, leader in ((0.1, ""), (0.6, "S3")):  # input events only, as while dragging
        before = status(view)["seq"]
        slider.evaluate("(el, t) => { el.value = t; el.dispatchEvent(new Event('input')); }", t)
        now = wait_for(page, view, lambda s: s["seq"] != before, f"the picture at t = {t}")
        assert abs(float(now["time"]) - t) < 0.002 and now["leader"] == leader, now
    slider.evaluate("el => el.dispatchEvent(new Event('change'))")
    before = status(view)
    view.locator(".raft-back").click()
    back = wait_for(page, view, lambda s: s["seq"] != before["seq"], "a step back")
    assert float(back["time"]) < float(before["time"])


def test_each_widget_keeps_its_own_language(page):
    en, zh = page.locator(".raft-view").nth(0), page.locator(".raft-view").nth(1)
    wait_for(page, zh, lambda s: s["time"], "a status")
    assert zh.locator(".raft-step").inner_text() == "单步"
    assert zh.locator(".raft-node-term", has_text="任期").count() == 5
    assert en.locator(".raft-step").inner_text() == "step"
    before = status(zh)["seq"]
    zh.locator(".raft-step").click()  # the notebook set the global language back to English
    wait_for(page, zh, lambda s: s["seq"] != before, "the step")
    assert zh.locator(".raft-step").inner_text() == "单步"
    zh.screenshot(path=str(ARTIFACTS / "browser_widget_zh.png"))
    # recent events wrap between words, never inside one ("已送|达", "(T|rue)")
    split = zh.locator(".raft-recent span").evaluate_all(
        "els => els.filter((el) => el.getClientRects().length > 1).map((el) => el.textContent)")
    assert zh.locator(".raft-recent span").count() > 20 and split == [], split
    en.locator(".raft-lang [data-lang='zh']").click()  # this widget's own switch
    page.wait_for_function("() => document.querySelector('.raft-view .raft-step').innerText == '单步'")
    assert zh.locator(".raft-lang .raft-on").inner_text() == "中文"
    en.locator(".raft-lang [data-lang='en']").click()
    page.wait_for_function("() => document.querySelector('.raft-view .raft-step').innerText == 'step'")
    assert zh.locator(".raft-step").inner_text() == "单步"


def test_picture_renders_and_responds_in_the_slideshow(page):
    """jupyterlab-slideshow presents the live notebook: the first slide is the title and the
    code cell after it (no slide_type: it continues the slide), whose widget still works."""
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    page.evaluate("() => window.jupyterapp.commands.execute('deck:start')")
    page.wait_for_selector("body[data-jp-deck-mode='presenting']", state="attached")
    page.wait_for_selector(".raft-view .raft-picture:visible")
    views = page.locator(".raft-view", has=page.locator(".raft-picture:visible"))
    assert views.count() == 1
    view = views.first
    assert view.locator(".raft-step").inner_text() == "step"  # the first (English) widget
    page.screenshot(path=str(ARTIFACTS / "browser_slideshow.png"))
    leader = wait_for(page, view, lambda s: s["leader"], "a leader")["leader"]
    view.locator(f"[data-server='{leader}']").click()
    act(page, view, "crash")
    wait_for(page, view, lambda s: s["leader"] == "", "no leader after the crash")
    page.screenshot(path=str(ARTIFACTS / "browser_slideshow_crashed.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('deck:forward')")
    page.wait_for_function("() => [...document.querySelectorAll('.raft-view .raft-step')]"
                           ".some((b) => b.offsetParent && b.innerText == '单步')")
    page.evaluate("() => window.jupyterapp.commands.execute('deck:stop')")


def _luminance(css: str) -> float:
    r, g, b = [int(x) / 255 for x in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_dark_theme_keeps_the_text_readable(page):
    page.evaluate("""() => window.jupyterapp.commands.execute('apputils:change-theme',
        {theme: 'JupyterLab Dark'})""")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(1000)
    view = page.locator(".raft-view").first
    view.screenshot(path=str(ARTIFACTS / "browser_widget_dark.png"))
    background = view.evaluate("el => getComputedStyle(el).backgroundColor")
    for selector in (".raft-label", ".raft-log-server", ".raft-status", ".raft-recent div"):
        el = view.locator(selector).first
        color = el.evaluate("el => getComputedStyle(el)[el instanceof SVGElement ? 'fill' : 'color']")
        light, dark = sorted((_luminance(color), _luminance(background)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (selector, color, background)
    assert _luminance(background) < 0.1


def test_a_lesson_opens_clean(lab):
    """JupyterLab does not mark a freshly opened lesson as modified once its kernel is up."""
    from playwright.sync_api import sync_playwright

    base, token = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/lab/tree/{LESSON.name}?token={token}&reset")  # a fresh workspace
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.context")
        dirty = page.evaluate("""async () => { const p = window.jupyterapp.shell.currentWidget;
            await p.context.ready; await p.sessionContext.ready;
            await p.sessionContext.session.kernel.info;
            await new Promise((r) => setTimeout(r, 2000));
            return p.context.model.dirty; }""")
        browser.close()
    assert dirty is False
