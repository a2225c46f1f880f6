"""Exercise 07: English <-> Chinese terms, checked with the glossary's ``matches``
(which accepts the synonyms the glossary lists; case, spaces and full-width
forms do not matter)."""

from __future__ import annotations

from typing import Any

from .. import glossary
from .common import CheckFailed
from .messages import say

#: The questions: (answer direction, the terms asked, by glossary key).
QUESTIONS = {
    "seed_1": ("zh", ("network_partition", "majority", "quorum", "tolerate", "symmetry",
                      "cast_one_vote")),
    "seed_2": ("zh", ("piggyback", "superseded", "precedence", "randomness_breaks_symmetry",
                      "in_return_for_clarity", "insurmountable")),
    "raft_1": ("en", ("term", "leader", "follower", "candidate", "heartbeat", "election_timeout")),
    "raft_2": ("en", ("log_entry", "commit", "split_vote", "state_machine_replication",
                      "split_brain", "election_restriction")),
}


def prompts(question: str) -> list[str]:
    """What the learner sees for each term of ``question``: the English term when the answer
    is Chinese, the Chinese term when the answer is English."""
    direction, keys = QUESTIONS[question]
    return [glossary.get(k).en if direction == "zh" else glossary.get(k).zh for k in keys]


def translations(answers: Any, question: str, full: bool = False) -> None:
    """Check the dict ``{prompt: answer}`` for ``question`` (visible: its first two terms)."""
    if question not in QUESTIONS:
        raise CheckFailed(f"unknown question {question!r}; the questions are {list(QUESTIONS)}")
    direction, keys = QUESTIONS[question]
    if type(answers) is not dict:
        raise CheckFailed(say("terms_not_a_dict", kind=type(answers).__name__))
    asked = list(zip(prompts(question), keys))
    missing = [p for p, _ in asked if p not in answers]
    if missing:
        raise CheckFailed(say("terms_missing", missing=missing))
    wrong = []
    for prompt, key in asked if full else asked[:2]:
        answer = answers[prompt]
        if type(answer) is not str or not answer.strip():
            wrong.append(say(f"terms_none_{direction}", prompt=prompt))
        elif not glossary.matches(key, answer, direction):
            wrong.append(say(f"terms_wrong_{direction}", prompt=prompt, answer=answer))
    if wrong:
        raise CheckFailed(say("terms_not_accepted", wrong="\n  ".join(wrong)))


__all__ = ["QUESTIONS", "prompts", "translations"]
