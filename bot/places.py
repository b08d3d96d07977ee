"""The places a question names: regions and LAs found in its words, never in leftover words.

Whole names come first (council names longest first, then regions outside them, so "City of
London" is the LA and "North East Lincolnshire" is not the North East). Only words that are
not everyday English and not spoken for by the question's intent are then tried as typos
("middlesbro", "Leicestr"); one that names nothing is reported as an unknown name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from bot.scope import CLEAR_LEAD, CLEAR_SCORE, Scope, authority_scope
from bot.vocabulary import VERY_COMMON, everyday, filler, frequency
from store.name_index import council_spans, name_index
from store.name_words import Words, cut_words
from store.names import authority_candidates, match_authority
from store.regions import RegionMatch, match_region, region_spans

# A typo close to two LAs ("Leicestr": Leicester or Leicestershire?) is asked about when
# both are at least this close.
CLOSE_SCORE = 80.0
WIDEST = 4                  # words tried together as one misspelt name


@dataclass
class Places:
    """What the question's words name."""

    found: list[Scope] = field(default_factory=list)         # in the order written
    choices: list[tuple[Scope, ...]] = field(default_factory=list)   # one name, several places
    unknown: list[str] = field(default_factory=list)         # names that name nothing
    used: set[int] = field(default_factory=set)              # indexes of written words used


@dataclass(frozen=True)
class Span:
    """Folded words [start, end) naming one place, or several equally."""

    start: int
    end: int
    places: tuple[Scope, ...]


def region_of(match: RegionMatch) -> Scope:
    return Scope("region", match.name, frozenset(la.code for la in match.authorities))


def find_places(text: str, spoken_for: Callable[[str], bool], *, short: bool) -> Places:
    """The places named in `text`. `spoken_for(word)` is True for words the intent uses;
    `short` is a command's argument or a bare name ("status reading", "Wales"), where every
    word that is not filler is meant as a name."""
    cut = cut_words(text)
    spans = _exact_spans(cut, short)
    def not_name(word: str) -> bool:
        return spoken_for(word) or (filler if short else everyday)(word)

    spans, unknown = _misspelt(cut, spans, not_name, spoken_for)
    places = Places(unknown=unknown)
    for span in sorted(spans, key=lambda span: span.start):
        places.used.update(cut.owner[j] for j in range(span.start, span.end))
        if len(span.places) == 1:
            places.found.append(span.places[0])
        else:
            places.choices.append(span.places)
    return places


def _exact_spans(cut: Words, short: bool) -> list[Span]:
    """Whole council names (longest first), then regions outside them."""
    index = name_index()
    spans = []
    for start, end, form in council_spans(cut):
        if not short and end - start == 1 and _word_not_name(cut, start):
            continue
        spans.append(Span(start, end, tuple(sorted(
            (authority_scope(code, index.by_code[code].name) for code in form.codes),
            key=lambda scope: scope.name))))
    for i, word in enumerate(cut.folded):      # a GSS code copied from a list ("E08000035")
        if word.upper() in index.by_code:
            spans.append(Span(i, i + 1, (authority_scope(word.upper(),
                                                         index.by_code[word.upper()].name),)))
    for start, end, match in region_spans(cut):
        if not any(s.start < end and start < s.end for s in spans):
            spans.append(Span(start, end, (region_of(match),)))
    return spans


def _word_not_name(cut: Words, i: int) -> bool:
    """"reading", "bath", "bury" written in lower case in a sentence are words, not places."""
    written = cut.written[cut.owner[i]]
    return frequency(cut.folded[i]) >= VERY_COMMON and not written[:1].isupper()


def _misspelt(cut: Words, spans: list[Span], not_name: Callable[[str], bool],
              spoken_for: Callable[[str], bool]) -> tuple[list[Span], list[str]]:
    """Words that could only be names, read as the widest misspelt name around them.

    A window may take in whole names found exactly, so "Norh Lincolnshire" is North
    Lincolnshire, not Lincolnshire, and "Cit of London" the LA, not the region.
    """
    spans = _joined(cut, spans)
    unknown = []
    for seed in _seeds(cut, spans, not_name):
        if any(span.start <= seed < span.end for span in spans):
            continue
        hit = _widest_name(cut, seed, spans, spoken_for)
        if hit is None:
            unknown.append(cut.written[cut.owner[seed]])
            continue
        spans = [s for s in spans if s.end <= hit.start or s.start >= hit.end] + [hit]
    return spans, unknown


def _joined(cut: Words, spans: list[Span]) -> list[Span]:
    """Names side by side that are one misspelt name together ("NorthEast Lincolnshire")."""
    ordered = sorted(spans, key=lambda span: span.start)
    for left, right in pairwise(ordered):
        if right.start - left.end > 1:
            continue
        found = _one_name(" ".join(cut.folded[left.start:right.end]))
        if isinstance(found, Scope) and found.kind == "la":
            joined = Span(left.start, right.end, (found,))
            return _joined(cut, [s for s in spans if s not in (left, right)] + [joined])
    return spans


def _seeds(cut: Words, spans: list[Span], not_name: Callable[[str], bool]) -> list[int]:
    """Words no name covers that could only be (part of) a name; and words between two
    names close together ("East Ridin of Yorkshire")."""
    covered = {j for span in spans for j in range(span.start, span.end)}
    seeds = {i for i, word in enumerate(cut.folded)
             if i not in covered and len(word) >= 3 and not not_name(word)}
    ordered = sorted(spans, key=lambda span: span.start)
    for left, right in pairwise(ordered):
        gap = range(left.end, right.start)
        if 0 < len(gap) <= 2:
            seeds.update(i for i in gap if not filler(cut.folded[i]))
    return sorted(seeds)


def _widest_name(cut: Words, seed: int, spans: list[Span],
                 spoken_for: Callable[[str], bool]) -> Span | None:
    words = cut.folded
    for size in range(min(WIDEST, len(words)), 0, -1):
        for start in range(max(0, seed - size + 1), min(seed, len(words) - size) + 1):
            end = start + size
            if filler(words[start]) or filler(words[end - 1]) or any(
                    spoken_for(words[j]) for j in range(start, end) if j != seed):
                continue
            if any(s.start < start < s.end or s.start < end < s.end for s in spans):
                continue
            found = _one_name(" ".join(words[start:end]))
            if found is None:
                continue
            places = found if isinstance(found, tuple) else (found,)
            inside = [s.places for s in spans if start <= s.start and s.end <= end]
            if inside != [places]:
                return Span(start, end, places)
    return None


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
