"""The course's English/Chinese terminology glossary (``raftlib/data/glossary.csv``).

One row per term: a stable snake_case ``key``, the English and Chinese terms,
``|``-separated synonyms in each language, a one-line definition in each
language and the lesson (0-12) that introduces the term. A Figure 2 field name
(``next_index``) has itself as its Chinese term: Chinese text keeps it as code.

    >>> from raftlib import glossary
    >>> glossary.bilingual("majority")
    'majority (多数)'
    >>> glossary.get("网络分区").en
    'network partition'
    >>> glossary.matches("piggyback", "背驮", "zh")
    True

Only the standard library is imported here; :func:`as_dataframe` imports
pandas when it is called.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from .errors import ConfigError, UnknownTermError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COLUMNS", "Term", "UnknownTermError", "as_dataframe", "bilingual", "by_lesson",
           "get", "label", "load", "matches", "search"]

COLUMNS = ("key", "en", "zh", "zh_synonyms", "en_synonyms", "definition_en", "definition_zh",
           "lesson")
LESSONS = range(0, 13)
_SEPARATORS = "_-/"  # treated like spaces when comparing terms: next_index == next index


@dataclass(frozen=True)
class Term:
    """One glossary entry. Synonyms are tuples, in the order the CSV gives them."""

    key: str
    en: str
    zh: str
    zh_synonyms: tuple[str, ...]
    en_synonyms: tuple[str, ...]
    definition_en: str
    definition_zh: str
    lesson: int

    @property
    def all_en(self) -> tuple[str, ...]:
        """The English term followed by its English synonyms."""
        return (self.en, *self.en_synonyms)

    @property
    def all_zh(self) -> tuple[str, ...]:
        """The Chinese term followed by its Chinese synonyms."""
        return (self.zh, *self.zh_synonyms)

    @property
    def is_code(self) -> bool:
        """A Figure 2 field name (``next_index``): kept as code in both languages, not translated."""
        return self.zh == self.en


def _normalize(text: str) -> str:
    """Fold case, full-width forms, spaces and ``_-/`` so that equivalent spellings compare equal."""
    text = unicodedata.normalize("NFKC", text).casefold()
    for sep in _SEPARATORS:
        text = text.replace(sep, " ")
    return "".join(text.split()).strip(".。")


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _parse(text: str) -> dict[str, Term]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"glossary.csv header must be {','.join(COLUMNS)}, "
                         f"got {','.join(reader.fieldnames or ())}")
    terms: dict[str, Term] = {}
    for line, row in enumerate(reader, start=2):
        missing = [c for c in ("key", "en", "zh", "definition_en", "definition_zh", "lesson")
                   if not (row.get(c) or "").strip()]
        if missing:
            raise ValueError(f"glossary.csv line {line}: empty {', '.join(missing)}")
        key = row["key"].strip()
        if key in terms:
            raise ValueError(f"glossary.csv line {line}: duplicate key {key!r}")
        try:
            lesson = int(row["lesson"])
        except ValueError:
            lesson = -1
        if lesson not in LESSONS:
            raise ValueError(f"glossary.csv line {line}: lesson must be 0-11, got {row['lesson']!r}")
        terms[key] = Term(key=key, en=row["en"].strip(), zh=row["zh"].strip(),
                          zh_synonyms=_split(row["zh_synonyms"] or ""),
                          en_synonyms=_split(row["en_synonyms"] or ""),
                          definition_en=row["definition_en"].strip(),
                          definition_zh=row["definition_zh"].strip(), lesson=lesson)
    return terms


@functools.lru_cache(maxsize=None)
def _table() -> tuple[dict[str, Term], dict[str, str]]:
    """The parsed CSV and a lookup index from every normalized spelling to its key."""
    text = (resources.files("raftlib") / "data" / "glossary.csv").read_text(encoding="utf-8-sig")
    terms = _parse(text)
    index: dict[str, str] = {}
    # Earlier passes win, so a key, English or Chinese term is never shadowed by a synonym.
    passes = (lambda t: (t.key,), lambda t: (t.en,), lambda t: (t.zh,),
              lambda t: t.en_synonyms, lambda t: t.zh_synonyms)
    for spellings in passes:
        for term in terms.values():
            for spelling in spellings(term):
                index.setdefault(_normalize(spelling), term.key)
    return terms, index


def load() -> dict[str, Term]:
    """Every term, by key, in file order. The file is read once; each call returns a new dict."""
    return dict(_table()[0])


def get(term: str) -> Term:
    """The entry for a key, an English or Chinese term, or one of their synonyms.

    Case, spaces, full-width letters and ``_``/``-``/``/`` do not matter.
    Raises :class:`~raftlib.errors.UnknownTermError` (a ``KeyError``) naming close matches.
    """
    if isinstance(term, Term):
        return term
    terms, index = _table()
    key = index.get(_normalize(term)) if isinstance(term, str) else None
    if key is not None:
        return terms[key]
    spelling = _normalize(term) if isinstance(term, str) else ""
    close = difflib.get_close_matches(spelling, list(index), n=8, cutoff=0.6)
    suggestions = list(dict.fromkeys(index[c] for c in close))[:5]
    if suggestions:
        hint = "did you mean " + ", ".join(bilingual(k) for k in suggestions) + "?"
    else:
        hint = "use raftlib.glossary.search(text) to look for it"
    raise UnknownTermError(f"{term!r} is not in the glossary; {hint}")


def _lang(lang: str) -> str:
    code = lang.strip().lower()[:2] if isinstance(lang, str) else ""
    if code not in ("en", "zh"):
        raise ConfigError(f"lang must be 'en' or 'zh', got {lang!r}")
    return code


def label(key: str, lang: str = "en") -> str:
    """The term in one language: ``lang`` is ``"en"`` or ``"zh"`` (``"zh-CN"`` etc. also work)."""
    term = get(key)
    return term.zh if _lang(lang) == "zh" else term.en


def bilingual(key: str, lang: str = "en") -> str:
    """Both terms, for a term's first use: ``"majority (多数)"``; with ``lang="zh"``, ``"多数（majority）"``.

    A Figure 2 field name (:attr:`Term.is_code`) is the same code in both languages: ``"`next_index`"``.
    """
    term = get(key)
    if term.is_code:
        return f"`{term.en}`"
    if _lang(lang) == "zh":
        return f"{term.zh}（{term.en}）"
    return f"{term.en} ({term.zh})"


def search(text: str) -> list[Term]:
    """Terms whose English, Chinese, synonyms or definitions contain ``text`` (any case).

    Terms that match by name come before those that match only in a definition.
    """
    if not isinstance(text, str):
        raise ConfigError(f"text must be a str to look for, got {text!r}")
    needle = unicodedata.normalize("NFKC", text).casefold().strip()
    by_name: list[Term] = []
    by_definition: list[Term] = []
    for term in _table()[0].values():
        names = (term.key, *term.all_en, *term.all_zh)
        if any(needle in unicodedata.normalize("NFKC", n).casefold() for n in names):
            by_name.append(term)
        elif any(needle in unicodedata.normalize("NFKC", d).casefold()
                 for d in (term.definition_en, term.definition_zh)):
            by_definition.append(term)
    return by_name + by_definition


_DIRECTIONS = {"zh": ("zh",), "en->zh": ("zh",), "en2zh": ("zh",),
               "en": ("en",), "zh->en": ("en",), "zh2en": ("en",),
               "any": ("en", "zh"), "both": ("en", "zh")}


def matches(key: str, answer: str, direction: str = "any") -> bool:
    """Whether ``answer`` names the term ``key``, for checking quiz and exercise answers.

    ``direction`` is the language the answer should be in: ``"zh"`` (or ``"en->zh"``)
    accepts the Chinese term and its synonyms, ``"en"`` (or ``"zh->en"``) the English
    ones, ``"any"`` both. Case, spaces and full-width forms are ignored.
    """
    langs = _DIRECTIONS.get(direction.strip().lower() if isinstance(direction, str) else "")
    if langs is None:
        raise ConfigError(f"direction must be one of {sorted(_DIRECTIONS)}, got {direction!r}")
    if not isinstance(answer, str) or not _normalize(answer):
        return False
    term = get(key)
    accepted = (term.all_en if "en" in langs else ()) + (term.all_zh if "zh" in langs else ())
    given = _normalize(answer)
    return any(given == _normalize(a) for a in accepted)


def by_lesson(lesson: int) -> list[Term]:
    """The terms introduced in one lesson, in file order."""
    if isinstance(lesson, bool) or not isinstance(lesson, int) or lesson not in LESSONS:
        raise ConfigError(f"lesson must be an int from {min(LESSONS)} to {max(LESSONS)}, "
                          f"got {lesson!r}")
    return [t for t in _table()[0].values() if t.lesson == lesson]


def as_dataframe(lesson: int | None = None) -> "pd.DataFrame":
    """The glossary as a pandas DataFrame (one row per term, synonyms joined with ``" | "``)."""
    import pandas as pd

    terms = by_lesson(lesson) if lesson is not None else list(_table()[0].values())
    rows = [{c: (" | ".join(getattr(t, c)) if c.endswith("_synonyms") else getattr(t, c))
             for c in COLUMNS} for t in terms]
    return pd.DataFrame(rows, columns=list(COLUMNS))
