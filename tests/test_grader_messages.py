"""The grader's messages come from one table in both languages and follow the learner's.

(That the grading kernel and the re-check of a real Chinese assignment speak Chinese is
checked by ``tests/test_grading.py::test_autograde_both_ways``.)
"""

from __future__ import annotations

import io
import re
import string

import pytest

from raftlib import i18n
from raftlib.checks import common, persistence, quorums, terminology
from raftlib.checks.messages import MESSAGES, RULE, Msg, say

CJK = "\u4e00", "\u9fff"


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_fields(key):
    en, zh = MESSAGES[key]
    assert fields(en) == fields(zh), key
    values = {name: 1.5 for name in fields(en)}  # every template formats (specs like :.3g)
    say(key, "en", **values), say(key, "zh", **values)
    assert not any(CJK[0] <= ch <= CJK[1] for ch in en), f"{key}: Chinese in the English text"
    if en.strip():
        assert any(CJK[0] <= ch <= CJK[1] for ch in zh), f"{key}: the Chinese text is not Chinese"


def test_an_unknown_message_fails_at_once():
    with pytest.raises(KeyError, match="not a message"):
        Msg("no_such_message")


def test_a_rule_constant_follows_the_language_of_the_moment(chinese):
    assert f"{RULE}{persistence.FIGURE2}".startswith("规则：图 2")
    i18n.set_language("en")
    assert f"{RULE}{persistence.FIGURE2}".startswith("Rule: Figure 2, Persistent state")


def _not_done(n):
    raise NotImplementedError()


def _loops(n):
    while True:
        pass


@pytest.mark.parametrize("lang,not_done,timeout", [
    ("en", "`majority` is not written yet", "did not return within 0.2 s for (3,): is there"),
    ("zh", "`majority` 还没有写", "没有在 0.2 秒内返回（参数为 (3,)）：是不是有死循环？")])
def test_the_learners_function_is_reported_in_their_language(lang, not_done, timeout):
    i18n.set_language(lang)
    try:
        with pytest.raises(common.NotDoneYet, match=not_done):
            quorums.sizes(_not_done, _not_done)
        guarded = common.guard(_loops, "majority", lambda *a: say("for_args", args=a), 0.2)
        with pytest.raises(common.LearnerTimeout) as caught:
            guarded(3)
        assert timeout in str(caught.value)
    finally:
        i18n.set_language("en")


def _half(n):
    return n // 2


def _rest(n):
    return n - n // 2 - 1


def test_a_wrong_answer_names_the_rule_in_chinese(chinese):
    with pytest.raises(common.CheckFailed, match="多数是 n 台服务器中的一半以上"):
        quorums.sizes(_half, _rest)
    answers = {p: "" for p in terminology.prompts("raft_1")}
    with pytest.raises(common.CheckFailed, match="'任期'：没有给出英文术语"):
        terminology.translations(answers, "raft_1")


def _by_length(self, last_log_term, last_log_index):
    return last_log_index >= self.last_log_index


def test_the_failing_case_of_a_handler_check_is_described_in_chinese(chinese):
    from raftlib.checks import voting

    with pytest.raises(common.CheckFailed) as caught:
        voting.up_to_date(_by_length)
    assert str(caught.value).startswith("你的日志最后一个条目的任期是 2，索引是 3；")
    assert "\n规则：§5.4.1：" in str(caught.value)


def _imports(self):
    import os
    return os


def test_the_lints_reasons_for_refusing_code_are_chinese(chinese):
    from raftlib.checks import lint

    with pytest.raises(common.RefusedCode, match="评分器拒绝这段代码：\n  `_imports` 第 2 行："
                                                 "被评分的函数内部不能 import"):
        lint.check_function(_imports)


def test_the_learners_report_is_in_the_notebooks_language(tmp_path):
    from raftlib import grade

    rows = [{"student": "you", "assignment": a, "question": "test_up_to_date", "score": 0.0,
             "max_score": 2.0, "message": "x"} for a in ("03-voting-zh", "03-voting")]
    folder = tmp_path / "03-voting-zh"
    folder.mkdir()
    (folder / "raft-course.json").write_text('{"language": "zh"}', encoding="utf-8")
    out = io.StringIO()
    grade._report(rows, out, {"03-voting-zh": grade._language(folder / "voting.ipynb")})
    zh, en = out.getvalue().split("\n03-voting (you)")
    assert re.search(r"题目\s+得分\s+满分\n\s+test_up_to_date\s+0\s+2\s+失分\n\s+合计\s+0\s+2", zh)
    assert re.search(r"question\s+points\s+max\n\s+test_up_to_date\s+0\s+2\s+lost", en)
    header, row = zh.splitlines()[2:4]  # the columns line up: a Chinese character is two wide
    score = re.search(r"\s(\d+)\s", row)
    assert grade._columns(header[:header.index("得分") + 2]) == grade._columns(row[:score.end(1)])


def test_every_cluster_scenario_is_named_in_both_languages():
    """A failing cluster run names its scenario (``scenario_<function>``); the English name is
    the scenario's docstring, so the two cannot drift apart."""
    from raftlib.checks import agreement, commit, dedup, voting

    scenarios = [f for m in (agreement, commit, voting) for f in vars(m).values()
                 if callable(f) and getattr(f, "__module__", "") == m.__name__
                 and list(getattr(f, "__annotations__", {}))[:2] == ["cls", "seed"]]
    scenarios += [persistence._crash_runs(True), persistence._crash_runs(False),
                  dedup._retries(object)]
    named = {f"scenario_{f.__name__}": f.__doc__.strip().splitlines()[0] for f in scenarios}
    assert named == {k: MESSAGES[k][0] for k in MESSAGES if k.startswith("scenario_")}
