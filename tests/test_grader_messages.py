"""The grader's messages come from one table in both languages and follow the learner's.

(That the grading kernel and the re-check of a real Chinese assignment speak Chinese is
checked by ``tests/test_grading.py::test_autograde_both_ways``.)
"""

from __future__ import annotations

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
