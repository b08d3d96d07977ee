"""Forgiving matching of England's regions, ONS and NHS, as people write them.

"NE", "East Mids", "the Midlands", "Londn": region names are folded like council names
(`store.name_words`), with the same typo budget; in a sentence, words that belong to a
council's name ("North East Lincolnshire") are not read as a region.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from store.name_index import council_spans
from store.name_words import WORD, Words, cut_words, longest_at, name_key, nearest_choices
from store.register import REGIONS, LocalAuthority, load_register

NHS_REGIONS = (
    "London", "North East and Yorkshire", "Midlands", "North West", "South East",
    "South West", "East of England",
)
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "North East": ("northeast",),
    "North West": ("northwest",),
    "Yorkshire and The Humber": (
        "Yorkshire", "Yorkshire and Humber", "Yorkshire Humber", "Humber", "Y&H", "YH", "Yorks & Humber",
    ),
    "East Midlands": ("EM", "E Mids"),
    "West Midlands": ("WM", "W Mids"),
    "East of England": ("East", "Eastern", "EoE", "East England"),
    "London": ("LDN", "Greater London"),
    "South East": ("southeast",),
    "South West": ("southwest",),
}
NHS_REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "Midlands": ("Midlands",),
    "North East and Yorkshire": ("NEY", "NE&Y", "North East & Yorks"),
}
_REGION_NOISE = frozenset("the region regions regional team teams area nhs nhse nhsei ons".split())


@dataclass(frozen=True)
class RegionMatch:
    """A region and the councils in it."""

    name: str                                   # as written in the register
    kind: str                                   # 'region' (ONS) or 'nhs_region'
    authorities: tuple[LocalAuthority, ...]


def _region_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in name_key(text) if w not in _REGION_NOISE)


@cache
def _region_table() -> dict[tuple[str, ...], RegionMatch]:
    register = load_register()
    table: dict[tuple[str, ...], RegionMatch] = {}
    # NHS first, so that the ONS region wins a name both use ("London", "South West").
    for name in NHS_REGIONS:
        match = RegionMatch(name, "nhs_region", tuple(la for la in register if la.nhs_region == name))
        for form in (name, *NHS_REGION_ALIASES.get(name, ())):
            table[_region_words(form)] = match
    for name in REGIONS:
        match = RegionMatch(name, "region", tuple(la for la in register if la.region == name))
        for form in (name, *REGION_ALIASES.get(name, ())):
            table[_region_words(form)] = match
    return table


def match_region(text: str) -> RegionMatch | None:
    """The ONS or NHS region `text` names ("NE", "East Mids", "the Midlands", "Londn"), or None."""
    words = _region_words(text)
    table = _region_table()
    if not words or len("".join(WORD.findall(text))) < 2:    # a lone "e" is not the East
        return None
    if words in table:
        return table[words]
    keys = tuple(table)
    nearest = nearest_choices(" ".join(words), [" ".join(k) for k in keys])
    names = {table[keys[i]].name for i in nearest}
    return table[keys[nearest[0]]] if len(names) == 1 else None


def find_region_in_text(text: str) -> RegionMatch | None:
    """The first region named in a sentence ("who hasn't sent theirs in the North East?").

    Words that belong to a council's name ("North East Lincolnshire", "London Borough of
    Camden") are not read as a region; nor is a lone letter ("e" is not the East).
    """
    spans = region_spans(cut_words(text))
    return spans[0][2] if spans else None


def region_spans(cut: Words) -> list[tuple[int, int, RegionMatch]]:
    """Every region named in `cut` (folded word ranges), outside councils' names, in order."""
    taken: set[int] = set()
    for start, end, _form in council_spans(cut):
        taken.update(range(start, end))
    table = _region_table()
    longest = max(len(k) for k in table)
    spans = []
    i = 0
    while i < len(cut.folded):
        hit = None if i in taken else longest_at(cut.folded, i, table.get, longest)
        if hit is None or taken & set(range(i, i + hit[0])):
            i += 1
            continue
        written = {cut.owner[j] for j in range(i, i + hit[0])}
        if sum(len(cut.written[w]) for w in written) > 1:
            spans.append((i, i + hit[0], hit[1]))
        i += hit[0]
    return spans
