"""Lessons give each term in both languages on first use, and every such term is in the glossary.

The convention (machine-readable): in a markdown cell, a term's first use is
written in bold as English then Chinese in parentheses, exactly what
``raftlib.glossary.bilingual(key)`` returns, e.g. ``**majority (多数)**``; the
Chinese-first form ``**多数（majority）**`` (``bilingual(key, "zh")``, full-width
parentheses) is accepted too. Any bold span with a parenthesized part that
contains Chinese is such a marker. Code cells may call
``glossary.bilingual("key")`` / ``label`` / ``get`` with a literal key. A Figure 2
field name is code in both languages: its first use is bold code, ``**`next_index`**``.

Checked here: every marker names a glossary term (the English is the term or an
English synonym, the Chinese its Chinese term or a Chinese synonym, and that
Chinese is not empty); every literal key in code exists; and each numbered
lesson marks every term the glossary says it introduces (column ``lesson``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from raftlib import glossary

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CJK = re.compile(r"[\u3400-\u9fff]")
EN_FIRST = re.compile(r"\*\*([^*()（）\n]+?) \(([^()*\n]+)\)\*\*")
ZH_FIRST = re.compile(r"\*\*([^*()（）\n]+?)（([^（）*\n]+)）\*\*")
BOLD_CODE = re.compile(r"\*\*`([A-Za-z_]+)`\*\*")
CODE_KEY = re.compile(r"glossary\.(?:bilingual|label|get)\(\s*['\"]([^'\"]+)['\"]")
LESSON_NUMBER = re.compile(r"^(\d\d)[a-z]?-")  # 06-... and its continuation 06b-...


def markers(markdown: str) -> list[tuple[str, str]]:
    """The (English, Chinese) pairs a markdown text marks as glossary terms."""
    found = [(en.strip(), zh.strip()) for en, zh in EN_FIRST.findall(markdown)
             if CJK.search(zh) and not CJK.search(en)]
    found += [(en.strip(), zh.strip()) for zh, en in ZH_FIRST.findall(markdown)
              if CJK.search(zh) and not CJK.search(en)]
    return found


def problems(en: str, zh: str) -> str | None:
    """Why a marker does not match the glossary, or None if it does."""
    try:
        term = glossary.get(en)
    except KeyError:
        return f"{en!r} is not in the glossary"
    if not glossary.matches(term.key, en, "en"):
        return f"{en!r} resolves to {term.key!r} but is not its English term or synonym"
    if not term.zh.strip():
        return f"{term.key!r} has an empty Chinese term"
    if not glossary.matches(term.key, zh, "zh"):
        return (f"{en} ({zh}): the glossary's Chinese for {term.key!r} is {term.zh!r}"
                + (f" (synonyms: {', '.join(term.zh_synonyms)})" if term.zh_synonyms else ""))
    return None


def cells(path: Path, kind: str) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind]


def marked_keys(path: Path) -> set[str]:
    """Terms marked in both languages, and Figure 2 field names given in bold code (**`next_index`**)."""
    keys = set()
    for text in cells(path, "markdown"):
        for name in BOLD_CODE.findall(text):
            try:
                if glossary.get(name).is_code:
                    keys.add(glossary.get(name).key)
            except KeyError:
                pass
        for en, _ in markers(text):
            try:
                keys.add(glossary.get(en).key)
            except KeyError:
                pass
    return keys


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_marked_terms_are_in_the_glossary(path: Path):
    bad = [problem for text in cells(path, "markdown") for en, zh in markers(text)
           if (problem := problems(en, zh))]
    assert not bad, f"{path.name}:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_glossary_keys_in_code_exist(path: Path):
    terms = glossary.load()
    used = [key for text in cells(path, "code") for key in CODE_KEY.findall(text)]
    unknown = []
    for key in used:
        try:
            glossary.get(key)
        except KeyError:
            unknown.append(key)
    assert not unknown, f"{path.name} uses glossary keys that do not exist: {unknown}"
    assert all(terms[glossary.get(k).key].zh.strip() for k in used)


LESSONS = [p for p in NOTEBOOKS if LESSON_NUMBER.match(p.name)]


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_introduces_the_terms_the_glossary_assigns_to_it(path: Path):
    """A lesson split in two (06 and 06b) introduces its terms in either part."""
    number = int(LESSON_NUMBER.match(path.name).group(1))
    assert number in glossary.LESSONS, f"raftlib.glossary.LESSONS does not know lesson {number}"
    parts = [p for p in LESSONS if int(LESSON_NUMBER.match(p.name).group(1)) == number]
    expected = {t.key for t in glossary.by_lesson(number)}
    missing = sorted(expected - set().union(*(marked_keys(p) for p in parts)))
    assert not missing, (f"{' / '.join(p.name for p in parts)} must give these terms in both "
                         f"languages, e.g. {glossary.bilingual(missing[0])!r} in bold: "
                         + ", ".join(glossary.bilingual(k) for k in missing))


def test_every_lesson_uses_the_convention():
    assert LESSONS, "no numbered lessons found"
    for path in LESSONS:
        assert marked_keys(path), f"{path.name} gives no term in both languages"


def test_marker_scanner():
    text = ("A **majority (多数)** and **脑裂（split brain）**; **bold (not Chinese)**, "
            "**quorum (法定人数)**, **majority (少数)**, **no such thing (胡说)**")
    assert markers(text) == [("majority", "多数"), ("quorum", "法定人数"), ("majority", "少数"),
                             ("no such thing", "胡说"), ("split brain", "脑裂")]
    assert problems("majority", "多数") is None and problems("split brain", "脑裂") is None
    assert "glossary's Chinese" in problems("majority", "少数")
    assert "not in the glossary" in problems("no such thing", "胡说")
    assert markers(glossary.bilingual("network_partition")) == []  # not bold: not a marker
    assert markers(f"**{glossary.bilingual('network_partition')}**") == [
        ("network partition", "网络分区")]
    assert markers(f"**{glossary.bilingual('network_partition', 'zh')}**") == [
        ("network partition", "网络分区")]
