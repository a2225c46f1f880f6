"""Every notebook in notebooks/ runs top to bottom in a fresh kernel, and is committed clean.

Parametrized by file glob, so a new notebook is tested as soon as it exists.
Execution uses nbclient (a real ipykernel); a notebook fails on any error and on
anything written to stderr (a learner would see it as a warning box).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
LESSON = re.compile(r"^\d\d[a-z]?-")  # numbered lessons: 00-welcome.ipynb, 06b-election-timing.ipynb ...
#: slideshow.slide_type values; a cell without one continues the slide. "-" (the same in
#: nbconvert) is not allowed: jupyterlab-slideshow, the live slideshow, does not show it.
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", None}


def slide_type(cell) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
CHECK_TAG = "check"

sys.path.insert(0, str(ROOT / "tools"))
import make_notebook  # noqa: E402  (tools/ is not a package)

IDS = [p.name for p in NOTEBOOKS]


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def is_lesson(path: Path) -> bool:
    return bool(LESSON.match(path.name))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6, f"expected the lesson notebooks in {NOTEBOOK_DIR}"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """Keep IPython and Jupyter from writing into the real home directory."""
    home = tmp_path_factory.mktemp("kernel-home")
    mp = pytest.MonkeyPatch()
    for var, sub in (("IPYTHONDIR", "ipython"), ("JUPYTER_RUNTIME_DIR", "runtime")):
        (home / sub).mkdir()
        mp.setenv(var, str(home / sub))
    yield
    mp.undo()


def run_top_to_bottom(path: Path) -> nbformat.NotebookNode:
    """Execute a notebook in a fresh kernel whose working directory is the notebook's folder
    (as in JupyterLab); fail on any error or stderr output. Returns the executed notebook."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = read(path)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name} failed:\n{err}", pytrace=False)
    stderr = [(i, out.get("text", "")) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("name") == "stderr"]
    assert not stderr, f"{path.name} wrote to stderr: " + "; ".join(
        f"cell {i}: {text.strip()[:300]}" for i, text in stderr)
    return nb


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_top_to_bottom(path: Path, kernel_env):
    run_top_to_bottom(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path: Path):
    nb = read(path)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "write nbformat 4.5 (cells carry ids)"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; clear them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_cell_has_slide_metadata(path: Path):
    nb = read(path)
    missing = [i for i, cell in enumerate(nb.cells)
               if slide_type(cell) not in SLIDE_TYPES]
    assert not missing, (f"{path.name}: cells {missing} need no metadata.slideshow.slide_type "
                         f"or one of {sorted(SLIDE_TYPES - {None})}")
    assert nb.cells[0].metadata.slideshow.slide_type == "slide", "the first cell opens a slide"


@pytest.fixture(scope="module")
def slides_exporter():
    from nbconvert import SlidesExporter

    return SlidesExporter()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_slides_export(path: Path, slides_exporter):
    """`jupyter nbconvert --to slides` makes one reveal.js section per slide and leaves
    the check cells out."""
    nb = read(path)
    html, _ = slides_exporter.from_notebook_node(nb)
    kinds = [slide_type(c) for c in nb.cells]
    # reveal.js nests a section per slide and a section per (sub)slide inside it
    assert html.count("<section") == kinds.count("slide") * 2 + kinds.count("subslide")
    shown = [c for c in nb.cells if slide_type(c) != "skip"]
    for kind, css in (("code", "jp-CodeCell"), ("markdown", "jp-MarkdownCell")):
        expected = sum(1 for c in shown if c.cell_type == kind)
        assert len(re.findall(rf'class="jp-Cell {css}', html)) == expected, (
            f"{path.name}: the slides should show {expected} {kind} cells (check cells are skipped)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_check_cells_are_hidden_from_the_learner(path: Path):
    nb = read(path)
    checks = [cell for cell in nb.cells if CHECK_TAG in cell.get("metadata", {}).get("tags", [])]
    for cell in checks:
        assert cell.cell_type == "code"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:80]
        assert cell.metadata.slideshow.slide_type == "skip", "check cells stay off the slides"
        assert "assert" in cell.source, f"a check cell must assert something: {cell.source[:80]}"
    if is_lesson(path):
        assert checks, f"{path.name}: a lesson needs check cells for the numbers that must be right"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if is_lesson(p)],
                         ids=[p.name for p in NOTEBOOKS if is_lesson(p)])
def test_lesson_opens_with_goals_and_closes_with_summary_and_self_check(path: Path):
    markdown = [c.source.lower() for c in read(path).cells if c.cell_type == "markdown"]
    assert markdown and "goals" in " ".join(markdown[:2]), f"{path.name}: open with the goals"
    tail = " ".join(markdown[-3:])
    assert "summary" in tail and "self-check" in tail, (
        f"{path.name}: close with a summary and self-check questions")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_does_not_depend_on_another_notebook(path: Path):
    for cell in read(path).cells:
        if cell.cell_type == "code":
            assert not re.search(r"%run|import_ipynb|nbclient|execute_notebook|runpy", cell.source), (
                f"{path.name}: a lesson must run on its own: {cell.source[:80]}")


SOURCES = sorted(make_notebook.SOURCES.glob("*.md"))


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_notebook_matches_its_source(source: Path):
    """If a notebook has a source in tools/lessons/, the two say the same thing."""
    target = make_notebook.target_for(source)
    assert target.exists(), f"{source.name} has no notebook; run tools/make_notebook.py build-all"
    built = make_notebook.parse(source.read_text(encoding="utf-8"), source.name)
    committed = read(target)
    assert make_notebook.extract(committed) == make_notebook.extract(built), (
        f"{target.name} and {source.relative_to(ROOT)} differ: edit the source and run "
        f"`python tools/make_notebook.py build-all`, or run `python tools/make_notebook.py "
        f"extract {target.relative_to(ROOT)} {source.relative_to(ROOT)}` after editing the notebook")


def test_make_notebook_round_trip_and_errors():
    text = ("@@ markdown slide\n# Title\n\n@@ code\nx = 1\n\n@@ code check\nassert x == 1\n\n"
            "@@ markdown fragment tag=extra\nDone.\n")
    nb = make_notebook.parse(text, "99-demo.md")
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "markdown"]
    assert nb.cells[2].metadata == {"slideshow": {"slide_type": "skip"}, "tags": ["check"],
                                    "jupyter": {"source_hidden": True}, "editable": False,
                                    "deletable": False}
    assert nb.cells[3].metadata.tags == ["extra"] and nb.cells[1].id == "99-001"
    assert make_notebook.extract(nb) == text
    for bad, message in (("# no header\n", "before the first"), ("@@ raw\n", "must start"),
                         ("@@ code slide skip\n", "two slide types"),
                         ("@@ markdown check\n", "only code cells"),
                         ("@@ code shiny\n", "unknown header word"), ("", "no cells")):
        with pytest.raises(make_notebook.SourceError, match=message):
            make_notebook.parse(bad, "bad.md")
