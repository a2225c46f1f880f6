"""The bilingual glossary: data file contents and the raftlib.glossary loader."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from raftlib import glossary
from raftlib.errors import UnknownTermError

# The 21-entry terminology list of the seed notes (shared/seed/lecture-06-raft-1-notes.md).
SEED = [
    ("arise", "出现"), ("nasty", "讨厌"), ("despite", "尽管"), ("symptom", "症状"),
    ("network partition", "网络分区"), ("insurmountable", "不可逾越"), ("insight", "洞察力"),
    ("majority", "多数"), ("symmetry", "对称"), ("tolerate", "容忍"), ("quorum", "法定人数"),
    ("convey", "传达"), ("piggybacks", "背驮"), ("superseded", "被取代"),
    ("cast one vote", "投一票"), ("suppress", "压制"), ("precedence", "优先级"),
    ("randomness breaks symmetry", "随机性破坏对称性"), ("needless", "不必要"),
    ("sacrifice", "牺牲"), ("in return for clarity", "以换取清晰"),
]

CJK = re.compile(r"[\u4e00-\u9fff]")
REQUIRED = ("key", "en", "zh", "definition_en", "definition_zh", "lesson")


def raw_rows() -> list[dict[str, str]]:
    text = (resources.files("raftlib") / "data" / "glossary.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_is_package_data_with_the_documented_header():
    path = resources.files("raftlib") / "data" / "glossary.csv"
    assert path.is_file()
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "key,en,zh,zh_synonyms,en_synonyms,definition_en,definition_zh,lesson"


@pytest.mark.parametrize("en,zh", SEED, ids=[en for en, _ in SEED])
def test_every_seed_term_is_present_with_its_seed_chinese(en, zh):
    term = glossary.get(en)
    assert term.en == en
    assert zh in term.all_zh, f"{en}: seed Chinese {zh} is neither zh nor a synonym"


def test_seed_renderings_that_are_not_the_usual_term_come_second():
    assert glossary.get("piggybacks").zh == "捎带"
    assert glossary.get("randomness breaks symmetry").zh == "随机性打破对称性"
    assert glossary.get("suppress").zh == "抑制"


def test_size_keys_and_required_fields():
    rows = raw_rows()
    assert len(rows) >= 60
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate keys"
    assert len(glossary.load()) == len(rows)
    for r in rows:
        for column in REQUIRED:
            assert r[column].strip(), f"{r['key']}: empty {column}"
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", r["key"]), r["key"]
        assert int(r["lesson"]) in glossary.LESSONS, r["key"]
        for column, value in r.items():
            assert "\n" not in value and value == value.strip(), f"{r['key']}: {column}"


def test_required_raft_vocabulary_is_there():
    for key in ("term", "leader", "follower", "candidate", "log_entry", "commit", "heartbeat",
                "election_timeout", "split_vote", "state_machine_replication", "quorum",
                "split_brain", "request_vote", "append_entries", "log_matching", "next_index",
                "match_index", "commit_index", "current_term", "voted_for", "linearizability",
                "snapshot", "membership_change", "fast_log_backup", "figure_8_problem"):
        assert key in glossary.load(), key
    assert glossary.label("split_vote", "zh") == "选票瓜分"
    assert glossary.label("leader", "zh") == "领导者"
    assert glossary.label("term", "zh") == "任期"


def test_primary_terms_are_unambiguous():
    """No key, English or Chinese term or synonym names two different entries."""
    owner: dict[str, str] = {}
    for term in glossary.load().values():
        for spelling in (term.key, *term.all_en, *term.all_zh):
            norm = glossary._normalize(spelling)
            assert owner.setdefault(norm, term.key) == term.key, \
                f"{spelling!r} names both {owner[norm]} and {term.key}"


def test_languages_and_punctuation():
    for t in glossary.load().values():
        assert CJK.search(t.zh) or t.is_code, t.key
        assert all(CJK.search(s) for s in t.zh_synonyms), t.key
        assert CJK.search(t.definition_zh), t.key
        assert not CJK.search(t.en + t.definition_en + "".join(t.en_synonyms)), t.key
        # Chinese sentences use full-width punctuation and end with a full stop.
        assert t.definition_zh.endswith("。"), t.key
        assert not re.search(r"[\u4e00-\u9fff][,;:!?.]|[,;:!?][\u4e00-\u9fff]", t.definition_zh), t.key
        assert not re.search(r"[，。；：]", t.definition_en), t.key


def test_bilingual_and_label():
    text = glossary.bilingual("majority")
    assert "majority" in text and "多数" in text
    assert text == "majority (多数)"
    assert glossary.bilingual("majority", "zh") == "多数（majority）"
    assert glossary.label("network_partition", "en") == "network partition"
    assert glossary.label("network_partition", "zh") == "网络分区"
    with pytest.raises(ValueError):
        glossary.label("majority", "fr")


def test_get_by_key_english_chinese_or_synonym():
    expected = glossary.load()["piggyback"]
    for spelling in ("piggyback", "piggybacks", "Piggybacking", "捎带", "背驮"):
        assert glossary.get(spelling) is expected
    assert glossary.get("网络分区").key == "network_partition"
    assert glossary.get("Network Partition").key == "network_partition"
    assert glossary.get("nextIndex").key == "next_index"


def test_unknown_term_raises_a_helpful_key_error():
    with pytest.raises(KeyError) as info:
        glossary.get("majorty")
    assert isinstance(info.value, UnknownTermError)
    message = str(info.value)
    assert "majorty" in message and "majority" in message
    with pytest.raises(UnknownTermError, match="search"):
        glossary.get("qwertyuiop")
    with pytest.raises(KeyError):
        glossary.matches("no_such_term", "x")


def test_matches_accepts_synonyms_and_rejects_wrong_answers():
    assert glossary.matches("piggyback", "捎带", "zh")
    assert glossary.matches("piggyback", "背驮", "en->zh")
    assert glossary.matches("piggyback", " Piggybacking ", "en")
    assert glossary.matches("leader", "主节点", "zh")
    assert glossary.matches("network_partition", "  Network   Partition ", "en")
    assert glossary.matches("quorum", "法定人数", "any")
    assert glossary.matches("next_index", "nextIndex", "en")
    assert not glossary.matches("leader", "跟随者", "zh")
    assert not glossary.matches("follower", "leader", "en")
    assert not glossary.matches("majority", "多数", "en")  # right term, wrong language
    assert not glossary.matches("majority", "", "any")
    assert not glossary.matches("majority", "minority", "any")
    with pytest.raises(ValueError):
        glossary.matches("majority", "多数", "sideways")


def test_search_is_case_insensitive_over_names_and_definitions():
    assert glossary.get("split_brain") in glossary.search("脑裂")
    assert glossary.search("QUORUM")[0].key == "quorum"
    found = glossary.search("SPLIT BRAIN")
    assert found[0].key == "split_brain"
    assert glossary.get("failover") in found  # "split brain" is only in its definition
    assert glossary.search("no such words anywhere") == []


def test_by_lesson_covers_the_seed_lessons():
    assert {t.key for t in glossary.by_lesson(2)} >= {"network_partition", "split_brain"}
    assert glossary.get("majority").lesson == 3
    assert glossary.get("randomness breaks symmetry").lesson == 6
    assert glossary.get("piggybacks").lesson == 7


def test_load_is_cached_but_returns_a_copy():
    first = glossary.load()
    first.pop("majority")
    assert "majority" in glossary.load()
    assert glossary.load()["leader"] is first["leader"]


def test_terms_are_frozen():
    with pytest.raises(Exception):
        glossary.get("leader").zh = "老板"  # type: ignore[misc]


def test_importing_the_glossary_does_not_import_pandas():
    code = ("import sys, raftlib; before = 'pandas' in sys.modules; "
            "import raftlib.glossary as g; g.load(); g.search('x'); "
            "assert before or 'pandas' not in sys.modules")
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_as_dataframe():
    pytest.importorskip("pandas")
    frame = glossary.as_dataframe()
    assert list(frame.columns) == list(glossary.COLUMNS)
    assert len(frame) == len(glossary.load())
    assert set(glossary.as_dataframe(lesson=6)["lesson"]) == {6}


def test_figure2_field_names_stay_code_in_chinese():
    """Issue 13: `next_index` is not translated into 下一索引 and the like; it is code in both editions."""
    for key in ("next_index", "match_index", "last_applied", "prev_log_index", "prev_log_term"):
        term = glossary.get(key)
        assert term.is_code and term.zh_synonyms == (), key
        assert glossary.bilingual(key) == glossary.bilingual(key, "zh") == f"`{key}`"
        assert CJK.search(term.definition_zh), key
    assert not glossary.get("majority").is_code
