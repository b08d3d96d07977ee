"""How well the bot understands staff's questions: bench/questions.txt scored against the
understanding layer, as the share read right and the count of wrong places given data.

A reading is right when its intent and place are those written beside the question; where two
readings are written as close ("status/missing", "Leicester/Leicestershire"), either one, or
asking which, is right. A wrong place answered with data is counted apart: it must never happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.parsing import parse
from bot.question import Question
from bot.roles import Viewer, viewer_from_role
from bot.scope import Scope, Unmatched
from store.collection import Collection

QUESTIONS = Path(__file__).resolve().parent / "questions.txt"
NO_DATA = frozenset({"choose", "unknown", "help", "quarantine", "release", "dismiss"})


@dataclass(frozen=True)
class Case:
    role: str
    text: str
    intents: tuple[str, ...]
    places: tuple[str, ...]     # ('-',) none; ('?narnia',) no such place

    @property
    def close(self) -> bool:
        return len(self.intents) > 1 or len(self.places) > 1


@dataclass(frozen=True)
class Outcome:
    case: Case
    question: Question
    right: bool
    wrong_place: bool


def load_cases(path: Path = QUESTIONS) -> list[Case]:
    """The question set: `role | question | intent | place` lines, '#' comments."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        role, text, intent, place = (part.strip() for part in line.split(" | "))
        cases.append(Case(role, text, tuple(intent.split("/")), tuple(place.split("/"))))
    return cases


def judge(case: Case, collection: Collection) -> Outcome:
    """Understand one question as its asker would be understood, and judge the reading."""
    viewer = viewer_from_role("bench", case.role)
    question = parse(case.text, collection)
    if question.intent == "choose":
        labels = {label for label, _command in question.choices}
        asked = {command.split()[0] for _label, command in question.choices}
        right = case.close and (labels <= set(case.intents) or (
            labels <= set(case.places) and asked <= set(case.intents)))
        return Outcome(case, question, bool(right), False)
    place = _place(question, viewer)
    right_place = case.places == ("-",) or place in case.places
    wrong = (question.intent not in NO_DATA and case.places != ("-",)
             and not place.startswith("?") and place not in case.places)
    return Outcome(case, question, question.intent in case.intents and right_place, wrong)


def _place(question: Question, viewer: Viewer) -> str:
    scope = question.scope if question.scope is not None else viewer.home
    if isinstance(scope, Unmatched):
        return f"?{scope.text.lower()}"
    assert isinstance(scope, Scope)
    return scope.name


def score(collection: Collection, path: Path = QUESTIONS) -> dict:
    """The figures: questions, right, share right, wrong places given data, and the misses."""
    outcomes = [judge(case, collection) for case in load_cases(path)]
    right = sum(outcome.right for outcome in outcomes)
    return {
        "questions": len(outcomes), "right": right,
        "share_right": round(right / len(outcomes), 4),
        "wrong_place_with_data": sum(outcome.wrong_place for outcome in outcomes),
        "misses": [f"{o.case.role}: {o.case.text} -> {_shown(o.question)}"
                   for o in outcomes if not o.right],
    }


def _shown(question: Question) -> str:
    if question.intent == "choose":
        return "choose " + " | ".join(command for _label, command in question.choices)
    scope = question.scope
    where = scope.name if isinstance(scope, Scope) else (
        f"?{scope.text}" if isinstance(scope, Unmatched) else "(own area)")
    return f"{question.intent} {where} {' '.join(question.topic)}".strip()
