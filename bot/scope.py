"""What a question is about: all of England, a region (ONS or NHS), or one LA."""

from __future__ import annotations

from dataclasses import dataclass

from store.names import (
    AuthorityMatch,
    authority_candidates,
    find_authorities_in_text,
    match_authority,
)
from store.regions import find_region_in_text, match_region
from store.register import LocalAuthority

# A fuzzy LA candidate is taken only when it scores this well and this far ahead of the next.
CLEAR_SCORE = 85.0
CLEAR_LEAD = 8.0


@dataclass(frozen=True)
class Scope:
    kind: str                       # 'national' | 'region' | 'la'
    name: str
    la_codes: frozenset[str] = frozenset()

    def covers(self, la_code: str) -> bool:
        return self.kind == "national" or la_code in self.la_codes


NATIONAL = Scope("national", "England")


def region_scope(text: str) -> Scope | None:
    """The region (or NHS region) `text` names, forgivingly, or None."""
    match = match_region(text)
    if match is None:
        return None
    return Scope("region", match.name, frozenset(la.code for la in match.authorities))


def authority_scope(code: str, name: str) -> Scope:
    return Scope("la", name, frozenset({code}))


@dataclass(frozen=True)
class Unmatched:
    """Words that name no region or LA we know, with the nearest LA names."""

    text: str
    suggestions: tuple[str, ...] = ()


EVERYWHERE = frozenset({"england", "national", "nationally", "everyone", "everywhere",
                        "country", "all las", "whole country"})


def resolve_scope(text: str, default: Scope) -> Scope | Unmatched:
    """The scope `text` names; `default` when it names none (empty text).

    A region is preferred to a fuzzy LA match ("London" is the region, not the City of
    London), but an LA named exactly wins.
    """
    text = text.strip()
    if not text:
        return default
    if text.lower() in EVERYWHERE:
        return NATIONAL
    region = region_scope(text)
    authority = match_authority(text)
    if authority is not None and (region is None or _exact(authority.authority, text)):
        return authority_scope(authority.authority.code, authority.authority.name)
    if region is not None:
        return region
    candidates = authority_candidates(text, 3)
    return _within(text) or _clear_favourite(candidates) or Unmatched(
        text, tuple(candidate.authority.name for candidate in candidates))


def _clear_favourite(candidates: list[AuthorityMatch]) -> Scope | None:
    """A typo beyond the matcher's strict budget ("middlesbro"), when one LA is far ahead."""
    if not candidates or candidates[0].score < CLEAR_SCORE:
        return None
    if len(candidates) > 1 and candidates[0].score - candidates[1].score < CLEAR_LEAD:
        return None
    return authority_scope(candidates[0].authority.code, candidates[0].authority.name)


def _within(text: str) -> Scope | None:
    """A region or LA named somewhere inside longer words ("anything in the north east")."""
    region = find_region_in_text(text)
    if region is not None:
        return Scope("region", region.name, frozenset(la.code for la in region.authorities))
    found = find_authorities_in_text(text)
    if found:
        authority = found[0].authority
        return authority_scope(authority.code, authority.name)
    return None


def _exact(authority: LocalAuthority, text: str) -> bool:
    names = {authority.name.lower(), authority.official_name.lower(),
             *(alt.lower() for alt in authority.alt_names)}
    return text.lower() in names


def resolve_authority(text: str) -> Scope | Unmatched:
    """The one LA `text` names (for actions that need an LA, like releasing mail)."""
    match = match_authority(text.strip())
    if match is not None:
        return authority_scope(match.authority.code, match.authority.name)
    return Unmatched(text, tuple(c.authority.name for c in authority_candidates(text, 3)))
