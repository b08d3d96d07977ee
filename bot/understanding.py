"""From a question as typed to what it asks: intent, place, topic, or the choice to offer.

The intent comes from the whole question (`bot.intents`), the place only from words that
really name one (`bot.places`); "our", "we", "my area" mean the asker's own area. Where two
readings are close ("Leicester or Leicestershire?", "status or missing?") the answer is a
choice, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.intents import COMMANDS, CUE_WORDS, command_word, cue_words, find_intent
from bot.places import Places, find_places, suggestions
from bot.question import Question
from bot.scope import NATIONAL, Scope, Unmatched
from bot.themes import theme_actions
from bot.vocabulary import everyday_spelling, filler
from store.collection import Collection
from store.name_words import cut_words

HOME = re.compile(r"\b(our|ours|we|us|my (area|region|patch|las|councils|lot|team|places))\b")
EVERYWHERE = re.compile(r"\b(national|nationally|england|country|countrywide|everywhere"
                        r"|all regions|every region|across the board)\b")
GSS_CODE = re.compile(r"^e\d{8}$")
# Words a search question is made of, beside what is searched for.
SEARCH_WORDS = frozenset("""say said says saying write wrote written writing talk talking talked
mention mentions mentioned mentioning raise raised search find anyone anybody councils
council las letter letters file files""".split())
# Intents whose topic is a theme (concerns) or free words (search, plan).
TOPICAL = frozenset({"concerns", "support", "search"})
BARE_WORDS = 2  # a question this short with no intent word is a bare name ("darlo")
BARE = 1        # at most this many other words beside a place: a bare place is a status question


def expand(text: str) -> str:
    """Contractions spelled out, so cues see "not" and "is" ("hasn't", "who's")."""
    text = re.sub(r"n['’]t\b", " not", text)
    text = re.sub(r"\b(has|have|had|is|are|was|were|do|does|did|could|should|would)nt\b",
                  r"\1 not", text)
    text = re.sub(r"['’](re|ve|ll|d|m)\b", "", text)
    return re.sub(r"['’]s\b", " is", text)


def understand(text: str, collection: Collection) -> Question:
    """The question in `text` (Slack markup removed, case kept)."""
    lower = expand(text.lower())
    words = re.findall(r"[a-z0-9.&]+", lower)
    command = command_word(words[0]) if words else None
    body = (text.split(None, 1)[1:] or [""])[0] if command else text
    if command == "plan":
        return _plan(body, collection)
    bare = command is None and len(words) <= BARE_WORDS and find_intent(lower).name is None
    places = find_places(expand(body), _spoken_for(lower, collection), short=command is not None)
    if command is None and not bare:
        lower = _respelt(lower, places)
    lower = " ".join(_command_spelling(word) for word in lower.split())
    intent = find_intent(lower)
    unplaced = [word.lower() for i, word in enumerate(cut_words(expand(body)).written)
                if i not in places.used]
    name = command or intent.name or _bare(places, unplaced)
    if name == "search":
        places.unknown = []
    topic = _topic(name, unplaced, collection)
    scope = _scope(places, lower)
    if intent.close and command is None:
        return _choose_intent(intent.close, scope, topic)
    if isinstance(scope, tuple):
        return _choose_place(name, scope, topic)
    # A search's words also go in `target`, where the search command reads them.
    target = " ".join(topic) if name == "search" else ""
    return Question(name, _words(name, scope, words), scope=scope, topic=topic, target=target)


def _spoken_for(lower: str, collection: Collection) -> Callable[[str], bool]:
    """Words the question's intent or theme uses: never read as (misspelt) names."""
    matched = cue_words(lower)

    def spoken_for(word: str) -> bool:
        return (word in CUE_WORDS or word in matched or command_word(word) is not None
                or bool(theme_actions([word], collection)[0]))

    return spoken_for


def _respelt(lower: str, places: Places) -> str:
    """Unknown words one slip from an everyday word ("waitng") are that word, not names."""
    fixed = {word.lower(): everyday_spelling(word.lower()) for word in places.unknown}
    places.unknown = [word for word in places.unknown if not fixed[word.lower()]]
    for word, spelt in fixed.items():
        if spelt:
            lower = re.sub(rf"\b{re.escape(word)}\b", spelt, lower)
    return lower


def _command_spelling(word: str) -> str:
    """A command word written with a slip ("mising") as the command's own word."""
    command = command_word(word)
    if word in COMMANDS or command is None:
        return word
    return next(written for written, meant in COMMANDS.items() if meant == command)


def _bare(places: Places, unplaced: list[str]) -> str:
    """A place with at most a word beside it and no intent ("Leeds", "Kent?") asks for its
    status; anything else was not understood."""
    named = places.found or places.choices or places.unknown
    others = [word for word in unplaced if not filler(word) and word not in CUE_WORDS]
    return "status" if named and len(others) <= BARE else "unknown"


def _scope(places: Places, lower: str) -> Scope | Unmatched | tuple[Scope, ...] | None:
    """One place, the places to choose from, an unknown name, or None (the asker's area)."""
    found = list({scope.name: scope for scope in places.found}.values())
    las = [s for s in found if s.kind == "la"]
    if len(las) == 1 and all(las[0].la_codes <= s.la_codes for s in found if s.kind != "la"):
        found = las
    if places.choices:
        options = [*found, *(s for choice in places.choices for s in choice)]
        return tuple({s.name: s for s in options}.values())
    if len(found) > 1:
        return tuple(found)
    if found:
        return found[0]
    if places.unknown:
        name = " ".join(places.unknown)
        return Unmatched(name, suggestions(name))
    if EVERYWHERE.search(lower):
        return NATIONAL
    return None


def _topic(intent: str, unplaced: list[str], collection: Collection) -> tuple[str, ...]:
    words = [w.lower() for w in unplaced]
    if intent == "search":
        return tuple(w for w in words
                     if not filler(w) and w not in SEARCH_WORDS and w not in CUE_WORDS)
    if intent in TOPICAL:
        return tuple(theme_actions([w for w in words if not filler(w)], collection)[1])
    return ()


def _words(intent: str, scope: Scope | Unmatched | None, words: list[str]) -> tuple[str, ...]:
    """The place as named, for commands that read it back; a chase keeps its LA codes."""
    if intent == "chase" and any(GSS_CODE.match(w) for w in words):
        return tuple(w for w in words[1:])
    named: tuple[str, ...] = ()
    if isinstance(scope, Scope):
        named = ("england",) if scope.kind == "national" else tuple(scope.name.split())
    elif isinstance(scope, Unmatched):
        named = tuple(scope.text.split())
    return named + (("confirm",) if intent == "chase" and "confirm" in words else ())


def command_for(intent: str, scope: Scope | None, topic: tuple[str, ...] = ()) -> str:
    """The short form that asks `intent` about `scope` again, unambiguously."""
    where = "" if scope is None else ("national" if scope.kind == "national" else scope.name)
    return " ".join(part for part in (intent, *topic, where) if part)


def _choose_place(intent: str, options: tuple[Scope, ...], topic: tuple[str, ...]) -> Question:
    intent = "status" if intent == "unknown" else intent
    return Question("choose", topic=topic, choices=tuple(
        (option.name, command_for(intent, option, topic)) for option in options))


def _choose_intent(intents: tuple[str, ...], scope: Scope | Unmatched | tuple | None,
                   topic: tuple[str, ...]) -> Question:
    if isinstance(scope, Unmatched):
        return Question(intents[0], scope=scope)
    where = scope[0] if isinstance(scope, tuple) else scope
    return Question("choose", topic=topic, choices=tuple(
        (intent, command_for(intent, where, topic)) for intent in intents))


def _plan(body: str, collection: Collection) -> Question:
    """`plan Kent: weekly call with the CCG on testing`: the place (or theme) before the colon,
    its words kept as written for the plan command to read."""
    place, _, action = body.partition(":")
    if not action:
        place, action = "", body
    places = find_places(place, lambda word: bool(theme_actions([word], collection)[0]),
                         short=True)
    scope = _scope(places, place.lower()) if place.strip() else None
    if isinstance(scope, tuple):
        scope = Unmatched(place.strip(), tuple(s.name for s in scope))
    return Question("plan", tuple(re.findall(r"[a-z0-9&.]+", place.lower())), scope=scope,
                    target=action.strip())
