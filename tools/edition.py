"""The Chinese edition of a lesson or exercise: its prose from a Chinese source, its code from the English.

A Chinese source ``tools/lessons/zh/<lesson>.md`` holds only the prose of the
English source ``tools/lessons/<lesson>.md``: one ``@@ markdown`` block per English
markdown cell, in the same order, each header carrying the slide words of the
English header and a short hash of the English text it translates::

    @@ markdown slide en=3f2a9c1b
    # 第 0 课 · 欢迎

Building takes the English notebook and swaps in the Chinese text of each markdown
cell, so both editions share every code cell (and every cell id and tag) byte for
byte. The build fails, naming the lesson, block number and the English text's
first line, when a block is missing, extra, stale (the English text changed since
it was translated: its hash differs), marked ``todo``, or its slide words differ.

Exercises work the same way: ``tools/exercises/zh/<assignment>.md`` holds the
prose of ``solutions/<assignment>/<notebook>.ipynb``, built into the nbgrader
assignment ``solutions/<assignment>-zh/`` (same code cells, hidden tests and grade
ids, plus the folder marker ``raft-course.json`` that makes widgets and grader
messages Chinese); ``nbgrader generate_assignment`` makes ``exercises/<assignment>-zh/``.

:func:`skeleton` starts (or brings up to date) a Chinese source: translated blocks
whose English is unchanged are kept; every other block is written as ``todo`` with
the English text (and any older Chinese text) to translate, and the build refuses
it until the translator replaces the text and deletes ``todo``.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from make_notebook import NOTEBOOKS, SOURCES, SourceError, parse

ZH_SOURCES = SOURCES / "zh"
ZH_NOTEBOOKS = NOTEBOOKS / "zh"
SOLUTIONS = SOURCES.parent.parent / "solutions"
ZH_EXERCISES = SOURCES.parent / "exercises" / "zh"
ZH_SUFFIX = "-zh"  # the Chinese edition of assignment A is the assignment A-zh
TODO = "todo"
MARKER = "raft-course.json"  # read by raftlib.i18n: the default language of the folder


def en_hash(text: str) -> str:
    """The short hash a Chinese block records of the English text it translates."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8]


@dataclass
class Block:
    """One prose block of a Chinese source."""

    words: list[str]  # header words after "markdown", without en=... and todo
    hash: str | None
    todo: bool
    text: str
    line: int


@dataclass
class Problem:
    """Why one block of a Chinese source cannot be built."""

    lesson: str
    block: int  # 1-based number among the lesson's prose blocks
    kind: str  # missing, extra, stale, todo, header
    english: str  # first line of the English text ("" for an extra block)

    def __str__(self) -> str:
        what = {"missing": "has no Chinese block",
                "extra": "is a Chinese block with no English block",
                "stale": "is stale: the English text changed since it was translated",
                "todo": "is marked todo (not translated yet)",
                "header": "has other slide words than the English block"}[self.kind]
        tail = f": {self.english!r}" if self.english else ""
        return f"{self.lesson}: prose block {self.block} {what}{tail}"


def _first_line(text: str) -> str:
    line = next((line for line in text.splitlines() if line.strip()), "")
    return line[:80]


def _header_words(cell: nbformat.NotebookNode) -> list[str]:
    """The slide/tag words of an English markdown cell's header, as a source writes them."""
    slide = cell.metadata.get("slideshow", {}).get("slide_type", "-")
    words = [] if slide == "-" else [slide]
    return words + [f"tag={t}" for t in cell.metadata.get("tags", [])]


def read_blocks(text: str, name: str) -> list[Block]:
    """The prose blocks of a Chinese source (only ``@@ markdown`` headers are allowed)."""
    blocks: list[Block] = []
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("@@"):
            if blocks:
                blocks[-1].text = "\n".join(lines).strip()
            lines = []
            words = line[2:].split()
            if not words or words[0] != "markdown":
                raise SourceError(f"{name}:{number}: a Chinese source holds only '@@ markdown' "
                                  f"blocks (code cells come from the English source), got {line!r}")
            hashes = [w[3:] for w in words if w.startswith("en=")]
            if len(hashes) != 1:
                raise SourceError(f"{name}:{number}: a Chinese block header needs exactly one "
                                  f"'en=HASH' (the hash of the English text), got {line!r}")
            rest = [w for w in words[1:] if not w.startswith("en=") and w != TODO]
            blocks.append(Block(rest, hashes[0], TODO in words, "", number))
        elif blocks:
            lines.append(line)
        elif line.strip():
            raise SourceError(f"{name}:{number}: text before the first '@@ markdown' header")
    if blocks:
        blocks[-1].text = "\n".join(lines).strip()
    return blocks


def is_exercise(source: Path) -> bool:
    """An exercise is an nbgrader solution notebook (``solutions/<assignment>/*.ipynb``)."""
    return source.suffix == ".ipynb"


def english_prose(source: Path) -> tuple[nbformat.NotebookNode, list[nbformat.NotebookNode]]:
    """The English notebook of a lesson source or exercise and its markdown cells in order."""
    if is_exercise(source):
        nb = nbformat.read(source, as_version=4)
    else:
        nb = parse(source.read_text(encoding="utf-8"), source.name)
    return nb, [cell for cell in nb.cells if cell.cell_type == "markdown"]


def name_of(source: Path) -> str:
    """The lesson (``03-majority-vote``) or assignment (``01-quorums``) a source is."""
    return source.parent.name if is_exercise(source) else source.stem


def zh_source(source: Path) -> Path:
    if is_exercise(source):
        return ZH_EXERCISES / f"{name_of(source)}.md"
    return ZH_SOURCES / source.name


def exercises() -> list[Path]:
    """The English solution notebooks, one per assignment (none in a project without them)."""
    folders = sorted(SOLUTIONS.iterdir()) if SOLUTIONS.is_dir() else []
    return sorted(nb for folder in folders
                  if folder.is_dir() and not folder.name.endswith(ZH_SUFFIX)
                  for nb in folder.glob("*.ipynb"))


def zh_exercise(source: Path) -> Path:
    """Where the Chinese edition of a solution notebook goes: ``solutions/<assignment>-zh/``."""
    return SOLUTIONS / (name_of(source) + ZH_SUFFIX) / source.name


def problems(source: Path) -> list[Problem]:
    """Every block of ``source``'s Chinese edition that is missing, extra, stale or todo."""
    lesson = name_of(source)
    _, prose = english_prose(source)
    path = zh_source(source)
    blocks = read_blocks(path.read_text(encoding="utf-8"), path.name)
    found = []
    for i, cell in enumerate(prose, start=1):
        first = _first_line(cell.source)
        if i > len(blocks):
            found.append(Problem(lesson, i, "missing", first))
        elif blocks[i - 1].hash != en_hash(cell.source):
            found.append(Problem(lesson, i, "stale", first))
        elif blocks[i - 1].todo:
            found.append(Problem(lesson, i, "todo", first))
        elif blocks[i - 1].words != _header_words(cell):
            found.append(Problem(lesson, i, "header", first))
    found += [Problem(lesson, i, "extra", "") for i in range(len(prose) + 1, len(blocks) + 1)]
    return found


def build_zh(source: Path, target: Path) -> None:
    """Write the Chinese notebook of an English lesson source (raises SourceError if not in step)."""
    bad = problems(source)
    if bad:
        raise SourceError("the Chinese edition is not in step with the English source "
                          f"(run tools/make_notebook.py zh-status):\n  "
                          + "\n  ".join(map(str, bad)))
    nb, prose = english_prose(source)
    path = zh_source(source)
    zh = copy.deepcopy(nb)
    texts = iter(b.text for b in read_blocks(path.read_text(encoding="utf-8"), path.name))
    for cell in zh.cells:
        if cell.cell_type == "markdown":
            cell.source = next(texts)
    zh.metadata.setdefault("language_info", {})["natural_language"] = "zh-CN"
    nbformat.validate(zh)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(zh) + "\n", encoding="utf-8")


def build_exercise_zh(source: Path) -> Path:
    """Write the Chinese assignment of a solution notebook (with its folder marker); return it."""
    target = zh_exercise(source)
    build_zh(source, target)
    (target.parent / MARKER).write_text('{"language": "zh"}\n', encoding="utf-8")
    return target


UNTRANSLATED_NOTE = ("> **本课尚未译成中文，以下是英文原文。** 代码与英文版相同，控件和图仍以中文显示。"
                     "翻译进度：`tools/make_notebook.py zh-status`。\n\n")


def build_untranslated(source: Path, target: Path) -> None:
    """Write the English notebook into the Chinese folder, its first cell saying so in Chinese,
    so the Chinese edition lists (and runs) the whole course while a lesson awaits translation."""
    nb, _ = english_prose(source)
    first = next(cell for cell in nb.cells if cell.cell_type == "markdown")
    first.source = UNTRANSLATED_NOTE + first.source
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def skeleton(source: Path) -> str:
    """A Chinese source for ``source``: unchanged translations kept, the rest as ``todo`` blocks."""
    _, prose = english_prose(source)
    path = zh_source(source)
    old = read_blocks(path.read_text(encoding="utf-8"), path.name) if path.exists() else []
    by_hash = {b.hash: b for b in old if not b.todo}
    parts = []
    for i, cell in enumerate(prose):
        h = en_hash(cell.source)
        kept = by_hash.get(h)
        words = " ".join(["markdown", *_header_words(cell), f"en={h}"])
        if kept is not None:
            parts.append(f"@@ {words}\n{kept.text}\n")
            continue
        earlier = old[i].text if i < len(old) and old[i].text != cell.source.strip() else ""
        body = cell.source.strip() + (f"\n\n<!-- earlier translation:\n{earlier}\n-->"
                                      if earlier else "")
        parts.append(f"@@ {words} {TODO}\n{body}\n")
    return "\n".join(parts)


def status(sources: list[Path]) -> list[str]:
    """One line per lesson or exercise: translated, how many blocks need work, or no Chinese source."""
    lines = []
    for source in sources:
        total = len(english_prose(source)[1])
        name = name_of(source)
        if not zh_source(source).exists():
            lines.append(f"{name}: not translated ({total} prose blocks; start with "
                         f"tools/make_notebook.py zh-sync {name})")
            continue
        bad = problems(source)
        lines.append(f"{name}: " + ("in step" if not bad else
                                            f"{len(bad)} of {total} prose blocks need work"))
        lines += [f"    {p}" for p in bad]
    return lines
