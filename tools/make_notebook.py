"""Build a lesson notebook from a readable text source, or extract the source from a notebook.

The committed ``.ipynb`` files are what learners open; a source in ``tools/lessons/``
is the easy way to write and review one. A source is a sequence of cells, each
introduced by a header line that starts with ``@@``::

    @@ markdown slide
    # Lesson 2: Split brain
    @@ code
    import raftlib as rl
    @@ code fragment
    pb = rl.PrimaryBackup(seed=1)
    @@ code check
    assert pb.primaries() == ["P1"]

Header words: the cell type (``markdown`` or ``code``), then optionally the RISE
slide type (``slide``, ``subslide``, ``fragment``, ``skip``, ``notes`` or ``-``;
default ``-``, i.e. continue the current slide), ``check`` (a hidden-from-learner
check cell: tag ``check``, source collapsed, not on the slides) and ``tag=NAME``
for further cell tags. Lines of the cell follow until the next header; blank
lines at either end of a cell are dropped.

Usage::

    python tools/make_notebook.py build tools/lessons/02-split-brain.md notebooks/02-split-brain.ipynb
    python tools/make_notebook.py build-all          # every tools/lessons/*.md -> notebooks/,
                                                     # and tools/lessons/zh/*.md -> notebooks/zh/,
                                                     # tools/exercises/zh/A.md -> solutions/A-zh/
    python tools/make_notebook.py zh-status          # which Chinese blocks need (re)translation
    python tools/make_notebook.py zh-sync 03-majority-vote   # start / update a Chinese source
    python tools/make_notebook.py zh-sync 01-quorums         # ... of an exercise
    python tools/make_notebook.py extract notebooks/02-split-brain.ipynb tools/lessons/02-split-brain.md

The Chinese edition (``tools/edition.py``) takes only the prose from
``tools/lessons/zh/<lesson>.md``; every code cell comes from the English source.

The output is nbformat 4.5 with stable cell ids, kernelspec python3, ipykernel's
language_info and no outputs; building a source and extracting it again gives the same text.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tools" / "lessons"
NOTEBOOKS = ROOT / "notebooks"
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
CELL_TYPES = ("markdown", "code")
CHECK_TAG = "check"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
#: What ipykernel reports, in full: JupyterLab rewrites any other value when the kernel starts,
#: which marks a freshly opened lesson as unsaved (the version is this Python's, the course's).
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3", "version": platform.python_version()}


class SourceError(ValueError):
    """A lesson source that cannot be turned into a notebook (says where and why)."""


def _cell_from_header(header: str, where: str) -> tuple[str, str, list[str], bool]:
    words = header[2:].split()
    if not words or words[0] not in CELL_TYPES:
        raise SourceError(f"{where}: a header must start with '@@ markdown' or '@@ code', "
                          f"got {header!r}")
    kind, slide, tags, check = words[0], None, [], False
    for word in words[1:]:
        if word in SLIDE_TYPES:
            if slide is not None:
                raise SourceError(f"{where}: two slide types in {header!r}")
            slide = word
        elif word == CHECK_TAG:
            check = True
        elif word.startswith("tag=") and len(word) > 4:
            tags.append(word[4:])
        else:
            raise SourceError(f"{where}: unknown header word {word!r}; allowed: "
                              f"{', '.join(SLIDE_TYPES)}, check, tag=NAME")
    if check:
        if kind != "code":
            raise SourceError(f"{where}: only code cells can be check cells")
        tags.insert(0, CHECK_TAG)
        slide = slide or "skip"
    return kind, slide or "-", tags, check


def parse(text: str, name: str = "<source>") -> nbformat.NotebookNode:
    """The notebook described by a lesson source."""
    cells: list[tuple[str, str, list[str], bool, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("@@"):
            cells.append((*_cell_from_header(line.rstrip(), f"{name}:{number}"), []))
        elif cells:
            cells[-1][4].append(line)
        elif line.strip():
            raise SourceError(f"{name}:{number}: text before the first '@@' cell header")
    if not cells:
        raise SourceError(f"{name}: no cells (a cell starts with a line '@@ markdown' or '@@ code')")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC),
                   "language_info": dict(LANGUAGE_INFO)}
    stem = Path(name).stem.split("-")[0] or "nb"
    for i, (kind, slide, tags, check, lines) in enumerate(cells):
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        source = "\n".join(lines)
        # "-" (continue the slide) is written as no slide_type: jupyterlab-slideshow hides "-"
        metadata: dict = {} if slide == "-" else {"slideshow": {"slide_type": slide}}
        if tags:
            metadata["tags"] = tags
        if check:
            metadata["jupyter"] = {"source_hidden": True}
            metadata["editable"] = False
            metadata["deletable"] = False
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source=source, metadata=metadata)
        cell.id = f"{stem}-{i:03d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def extract(nb: nbformat.NotebookNode) -> str:
    """The lesson source of a notebook (outputs and unknown metadata are left out)."""
    parts = []
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        tags = list(meta.get("tags", []))
        slide = meta.get("slideshow", {}).get("slide_type", "-")
        words = [cell.cell_type]
        if CHECK_TAG in tags:
            tags.remove(CHECK_TAG)
            words.append(CHECK_TAG)
            if slide != "skip":
                words.append(slide)
        elif slide != "-":
            words.append(slide)
        words += [f"tag={t}" for t in tags]
        parts.append("@@ " + " ".join(words) + "\n" + cell.source + "\n")
    return "\n".join(parts)


def build(source: Path, target: Path) -> None:
    nb = parse(source.read_text(encoding="utf-8"), source.name)
    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def target_for(source: Path) -> Path:
    return NOTEBOOKS / (source.name.removesuffix(".md") + ".ipynb")


def build_all() -> None:
    """Every English source, then every Chinese edition (all problems reported before failing)."""
    import edition  # tools/edition.py imports this module
    sources = sorted(SOURCES.glob("*.md"))
    for source in sources:
        build(source, target_for(source))
        print(f"{source.relative_to(ROOT)} -> {target_for(source).relative_to(ROOT)}")
    edition.ZH_NOTEBOOKS.mkdir(exist_ok=True)
    (edition.ZH_NOTEBOOKS / edition.MARKER).write_text('{"language": "zh"}\n', encoding="utf-8")
    failed = []
    for source in sources:
        target = edition.ZH_NOTEBOOKS / target_for(source).name
        if not edition.zh_source(source).exists():
            edition.build_untranslated(source, target)
            print(f"{source.relative_to(ROOT)} -> {target.relative_to(ROOT)} (not translated yet)")
            continue
        try:
            edition.build_zh(source, target)
            print(f"{edition.zh_source(source).relative_to(ROOT)} -> {target.relative_to(ROOT)}")
        except SourceError as err:
            failed.append(str(err))
    for solution in edition.exercises():
        if not edition.zh_source(solution).exists():
            continue
        try:
            target = edition.build_exercise_zh(solution)
            print(f"{edition.zh_source(solution).relative_to(ROOT)} -> {target.relative_to(ROOT)} "
                  f"(then: nbgrader generate_assignment {target.parent.name} --create --force)")
        except SourceError as err:
            failed.append(str(err))
    if failed:
        raise SourceError("\n".join(failed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="source -> notebook")
    b.add_argument("source", type=Path)
    b.add_argument("notebook", type=Path)
    sub.add_parser("build-all", help=f"every {SOURCES.relative_to(ROOT)}/*.md -> notebooks/ "
                                     "(and its Chinese edition -> notebooks/zh/)")
    sub.add_parser("zh-status", help="which Chinese prose blocks are missing, stale or todo")
    z = sub.add_parser("zh-sync", help="write/update tools/lessons/zh/LESSON.md: kept "
                                       "translations, todo blocks for the rest")
    z.add_argument("lesson", help="a lesson name, e.g. 03-majority-vote or glossary, or an "
                                  "exercise, e.g. 01-quorums (-> tools/exercises/zh/)")
    e = sub.add_parser("extract", help="notebook -> source")
    e.add_argument("notebook", type=Path)
    e.add_argument("source", type=Path)
    args = parser.parse_args(argv)
    import edition  # tools/edition.py imports this module
    try:
        if args.command == "build":
            build(args.source, args.notebook)
        elif args.command == "build-all":
            build_all()
        elif args.command == "zh-status":
            print("\n".join(edition.status(sorted(SOURCES.glob("*.md")) + edition.exercises())))
        elif args.command == "zh-sync":
            source = SOURCES / (args.lesson.removesuffix(".md") + ".md")
            source = next((s for s in edition.exercises() if edition.name_of(s) == args.lesson),
                          source)
            if not source.exists():
                raise SourceError(f"no English lesson source {source.relative_to(ROOT)} and no "
                                  f"assignment solutions/{args.lesson}/")
            target = edition.zh_source(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(edition.skeleton(source), encoding="utf-8")
            print(f"{target.relative_to(ROOT)}: translate the blocks marked todo, then delete 'todo'")
        else:
            text = extract(nbformat.read(args.notebook, as_version=4))
            args.source.write_text(text, encoding="utf-8")
    except SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    import make_notebook  # one module object, so edition.py raises the SourceError main() catches

    sys.exit(make_notebook.main())
