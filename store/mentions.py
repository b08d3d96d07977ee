"""Councils named in running text: a letter, a subject line, a file name.

Only whole names count (no typos), and only where they read as a council: everyday words
("Reading the guidance"), other places ("New York", "Newcastle-under-Lyme") and NHS bodies
("Leeds Teaching Hospitals NHS Trust") are set aside or ranked low.
"""

from __future__ import annotations

from store.name_index import AuthorityMatch, council_spans, name_index
from store.name_words import Words, cut_words

# Council names that are also everyday words or surnames: in running text they count only
# when written with a capital and not as the first word of a sentence about something else.
_COMMON_WORDS = frozenset(
    "reading bury bath harrow brent sutton poole kent york derby hull dudley halton bolton "
    "durham richmond kingston windsor stoke merton slough trafford devon cornwall bedford "
    "barking telford wakefield christchurch greenwich hove newcastle".split()
)
# Places that share a council's first word but are elsewhere (a district, a town).
_NOT_AFTER = {"york": "new", "hampshire": "new", "durham": "north", "manchester": "greater"}
_NOT_BEFORE = {"newcastle": "under", "stoke": "mandeville", "kingston": "bagpuize"}
_COUNCIL_AFTER = (
    ("council",), ("city", "council"), ("county", "council"), ("borough", "council"),
    ("metropolitan",), ("district", "council"), ("mbc",), ("mdc",),
)
_NHS_WORDS = frozenset(
    "nhs ccg ccgs hospital hospitals trust trusts foundation clinical commissioning teaching "
    "university stp ics icb gp gps healthcare pcn".split()
)

_NAME_BREAKS = frozenset("and with to of in for the at by from".split())


def _plausible(cut: Words, start: int, end: int, shouting: bool) -> bool:
    """False for an everyday word or another place that only looks like a council's name."""
    first, word = cut.folded[start], cut.owner[start]
    if word > 0 and cut.written[word - 1].lower() == _NOT_AFTER.get(first):
        return False
    if cut.folded[end:end + 1] == (_NOT_BEFORE.get(first),):
        return False
    if end - start != 1 or first not in _COMMON_WORDS or shouting:
        return True
    if not cut.written[word][:1].isupper():
        return False
    # "Reading the guidance, ..." opens a sentence; "Reading care home return" is a subject.
    following = cut.written[word + 1] if word + 1 < len(cut.written) else ""
    prose = cut.lines > 1
    return not (prose and cut.opens_sentence(word) and following[:1].islower())


def _nhs_body(cut: Words, start: int, end: int) -> bool:
    """True for "Leeds Teaching Hospitals NHS Trust", "NHS Leeds CCG" and the like."""
    if cut.folded[start - 1:start] == ("nhs",):
        return True
    for word in cut.folded[end:end + 3]:
        if word in _NHS_WORDS:
            return True
        if word in _NAME_BREAKS:
            return False
    return False


def _mention_score(cut: Words, start: int, end: int) -> float:
    after = cut.folded[end:end + 3]
    council = bool(
        {"council", "borough", "corporation"} & set(cut.folded[start:end])
        or any(after[:len(p)] == p for p in _COUNCIL_AFTER)
        or cut.folded[max(0, start - 2):start] == ("behalf", "of")
    )
    if not council and _nhs_body(cut, start, end):
        return 40.0
    score = 90.0 if council else 70.0
    # The letterhead and the signature say who is writing; the body names neighbours.
    line = cut.line_of(cut.owner[start])
    if line == cut.line_of(0):
        score += 8
    elif line < 5 or line >= cut.lines - 8:
        score += 5
    return score


def _written(cut: Words, start: int, end: int) -> str:
    return " ".join(cut.written[cut.owner[start]:cut.owner[end - 1] + 1])


def find_authorities_in_text(text: str) -> list[AuthorityMatch]:
    """Every council named in a longer text (letter, subject, file name), best first.

    Only whole names count (no typos). A name with "Council" beside it, or near the top or
    the signature, ranks higher; one beside "NHS", "CCG", "Trust" ... ranks low, since letters
    name local NHS bodies and neighbours too.
    """
    index = name_index()
    cut = cut_words(text)
    shouting = not any(ch.isupper() for ch in text) or text.isupper()
    scores: dict[str, list[float]] = {}
    shown: dict[str, str] = {}
    for start, end, form in council_spans(cut):
        if len(form.codes) != 1 or not _plausible(cut, start, end, shouting):
            continue
        (code,) = form.codes
        scores.setdefault(code, []).append(_mention_score(cut, start, end))
        shown.setdefault(code, _written(cut, start, end))
    found = [
        AuthorityMatch(index.by_code[c], min(100.0, max(s) + 2 * min(len(s) - 1, 3)), shown[c])
        for c, s in scores.items()
    ]
    return sorted(found, key=lambda m: -m.score)      # stable: first mentioned wins a tie
