"""Themes people ask about ("testing", "PPE", "workforce") mapped to the collection's actions.

The vocabulary comes from the collection's focus-area names and action labels, so another
collection brings its own themes; a few everyday synonyms are added on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from store.collection import Collection

SYNONYMS = {
    "ipc": "infection", "staffing": "workforce", "staff": "workforce", "workers": "workforce",
    "masks": "ppe", "gloves": "ppe", "gowns": "ppe", "tests": "testing", "tested": "testing",
    "swabs": "testing", "gp": "clinical", "gps": "clinical", "doctors": "clinical",
    "nursing": "clinical", "isolating": "isolation", "cohort": "cohorting",
}
# Words in labels that say nothing about a theme.
GENERIC = frozenset("""
access additional all and any appropriate between care for from further home homes
including into locally measures named offer place reduce support the their use where with
""".split())
WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A crude stem, enough to make 'tests', 'testing' and 'test' meet."""
    for suffix in ("ing", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def theme_actions(words: Iterable[str], collection: Collection) -> tuple[frozenset[str], list[str]]:
    """Actions named by any of `words`, and which words named them.

    A word in a focus area's name means all that area's actions; otherwise the actions whose
    label holds it. Action codes ('2.1') are taken as themselves.
    """
    actions: set[str] = set()
    used = []
    for word in words:
        found = _actions_for(word.lower(), collection)
        if found:
            actions |= found
            used.append(word)
    return frozenset(actions), used


def _actions_for(word: str, collection: Collection) -> set[str]:
    if word in collection.action_codes:
        return {word}
    if word in collection.focus_areas:
        return {a.code for a in collection.actions if a.focus == word}
    key = stem(SYNONYMS.get(word, word))
    if len(key) < 3 or key in GENERIC:
        return set()
    areas = {number for number, name in collection.focus_areas.items() if key in _stems(name)}
    if areas:
        return {a.code for a in collection.actions if a.focus in areas}
    return {a.code for a in collection.actions if key in _stems(a.label)}


def _stems(text: str) -> set[str]:
    return {stem(w) for w in WORD.findall(text.lower()) if w not in GENERIC}


def theme_name(actions: frozenset[str], words: list[str], collection: Collection) -> str:
    """The focus area's name when the theme is exactly one area, else the words as asked."""
    for number, name in collection.focus_areas.items():
        if actions == {a.code for a in collection.actions if a.focus == number}:
            return name
    return " ".join(words)
