"""Predict, then run: a question the learner answers before a run reveals the outcome.

    >>> import raftlib as rl
    >>> q = rl.predict("How many votes does a candidate need in a cluster of 5?",
    ...                ["2", "3", "5"], answer="3",
    ...                explanation="A majority of the whole cluster: 3 of 5, its own vote included.")
    >>> q.choose("2"); q.submit()
    False
    >>> q.revealed, q.correct
    (True, False)

The widget shows the question and the options; the "run" button stays disabled
until an option is chosen. Pressing it locks the choice, calls ``run`` (if given)
and shows what it returns (a table, a figure, a string), then says whether the
prediction was right and only then shows the explanation. Texts are a string or
``{"en": ..., "zh": ...}``; labels follow :func:`raftlib.set_language`.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from .. import i18n
from ..errors import ConfigError

Text = str | Mapping[str, str]


def _text(value: Text, lang: str, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) <= set(i18n.LANGUAGES) and value:
        return value.get(lang) or value.get("en") or next(iter(value.values()))
    raise ConfigError(f"{what} must be a string or a dict with keys 'en' and/or 'zh', "
                      f"got {value!r}")


class Prediction:
    """One prediction question (build it with :func:`predict`); ``widget`` is what Jupyter shows."""

    def __init__(self, question: Text, options: Sequence[Text], answer: Text, explanation: Text,
                 *, run: Callable[[], Any] | None = None, lang: str | None = None) -> None:
        import ipywidgets as w

        self.lang = i18n.normalize(lang)
        self.question = _text(question, self.lang, "question")
        if isinstance(options, (str, Mapping)) or len(options) < 2:
            raise ConfigError(f"options must be a list of at least two answers, got {options!r}")
        self.options = [_text(o, self.lang, "each option") for o in options]
        if len(set(self.options)) != len(self.options):
            raise ConfigError(f"options must differ from each other, got {self.options}")
        self.answer = _text(answer, self.lang, "answer")
        if self.answer not in self.options:
            raise ConfigError(f"answer {self.answer!r} is not one of the options {self.options}")
        self.explanation = _text(explanation, self.lang, "explanation")
        if run is not None and not callable(run):
            raise ConfigError(f"run must be a function of no arguments, got {run!r}")
        self.run = run
        self.choice: str | None = None
        self.result: Any = None
        self.revealed = False
        self._choices = w.RadioButtons(options=self.options, value=None,
                                       layout=w.Layout(width="max-content"))
        self._button = w.Button(description=self._label("run"), disabled=True,
                                button_style="primary", tooltip=self._label("choose"),
                                layout=w.Layout(width="auto"))
        self._output = w.Output()
        self._verdict = w.HTML()
        self._why = w.HTML()
        self._choices.observe(self._on_choice, names="value")
        self._button.on_click(lambda _button: self.submit())
        head = w.HTML(f"<b>{self._label('predict')}.</b> {_escape(self.question)}")
        self.widget = w.VBox([head, self._choices, self._button, self._output, self._verdict,
                              self._why])

    def _label(self, key: str, **fields: str) -> str:
        return i18n.text(f"predict_{key}", self.lang, **fields)

    def _on_choice(self, change: dict) -> None:
        self.choice = change["new"]
        self._button.disabled = self.revealed or self.choice is None

    def choose(self, option: str) -> None:
        """Pick an answer, as clicking it would."""
        if option not in self.options:
            raise ConfigError(f"{option!r} is not one of the options {self.options}")
        self._choices.value = option

    def submit(self) -> bool:
        """Lock the choice, run, reveal; returns whether the prediction was right."""
        if self.choice is None:
            raise ConfigError("choose an answer before running (Prediction.choose)")
        if not self.revealed:
            self.revealed = True
            self._choices.disabled = self._button.disabled = True
            if self.run is not None:
                self.result = self.run()
                if self.result is not None:
                    self._output.append_display_data(self.result)
            key = "right" if self.correct else "wrong"
            self._verdict.value = "<b>" + _escape(self._label(
                key, choice=self.choice, answer=self.answer)) + "</b>"
            self._why.value = f"<b>{self._label('why')}.</b> {_escape(self.explanation)}"
        return self.correct

    @property
    def correct(self) -> bool:
        return self.revealed and self.choice == self.answer

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _escape(text: str) -> str:
    import html

    return html.escape(text).replace("`", "")


def predict(question: Text, options: Sequence[Text], answer: Text, explanation: Text, *,
            run: Callable[[], Any] | None = None, lang: str | None = None) -> Prediction:
    """A prediction question: the learner picks one of ``options`` and presses the button;
    then ``run()`` runs and its result is shown, then the verdict and the ``explanation``."""
    return Prediction(question, options, answer, explanation, run=run, lang=lang)
