"""The Chinese welcome lesson in a real JupyterLab, through Debian's Chromium with Playwright.

``notebooks/zh/00-welcome.ipynb`` is opened in a copy of ``notebooks/zh/`` (with its
folder marker ``raft-course.json``) and run top to bottom; the cluster picture, its controls and the
prediction questions must be Chinese with no cell failing, and the Chinese text must be
drawn with a real CJK font, not missing-glyph boxes ("tofu"): Chromium's DevTools
protocol names the font each element's glyphs were drawn with, and a canvas in the page
draws distinct characters with distinct shapes (tofu boxes are all alike; two
private-use characters, which no font has, are the control that shows the canvas check
can tell). Screenshot: ``test-artifacts/browser_welcome_zh.png``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from raftlib.i18n import text
from raftlib.labserver import CHROMIUM_ARGS, lab_server, open_notebook

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "notebooks" / "zh"
LESSON = ZH / "00-welcome.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CJK_FONT = "CJK"  # Debian's fonts-noto-cjk: "Noto Sans CJK SC" and its siblings

#: Draws each string in ``font`` on a canvas and returns the pixels' fingerprints.
GLYPHS = """([font, strings]) => strings.map((s) => {
    const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
    const g = canvas.getContext('2d'); g.font = font; g.fillStyle = '#000';
    g.fillText(s, 4, 48);
    const px = g.getImageData(0, 0, 64, 64).data; let hash = 0, ink = 0;
    for (let i = 3; i < px.length; i += 4) { hash = (hash * 31 + px[i]) | 0; ink += px[i] > 0; }
    return [hash, ink]; })"""


@pytest.fixture(scope="module")
def welcome(tmp_path_factory):
    """The Chinese welcome lesson open in JupyterLab with every cell run, and a CDP session."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed and this machine cannot install it "
                    "(tools/install-chromium.sh needs root and apt-get); browser test skipped")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    lesson = nbformat.read(LESSON, as_version=4)
    views = sum(cell.source.count("rl.show(") for cell in lesson.cells if cell.cell_type == "code")
    work = tmp_path_factory.mktemp("lab-zh")
    shutil.copytree(ZH, work / "zh")  # the lesson lists the course it is part of
    with lab_server(work) as (base, token), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = open_notebook(browser, base, token, f"zh/{LESSON.name}", count=views)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext"
                               ".session.kernel.status === 'idle'", timeout=120_000)
        page.wait_for_timeout(500)
        yield page, page.context.new_cdp_session(page)
        browser.close()


def test_every_cell_ran_and_the_picture_and_controls_are_chinese(welcome):
    page, _ = welcome
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                          has_text="Traceback")
    assert errors.count() == 0, errors.first.inner_text()
    view = page.locator(".raft-view").first
    view.scroll_into_view_if_needed()
    view.screenshot(path=str(ARTIFACTS / "browser_welcome_zh.png"))
    assert view.locator(".raft-lang .raft-on").inner_text() == "中文"
    assert view.locator(".raft-step").inner_text() == text("step", "zh")
    assert view.locator(".raft-node-term", has_text="任期").count() == 5
    shown = view.inner_text()
    for key in ("play", "step", "speed", "reset", "heal", "leader", "follower"):
        assert text(key, "zh") in shown, f"{text(key, 'zh')!r} ({key}) not in the widget"
        assert not re.search(rf"\b{text(key, 'en')}\b", shown, re.I), (
            f"English {text(key, 'en')!r} in the widget: {shown[:300]}")
    first = page.locator(".widget-vbox", has_text=text("predict_predict", "zh")).first
    assert "种子 7" in first.inner_text()
    assert first.locator("button").inner_text() == text("predict_run", "zh")
    assert page.locator(".widget-vbox", has_text="Predict first").count() == 0


def test_chinese_text_is_drawn_with_a_cjk_font(welcome):
    page, cdp = welcome
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    for selector in (".jp-RenderedHTMLCommon h1", ".raft-view .raft-step", ".raft-view .raft-node-term"):
        page.locator(selector).first.scroll_into_view_if_needed()  # cells off screen are not laid out
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no {selector} in the page"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        cjk = [f for f in fonts if CJK_FONT in f["familyName"]]
        assert cjk and cjk[0]["glyphCount"] > 0, f"{selector} drawn with {fonts}, no CJK font"
    family = page.locator(".raft-view .raft-step").first.evaluate("el => getComputedStyle(el).fontFamily")
    chars = ["任", "期", "领", "导", "者", "单", "步"]
    drawn = page.evaluate(GLYPHS, [f"32px {family}", chars + ["\ue000", "\ue001"]])
    real, control = drawn[:-2], drawn[-2:]
    assert control[0] == control[1], "two missing glyphs should draw the same box: check broken"
    assert len({h for h, _ in real}) == len(chars), f"CJK characters drawn alike (tofu): {real}"
    assert all(ink > 20 for _, ink in real), f"CJK characters drawn empty: {real}"
