"""Which words in a question are everyday English, and which could only be a name.

A place is taken only from words that really match one. Words that are everyday English
("far", "minister", "weather") are never read as a misspelt place; a word that is not
English, not ours and names nothing ("Narnia") is one the asker meant as a name, and the
bot says it knows no such place. Frequencies come from pyspellchecker's English word list.
"""

from __future__ import annotations

from functools import cache

from spellchecker import SpellChecker

# Words seen at least this often in the English list are everyday words. The list's floor
# is 50; rare words and most place names ("narnia", "wigan") sit at or near it.
EVERYDAY = 100
# Everyday words that are also one council's whole name ("reading", "bath", "bury"): in a
# sentence written in lower case they are read as words, not places.
VERY_COMMON = 10_000

# Function words, chat shorthand and the words every question about the returns uses.
FILLER = frozenset("""
a about above across after again all also am an and any anybody anyone anything are area
as at be been before being both but by can could councils council did do does doing done
down each either else ever every for from get gets getting give go goes going got had has
have having he her here hers him his how i if in into is it its just let lets like me
mine more most my no nor not now of off on one ones only or other our ours out over own
please pls plz per same she should show so some someone something still such tell than thank
thanks that the their theirs them then there these they this those thx through to too
under until up upon us very was we were what whats when where wheres which while who
whom whos whose why will with would yet you your yours hows hi hey hello ok okay cheers
ta lol tbh atm asap im ive id dont doesnt didnt isnt arent hasnt havent wont cant
la las lea region regions regional area areas patch team local authority authorities
return returns england national nationally country everyone everybody everywhere overall
""".split())
# The returns' own words: everyday here, and worth searching for.
DOMAIN = frozenset("""
nhs ons dhsc lga adass cqc ccg ccgs asc covid coronavirus ppe ipc dass gss chr csv xlsx
template templates care home homes
""".split())


@cache
def _checker() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def _frequencies():
    return _checker().word_frequency


def frequency(word: str) -> int:
    """How often `word` (lower case) is seen in English text, by the spell checker's list."""
    return _frequencies()[word]


def filler(word: str) -> bool:
    """True for a function word, chat shorthand or a word every question about returns uses."""
    return word in FILLER or word.replace(".", "").isdigit()


def everyday(word: str) -> bool:
    """True for a word of everyday English or of the returns' own vocabulary."""
    return filler(word) or word in DOMAIN or frequency(word) >= EVERYDAY


def everyday_spelling(word: str) -> str | None:
    """The everyday word `word` is one slip away from ("waitng": "waiting"), if any."""
    known = [w for w in _checker().candidates(word) or () if frequency(w) >= EVERYDAY]
    return max(known, key=frequency) if known else None
