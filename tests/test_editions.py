"""The Chinese edition stays in step with the English one by construction (tools/edition.py).

A Chinese source ``tools/lessons/zh/<lesson>.md`` holds only prose blocks, each
recording a hash of the English block it translates; code cells come from the
English source. Checked here: parity (every English prose block has its Chinese
block and the reverse, none stale or todo; code cells identical byte for byte;
committed ``notebooks/zh/`` equal to a fresh build), that a stale, missing or
extra block really fails the build with a message naming lesson, block and English
text, the folder language in a real kernel, the Chinese notebooks top to bottom in a
fresh kernel, glossary consistency of the bold first uses, and which lessons are
not translated yet (an expected failure until issue 13 is done).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from test_lesson_glossary import CJK, marked_keys, markers, problems as marker_problems
import test_notebooks as notebook_tests
from test_notebooks import kernel_env, run_top_to_bottom  # noqa: F401  (kernel_env is a fixture)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import edition  # noqa: E402
import make_notebook  # noqa: E402

ENGLISH = sorted(make_notebook.SOURCES.glob("*.md"))
TRANSLATED = [s for s in ENGLISH if edition.zh_source(s).exists()]
NOT_TRANSLATED = [s.stem for s in ENGLISH if s not in TRANSLATED]
IDS = [s.stem for s in TRANSLATED]
EXERCISES = edition.exercises()  # solutions/A/*.ipynb; the Chinese edition is solutions/A-zh/
ZH_EXERCISES = [s for s in EXERCISES if edition.zh_source(s).exists()]
EX_IDS = [edition.name_of(s) for s in ZH_EXERCISES]


def zh_notebook(source: Path) -> Path:
    return edition.ZH_NOTEBOOKS / make_notebook.target_for(source).name


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_some_lessons_are_translated():
    assert TRANSLATED, "no Chinese source in tools/lessons/zh/"


def test_every_chinese_source_translates_an_english_one():
    orphans = [p.name for p in sorted(edition.ZH_SOURCES.glob("*.md"))
               if not (make_notebook.SOURCES / p.name).exists()]
    assert not orphans, f"Chinese sources without an English source: {orphans}"
    extra = [p.name for p in sorted(edition.ZH_NOTEBOOKS.glob("*.ipynb"))
             if not make_notebook.target_for(make_notebook.SOURCES / (p.stem + ".md")).exists()
             or not (make_notebook.SOURCES / (p.stem + ".md")).exists()]
    assert not extra, f"notebooks/zh/ has notebooks with no English source: {extra}"


@pytest.mark.parametrize("source", TRANSLATED + ZH_EXERCISES, ids=IDS + EX_IDS)
def test_every_prose_block_is_translated_and_current(source: Path):
    bad = edition.problems(source)
    assert not bad, ("run tools/make_notebook.py zh-status / zh-sync:\n"
                     + "\n".join(map(str, bad)))


@pytest.mark.parametrize("source", TRANSLATED, ids=IDS)
def test_editions_share_every_code_cell(source: Path):
    en, zh = read(make_notebook.target_for(source)), read(zh_notebook(source))
    assert [c.cell_type for c in en.cells] == [c.cell_type for c in zh.cells]
    for a, b in zip(en.cells, zh.cells):
        assert a.id == b.id and a.metadata == b.metadata
        if a.cell_type == "code":
            assert a.source == b.source, f"{source.stem}: code cell {a.id} differs between editions"
        else:
            assert a.source != b.source or not a.source.strip(), (
                f"{source.stem}: prose cell {a.id} is the English text")


@pytest.mark.parametrize("source", ENGLISH, ids=[s.stem for s in ENGLISH])
def test_committed_chinese_notebook_is_a_fresh_build(source: Path, tmp_path):
    """Translated lessons from their Chinese source; the others as the English text with a
    Chinese note on top, so notebooks/zh/ always holds the whole course."""
    fresh = tmp_path / "fresh.ipynb"
    if source in TRANSLATED:
        edition.build_zh(source, fresh)
    else:
        edition.build_untranslated(source, fresh)
        assert read(fresh).cells[0].source.startswith(edition.UNTRANSLATED_NOTE)
    assert fresh.read_text(encoding="utf-8") == zh_notebook(source).read_text(encoding="utf-8"), (
        f"{zh_notebook(source).relative_to(ROOT)} is out of date: run tools/make_notebook.py build-all")


@pytest.mark.parametrize("source", TRANSLATED, ids=IDS)
def test_chinese_notebook_structure(source: Path):
    path = zh_notebook(source)
    notebook_tests.test_committed_without_outputs(path)
    notebook_tests.test_every_cell_has_slide_metadata(path)
    notebook_tests.test_check_cells_are_hidden_from_the_learner(path)
    if source.stem[:2].isdigit():
        prose = [c.source for c in read(path).cells if c.cell_type == "markdown"]
        assert "目标" in " ".join(prose[:2]), f"{path.name}: open with the goals (学习目标)"
        assert "小结" in " ".join(prose[-3:]) and "自测" in " ".join(prose[-3:]), (
            f"{path.name}: close with a summary (小结) and self-check (自测)")


def test_marker_file_names_the_chinese_folder():
    marker = edition.ZH_NOTEBOOKS / edition.MARKER
    assert json.loads(marker.read_text(encoding="utf-8")) == {"language": "zh"}


# --- a stale, missing, extra or todo block fails the build ---------------------------------

ENGLISH_DEMO = ("@@ markdown slide\n# Lesson 99 · Demo\nGoals.\n\n@@ code\nx = 1\n\n"
                "@@ markdown\nSecond block.\n\n@@ markdown fragment\nThird block.\n")


@pytest.fixture
def demo(tmp_path, monkeypatch):
    english = tmp_path / "99-demo.md"
    english.write_text(ENGLISH_DEMO, encoding="utf-8")
    monkeypatch.setattr(edition, "ZH_SOURCES", tmp_path / "zh")
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "99-demo.md").write_text(edition.skeleton(english), encoding="utf-8")
    return english


def translate_all(english: Path) -> None:
    path = edition.zh_source(english)
    text = path.read_text(encoding="utf-8").replace(" todo\n", "\n")
    for en, zh in (("# Lesson 99 · Demo\nGoals.", "# 第 99 课\n目标。"), ("Second block.", "第二段。"),
                   ("Third block.", "第三段。")):
        text = text.replace(en, zh)
    path.write_text(text, encoding="utf-8")


def test_build_takes_code_from_english_and_prose_from_chinese(demo, tmp_path):
    with pytest.raises(make_notebook.SourceError, match=r"99-demo: prose block 1 is marked todo"):
        edition.build_zh(demo, tmp_path / "out.ipynb")
    translate_all(demo)
    edition.build_zh(demo, tmp_path / "out.ipynb")
    nb = read(tmp_path / "out.ipynb")
    assert [c.source for c in nb.cells] == ["# 第 99 课\n目标。", "x = 1", "第二段。", "第三段。"]
    assert nb.cells[3].metadata.slideshow.slide_type == "fragment"


def test_stale_missing_and_extra_blocks_fail_with_lesson_block_and_english_text(demo, tmp_path):
    translate_all(demo)
    demo.write_text(ENGLISH_DEMO.replace("Second block.", "Second block, rewritten."), encoding="utf-8")
    with pytest.raises(make_notebook.SourceError) as err:
        edition.build_zh(demo, tmp_path / "out.ipynb")
    assert "99-demo: prose block 2 is stale" in str(err.value)
    assert "'Second block, rewritten.'" in str(err.value)
    demo.write_text(ENGLISH_DEMO + "\n@@ markdown\nFourth block.\n", encoding="utf-8")
    assert [str(p) for p in edition.problems(demo)] == [
        "99-demo: prose block 4 has no Chinese block: 'Fourth block.'"]
    demo.write_text(ENGLISH_DEMO.replace("@@ markdown fragment\nThird block.\n", ""), encoding="utf-8")
    assert [p.kind for p in edition.problems(demo)] == ["extra"]
    demo.write_text(ENGLISH_DEMO.replace("@@ markdown fragment", "@@ markdown subslide"),
                    encoding="utf-8")
    assert [p.kind for p in edition.problems(demo)] == ["header"]


def test_sync_keeps_current_translations_and_marks_the_rest_todo(demo):
    translate_all(demo)
    demo.write_text(ENGLISH_DEMO.replace("Second block.", "Second block, rewritten."), encoding="utf-8")
    text = edition.skeleton(demo)
    assert "第三段。" in text and "# 第 99 课" in text
    assert "Second block, rewritten." in text and "earlier translation:\n第二段。" in text
    assert text.count(" todo\n") == 1


def test_a_code_cell_in_a_chinese_source_is_refused():
    with pytest.raises(make_notebook.SourceError, match="only '@@ markdown' blocks"):
        edition.read_blocks("@@ code en=12345678\nx = 1\n", "zh.md")
    with pytest.raises(make_notebook.SourceError, match="exactly one 'en=HASH'"):
        edition.read_blocks("@@ markdown\n正文\n", "zh.md")


def test_build_all_fails_on_a_stale_block(tmp_path):
    """The real command: a copy of the project with one Chinese block made stale."""
    copy = tmp_path / "project"
    (copy / "tools" / "lessons" / "zh").mkdir(parents=True)
    (copy / "notebooks" / "zh").mkdir(parents=True)
    for f in ("make_notebook.py", "edition.py"):
        (copy / "tools" / f).write_text((ROOT / "tools" / f).read_text(encoding="utf-8"))
    source = TRANSLATED[0]
    lines = source.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("@@ markdown")) + 1
    lines[first] += " (edited)"
    (copy / "tools" / "lessons" / source.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (copy / "tools" / "lessons" / "zh" / source.name).write_bytes(edition.zh_source(source).read_bytes())
    run = subprocess.run([sys.executable, str(copy / "tools" / "make_notebook.py"), "build-all"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert f"{source.stem}: prose block 1 is stale" in run.stderr, run.stderr


# --- language by folder, in a real kernel ---------------------------------------------------

PROBE = ("import raftlib as rl\nc = rl.Cluster(3, seed=1); c.run(0.5)\n"
         "print(rl.get_language(), rl.ClusterView(c).lang, rl.plots.timeline(c).axes[0].get_title())")


@pytest.mark.notebook
@pytest.mark.parametrize("folder,lang", [("notebooks/zh", "zh"), ("notebooks", "en")])
def test_kernel_in_the_folder_draws_in_its_language(folder, lang, kernel_env, tmp_path):
    from raftlib.i18n import text

    probe = ROOT / folder / f"_probe_{tmp_path.name}.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nbformat.write(nb, probe)
    try:
        out = run_top_to_bottom(probe)
    finally:
        probe.unlink()
    printed = "".join(o.get("text", "") for o in out.cells[0].outputs)
    assert printed.startswith(f"{lang} {lang} ") and text("timeline_title", lang) in printed, printed


def test_folder_language(tmp_path):
    from raftlib.errors import ConfigError
    from raftlib.i18n import folder_language

    (tmp_path / "zh" / "sub").mkdir(parents=True)
    assert folder_language(tmp_path) == "en"
    (tmp_path / "zh" / "raft-course.json").write_text('{"language": "zh-CN"}')
    assert folder_language(tmp_path / "zh" / "sub") == "zh"
    (tmp_path / "zh" / "raft-course.json").write_text('{"language": "fr"}')
    with pytest.raises(ConfigError, match="raft-course.json"):
        folder_language(tmp_path / "zh")


def test_tr_follows_the_language_and_refuses_non_strings():
    import raftlib as rl
    from raftlib.errors import ConfigError

    before = rl.get_language()
    try:
        rl.set_language("zh")
        assert rl.tr("committed", "已提交") == "已提交"
        rl.set_language("en")
        assert rl.tr("committed", "已提交") == "committed"
        with pytest.raises(ConfigError, match="zh was 3"):
            rl.tr("three", 3)
        with pytest.raises(ConfigError, match="en was None"):
            rl.tr(None, "三")
    finally:
        rl.set_language(before)


# --- the Chinese notebooks run, and use the glossary's terms ---------------------------------

@pytest.mark.notebook
@pytest.mark.parametrize("source", TRANSLATED, ids=IDS)
def test_chinese_notebook_runs_top_to_bottom(source: Path, kernel_env):
    run_top_to_bottom(zh_notebook(source))


@pytest.mark.parametrize("source", TRANSLATED, ids=IDS)
def test_chinese_edition_uses_the_glossary_pairs(source: Path):
    path = zh_notebook(source)
    bad = [problem for cell in read(path).cells if cell.cell_type == "markdown"
           for en, zh in markers(cell.source) if (problem := marker_problems(en, zh))]
    assert not bad, f"{path.relative_to(ROOT)}:\n" + "\n".join(bad)
    missing = marked_keys(make_notebook.target_for(source)) - marked_keys(path)
    assert not missing, (f"{path.relative_to(ROOT)} must give these terms in bold, Chinese first, "
                         f"as the English edition does: {sorted(missing)}")


def test_the_whole_course_is_in_chinese():
    """Every lesson, the glossary notebook and every exercise has a Chinese source (issue 13)."""
    missing = NOT_TRANSLATED + [edition.name_of(s) for s in EXERCISES if s not in ZH_EXERCISES]
    assert not missing, (f"no Chinese edition ({len(missing)} of "
                         f"{len(ENGLISH) + len(EXERCISES)}): " + ", ".join(missing))


def test_one_word_for_glossary():
    """The course calls a glossary 术语表, never 词汇表 (issue 13)."""
    places = [*(ROOT / "tools").rglob("*.md"), *(ROOT / "notebooks").rglob("*.ipynb"),
              *(ROOT / "solutions").rglob("*.ipynb"), *(ROOT / "exercises").rglob("*.ipynb"),
              *(ROOT / "raftlib").rglob("*.py"), *(ROOT / "raftlib" / "data").glob("*.csv"),
              ROOT / "README.zh-CN.md", ROOT / "README.md"]
    bad = [str(p.relative_to(ROOT)) for p in places if "词汇表" in p.read_text(encoding="utf-8")]
    assert not bad, f"词汇表 (say 术语表) in: {bad}"


# --- the Chinese exercises: solutions/A-zh/ from solutions/A/ and tools/exercises/zh/A.md ----

def test_some_exercises_are_translated_and_none_is_orphaned():
    assert ZH_EXERCISES
    names = {edition.name_of(s) for s in EXERCISES}
    orphans = [p.name for p in edition.ZH_EXERCISES.glob("*.md") if p.stem not in names]
    orphans += [p.name for p in edition.SOLUTIONS.glob("*" + edition.ZH_SUFFIX)
                if p.name.removesuffix(edition.ZH_SUFFIX) not in EX_IDS]
    assert not orphans, f"Chinese exercises without an English one (or a Chinese source): {orphans}"


@pytest.mark.parametrize("source", ZH_EXERCISES, ids=EX_IDS)
def test_chinese_exercise_is_a_fresh_build_with_the_same_code_and_hidden_tests(source, tmp_path):
    zh_path = edition.zh_exercise(source)
    fresh = tmp_path / "fresh.ipynb"
    edition.build_zh(source, fresh)
    assert fresh.read_text(encoding="utf-8") == zh_path.read_text(encoding="utf-8"), (
        f"{zh_path.relative_to(ROOT)} is out of date: run tools/make_notebook.py build-all")
    en, zh = read(source), read(zh_path)
    assert [c.cell_type for c in en.cells] == [c.cell_type for c in zh.cells]
    for a, b in zip(en.cells, zh.cells):
        assert a.id == b.id and a.metadata == b.metadata  # grade ids, points, locks
        if a.cell_type == "code":
            assert a.source == b.source, f"code cell {a.id} differs between editions"
        else:
            assert a.source != b.source and CJK.search(b.source), f"prose cell {a.id} is English"
            heading = [re.findall(r"\d+", _first(c.source)) for c in (a, b)]
            points = [re.findall(r"(?:Points:|分值：)\*\* (\d+)", c.source) for c in (a, b)]
            assert heading[0] == heading[1] and points[0] == points[1], (
                f"{zh_path.relative_to(ROOT)}: question numbers or points differ from the English "
                f"in cell {a.id}: {heading}, {points}")
    for folder in ("solutions", "exercises"):
        marker = ROOT / folder / zh_path.parent.name / edition.MARKER
        assert json.loads(marker.read_text(encoding="utf-8")) == {"language": "zh"}, marker


def _first(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


@pytest.mark.parametrize("source", ZH_EXERCISES, ids=EX_IDS)
def test_chinese_exercise_uses_the_glossary_pairs(source: Path):
    path = edition.zh_exercise(source)
    bad = [problem for cell in read(path).cells if cell.cell_type == "markdown"
           for en, zh in markers(cell.source) if (problem := marker_problems(en, zh))]
    assert not bad, f"{path.relative_to(ROOT)}:\n" + "\n".join(bad)


def test_a_changed_english_exercise_makes_its_translation_stale(tmp_path):
    source = ZH_EXERCISES[0]
    copy = tmp_path / "solutions" / edition.name_of(source) / source.name
    copy.parent.mkdir(parents=True)
    nb = read(source)
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    prose[1].source += " (edited)"
    nbformat.write(nb, copy)
    assert edition.zh_source(copy) == edition.zh_source(source)
    found = [str(p) for p in edition.problems(copy)]
    assert found == [f"{edition.name_of(source)}: prose block 2 is stale: the English text "
                     f"changed since it was translated: {edition._first_line(prose[1].source)!r}"]
    nb.cells.remove(next(c for c in reversed(nb.cells) if c.cell_type == "markdown"))
    nbformat.write(nb, copy)
    assert [p.kind for p in edition.problems(copy)] == ["stale", "extra"]


# --- README and `make lab COURSE_LANG=zh` ---------------------------------------------------

def test_chinese_readme_has_the_same_two_commands():
    readme = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("make lab", "make test"):
        line = re.compile(rf"^{command}\s", re.M)
        assert line.search(english) and line.search(readme), f"{command} missing from a README"
    assert "`make lab COURSE_LANG=zh`" in readme
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang,welcome", [("zh", "notebooks/zh/00-welcome.ipynb"),
                                          ("en", "notebooks/00-welcome.ipynb")])
def test_make_lab_opens_the_welcome_lesson_of_the_edition(lang, welcome):
    dry = subprocess.run(["make", "-n", "--no-print-directory", "lab", f"COURSE_LANG={lang}"],
                         cwd=ROOT, capture_output=True, text=True)
    assert f"--LabApp.default_url=/lab/tree/{welcome}" in dry.stdout, dry.stdout + dry.stderr
    assert (ROOT / welcome).exists()
    bad = subprocess.run(["make", "-n", "--no-print-directory", "lab", "COURSE_LANG=fr"],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0 and "COURSE_LANG must be en or zh" in bad.stdout + bad.stderr


def english_only_code_texts(source: Path) -> list[str]:
    """Texts a code cell shows the learner (rl.predict questions, options, answers and
    explanations) written as a plain English string instead of {"en": ..., "zh": ...}.
    A string with no English word in it ("4", "S3", "'aa'") is the same in both editions."""
    from IPython.core.inputtransformer2 import TransformerManager  # cells may use %magics

    python = TransformerManager().transform_cell
    found = []
    for cell in read(make_notebook.target_for(source)).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(python(cell.source))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "predict"):
                continue
            texts = [*node.args[:1], *(node.args[1].elts if len(node.args) > 1
                                       and isinstance(node.args[1], ast.List) else []),
                     *(k.value for k in node.keywords if k.arg in ("answer", "explanation"))]
            for text in texts:
                if isinstance(text, ast.Dict):
                    keys = {k.value for k in text.keys if isinstance(k, ast.Constant)}
                    if keys != {"en", "zh"}:
                        found.append(f"{source.stem}: a text with keys {sorted(keys)}, not en and zh")
                elif not isinstance(text, ast.Constant) or re.search(r"[A-Za-z]{3,}", str(text.value)):
                    shown = text.value if isinstance(text, ast.Constant) else ast.unparse(text)
                    found.append(f"{source.stem}: rl.predict text {str(shown)[:50]!r}...")
    return found


@pytest.mark.parametrize("source", ENGLISH, ids=[s.stem for s in ENGLISH])
def test_prediction_questions_have_chinese_text(source: Path):
    """Code cells are shared, so a question a code cell shows must carry both languages."""
    found = english_only_code_texts(source)
    assert not found, ("English-only texts in shared code cells (write them as "
                       "{'en': ..., 'zh': ...} in the English source):\n" + "\n".join(found))


def test_the_prediction_check_can_fail(tmp_path, monkeypatch):
    lesson = tmp_path / "99-demo.md"
    lesson.write_text('@@ markdown slide\n# Demo\n\n@@ code\nimport raftlib as rl\n'
                      'rl.predict({"en": "Q?", "zh": "问？"}, ["4", "five"], answer="4", '
                      'explanation={"en": "Why."})\n', encoding="utf-8")
    monkeypatch.setattr(make_notebook, "target_for", lambda source: tmp_path / "99-demo.ipynb")
    nbformat.write(make_notebook.parse(lesson.read_text(encoding="utf-8"), lesson.name),
                   tmp_path / "99-demo.ipynb")
    found = english_only_code_texts(lesson)
    assert len(found) == 2 and "'five'" in found[0] and "keys ['en']" in found[1], found


@pytest.mark.parametrize("source", TRANSLATED, ids=IDS)
def test_bold_renders_in_chinese_prose(source: Path):
    """CommonMark does not close ``**`` after a full-width bracket when a CJK character follows
    (``**脑裂（split brain）**的``); the learner would see the asterisks. Rendered with mistune,
    the Markdown renderer nbconvert uses."""
    import mistune

    render = mistune.create_markdown()
    bad = []
    for cell in read(zh_notebook(source)).cells:
        if cell.cell_type == "markdown":
            html = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", render(cell.source), flags=re.S)
            bad += [line for line in html.splitlines() if "**" in line]
    assert not bad, f"{source.stem}: bold that does not render (add a space after '**'):\n" + "\n".join(bad)
