"""The understanding layer against staff's own questions (bench/questions.txt) and against
generated variation: every council and region named in sentences, misspelt, or not at all."""

from __future__ import annotations

import random

import pytest

from bench.understanding import load_cases, score
from bot.parsing import parse
from bot.places import find_places
from bot.scope import NATIONAL, Scope, Unmatched
from bot.vocabulary import _frequencies
from store.register import REGIONS, load_register

SENTENCES = (
    "how is {} doing?", "who's still missing in {}", "any worries in {}?",
    "has {} sent their return yet", "what did {} say about testing",
)
PLAIN = (
    "how many {} have come in so far", "where are we with the {} returns",
    "who is still {} in the returns", "any {} concerns today?",
)


def test_staff_questions_are_understood_and_no_wrong_place_gets_data(collection):
    figures = score(collection)
    assert figures["questions"] == len(load_cases()) >= 200
    assert figures["share_right"] >= 0.95, "\n".join(figures["misses"])
    assert figures["wrong_place_with_data"] == 0


@pytest.mark.parametrize("template", SENTENCES)
def test_every_council_named_in_a_sentence_is_that_council(collection, template):
    wrong = []
    for la in load_register():
        question = parse(template.format(la.name), collection)
        if not (isinstance(question.scope, Scope) and question.scope.la_codes == {la.code}):
            wrong.append(f"{la.name}: {question.intent} {question.scope}")
    assert not wrong


@pytest.mark.parametrize("template", SENTENCES)
def test_every_region_named_in_a_sentence_is_that_region(collection, template):
    for region in REGIONS:
        question = parse(template.format(region.lower()), collection)
        assert isinstance(question.scope, Scope) and question.scope.name == region, region


def test_a_misspelt_council_is_that_council_a_choice_or_unknown_never_another(collection):
    pick = random.Random(11)
    wrong = []
    for la in load_register():
        name = la.name.split(",")[0]
        cut = pick.randrange(1, len(name) - 1)
        typo = name[:cut] + name[cut + 1:]             # one letter dropped
        question = parse(f"status {typo}", collection)
        offered = {command for _label, command in question.choices}
        if isinstance(question.scope, Scope) and question.scope.la_codes != {la.code}:
            wrong.append(f"{typo} -> {question.scope.name}")
        elif question.intent == "choose" and f"status {la.name}" not in offered:
            wrong.append(f"{typo} -> {offered}")
    assert len(wrong) <= 2, wrong


def test_everyday_words_in_plain_questions_never_become_places(collection):
    """Common English words around the question never name a place, nor an unknown one."""
    ranked = sorted(_frequencies().dictionary.items(), key=lambda item: -item[1])
    common = [word for word, _count in ranked[150:4000] if word.isalpha() and len(word) > 2]
    sample = random.Random(7).sample(common, 300)
    wrong = []
    for word in sample:
        if find_places(word, lambda w: False, short=True).found:
            continue                                    # a place's own name ("east", "kent")
        for template in PLAIN:
            question = parse(template.format(word), collection)
            if question.scope not in (None, NATIONAL) or isinstance(question.scope, Unmatched):
                wrong.append(f"{template.format(word)} -> {question.scope}")
    assert not wrong


@pytest.mark.parametrize(("text", "role_home", "intent", "place"), [
    ("how many of ours are in", "our", "status", None),
    ("who hasn't sent theirs in my area", "our", "missing", None),
    ("status City of London", "", "status", "City of London"),
    ("concerns in london", "", "concerns", "London"),
    ("status narnia", "", "status", "narnia"),
    ("status E08000035", "", "status", "Leeds"),
    ("help requests on PPE in london", "", "support", "London"),
])
def test_our_means_the_askers_area_and_names_are_read_exactly(collection, text, role_home,
                                                              intent, place):
    question = parse(text, collection)
    assert question.intent == intent
    if place is None:
        assert question.scope is None
    elif isinstance(question.scope, Unmatched):
        assert question.scope.text == place
    else:
        assert question.scope.name == place


def test_two_close_intents_are_offered_not_guessed(collection):
    question = parse("any problems with late returns in london", collection)
    assert question.intent == "choose"
    assert question.choices == (("missing", "missing London"), ("concerns", "concerns London"))
