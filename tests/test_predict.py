"""The predict-then-run widget, in process: nothing is revealed before the learner commits."""

from __future__ import annotations

import pandas as pd
import pytest

import raftlib as rl
from raftlib.widgets.predict import Prediction


def question(**kwargs):
    calls = []

    def run():
        calls.append(1)
        return pd.DataFrame({"leader": ["S3"]})

    q = rl.predict("Who wins?", ["S1", "S3", "nobody"], answer="S3",
                   explanation="S3's last entry has the latest term.", run=run, **kwargs)
    return q, calls


def test_nothing_runs_or_shows_before_an_answer():
    q, calls = question()
    assert isinstance(q, Prediction)
    assert q._button.disabled and not calls and not q.revealed
    assert q._verdict.value == "" and q._why.value == "" and q._output.outputs == ()
    with pytest.raises(rl.ConfigError, match="choose an answer"):
        q.submit()
    q.choose("S1")
    assert not q._button.disabled and not calls


def test_pressing_the_button_runs_then_reveals_verdict_and_explanation():
    q, calls = question()
    q.choose("S1")
    q._button.click()
    assert calls == [1] and q.revealed and not q.correct
    assert "S1" in q._verdict.value and "S3" in q._verdict.value
    assert "latest term" in q._why.value
    assert q._output.outputs and "text/html" in q._output.outputs[0]["data"]
    assert q._choices.disabled and q._button.disabled
    q.submit()                               # a second press changes nothing
    assert calls == [1]


def test_a_right_prediction_and_chinese_labels():
    q = rl.predict({"en": "Who wins?", "zh": "谁会获胜？"}, ["S1", "S3"], "S3",
                   {"en": "later term", "zh": "任期更新"}, lang="zh")
    assert "谁会获胜" in q.widget.children[0].value and "先预测" in q.widget.children[0].value
    q.choose("S3")
    assert q.submit() is True and "正确" in q._verdict.value and "任期更新" in q._why.value


@pytest.mark.parametrize("kwargs, message", [
    ({"options": ["S1"]}, "at least two"),
    ({"options": ["S1", "S1"]}, "differ"),
    ({"answer": "S9"}, "not one of the options"),
    ({"question": {"fr": "Qui?"}}, "'en' and/or 'zh'"),
    ({"run": 3}, "function of no arguments"),
    ({"lang": "de"}, "language must be"),
])
def test_bad_input_is_a_config_error(kwargs, message):
    args = {"question": "Who?", "options": ["S1", "S3"], "answer": "S3", "explanation": "why"}
    args.update(kwargs)
    with pytest.raises(rl.ConfigError, match=message):
        rl.predict(**args)


def test_choose_rejects_unknown_option():
    q, _ = question()
    with pytest.raises(rl.ConfigError, match="not one of the options"):
        q.choose("S7")
