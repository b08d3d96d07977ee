"""The places a question names: regions and LAs found in its words, never in leftover words.

Whole names come first (council names longest first, then regions outside them, so "City of
London" is the LA and "North East Lincolnshire" is not the North East). Only words that are
not everyday English and not spoken for by the question's intent are then tried as typos
("middlesbro", "Leicestr"); one that names nothing is reported as an unknown name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.scope import CLEAR_LEAD, CLEAR_SCORE, Scope, authority_scope
from bot.vocabulary import VERY_COMMON, everyday, filler, frequency
from store.name_index import council_spans, name_index
from store.name_words import Words, cut_words
from store.names import authority_candidates, match_authority
from store.regions import RegionMatch, match_region, region_spans

# A typo close to two LAs ("Leicestr": Leicester or Leicestershire?) is asked about when
# both are at least this close.
CLOSE_SCORE = 80.0
LONGEST_TYPO = 3            # words tried together as one misspelt name


@dataclass
class Places:
    """What the question's words name."""

    found: list[Scope] = field(default_factory=list)         # in the order written
    choices: list[tuple[Scope, ...]] = field(default_factory=list)   # one name, several places
    unknown: list[str] = field(default_factory=list)         # names that name nothing
    used: set[int] = field(default_factory=set)              # indexes of written words used


def region_of(match: RegionMatch) -> Scope:
    return Scope("region", match.name, frozenset(la.code for la in match.authorities))


def find_places(text: str, spoken_for: Callable[[str], bool], *, short: bool) -> Places:
    """The places named in `text`. `spoken_for(word)` is True for words the intent uses;
    `short` is a command's argument or a bare name ("status reading", "Wales"), where every
    word that is not filler is meant as a name."""
    cut = cut_words(text)
    places = Places()
    taken: set[int] = set()
    _councils(cut, places, taken, short)
    for start, end, match in region_spans(cut):
        if not taken & set(range(start, end)):
            _take(cut, places, taken, start, end)
            places.found.append(region_of(match))
    _typos(cut, places, taken, lambda word: spoken_for(word) or (filler if short else everyday)(word))
    return places


def _councils(cut: Words, places: Places, taken: set[int], short: bool) -> None:
    index = name_index()
    for start, end, form in council_spans(cut):
        if not short and end - start == 1 and _word_not_name(cut, start):
            continue
        _take(cut, places, taken, start, end)
        scopes = tuple(sorted((authority_scope(code, index.by_code[code].name)
                               for code in form.codes), key=lambda s: s.name))
        if len(scopes) == 1:
            places.found.append(scopes[0])
        else:
            places.choices.append(scopes)


def _word_not_name(cut: Words, i: int) -> bool:
    """"reading", "bath", "bury" written in lower case in a sentence are words, not places."""
    written = cut.written[cut.owner[i]]
    return frequency(cut.folded[i]) >= VERY_COMMON and not written[:1].isupper()


def _take(cut: Words, places: Places, taken: set[int], start: int, end: int) -> None:
    taken.update(range(start, end))
    places.used.update(cut.owner[j] for j in range(start, end))


def _typos(cut: Words, places: Places, taken: set[int], not_name: Callable[[str], bool]) -> None:
    """Runs of words not taken and not `not_name`, tried as misspelt names."""
    run: list[int] = []
    for i, word in enumerate(cut.folded):
        if i not in taken and len(word) >= 3 and not not_name(word):
            run.append(i)
            continue
        _misspelt(cut, places, taken, run)
        run = []
    _misspelt(cut, places, taken, run)


def _misspelt(cut: Words, places: Places, taken: set[int], run: list[int]) -> None:
    i = 0
    while i < len(run):
        for size in range(min(LONGEST_TYPO, len(run) - i), 0, -1):
            span = run[i:i + size]
            found = _one_name(" ".join(cut.folded[j] for j in span))
            if found is not None:
                _take(cut, places, taken, span[0], span[-1] + 1)
                if isinstance(found, Scope):
                    places.found.append(found)
                else:
                    places.choices.append(found)
                i += size
                break
        else:
            places.unknown.append(cut.written[cut.owner[run[i]]])
            i += 1


def _one_name(words: str) -> Scope | tuple[Scope, ...] | None:
    """The place a misspelt name means; several when it is as close to each; else None."""
    region = match_region(words)
    if region is not None:
        return region_of(region)
    authority = match_authority(words)
    if authority is not None:
        return authority_scope(authority.authority.code, authority.authority.name)
    candidates = [c for c in authority_candidates(words, 3) if c.score >= CLOSE_SCORE]
    close = [c for c in candidates if candidates[0].score - c.score < CLEAR_LEAD]
    if len(close) >= 2:
        return tuple(authority_scope(c.authority.code, c.authority.name) for c in close)
    if candidates and candidates[0].score >= CLEAR_SCORE:
        return authority_scope(candidates[0].authority.code, candidates[0].authority.name)
    return None


def suggestions(name: str) -> tuple[str, ...]:
    """The LAs nearest an unknown name, for "did you mean ...?"."""
    return tuple(c.authority.name for c in authority_candidates(name, 3) if c.score >= 60)
