"""Every name a council goes by, folded for lookup: register names, alt names and aliases.

Built once from the register. A name is kept whole and by its core, so "Leeds City Council",
"Leeds CC" and "Leeds" all find Leeds; a name several councils share keeps all their codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from store.name_words import Words, core_words, name_key
from store.register import LocalAuthority, load_register

# Extra names by GSS code: short forms and initialisms councils and staff really use.
ALIASES: dict[str, tuple[str, ...]] = {
    "E06000058": ("BCP", "BCP Council", "Bournemouth", "Poole", "Christchurch"),
    "E06000022": ("BANES", "B&NES", "BNES", "Bath", "Bath and NE Somerset", "Bath & NES"),
    "E06000010": ("Hull", "City of Hull"),
    "E06000023": ("Bristol", "City of Bristol"),
    "E09000020": ("RBKC", "Kensington"),
    "E09000002": ("LBBD", "Barking"),
    "E09000013": ("LBHF", "Hammersmith"),
    "E09000030": ("LBTH",),
    "E09000011": ("RBG", "Royal Greenwich"),
    "E09000021": ("Kingston", "RBK"),
    "E09000027": ("Richmond", "LBRuT"),
    "E06000040": ("RBWM", "Windsor", "Maidenhead"),
    "E06000043": ("Brighton", "Hove"),
    "E06000033": ("Southend", "Southend on Sea"),
    "E06000047": ("Durham",),
    "E06000020": ("Telford",),
    "E06000021": ("Stoke", "Stoke on Trent"),
    "E06000004": ("Stockton",),
    "E06000003": ("Redcar",),
    "E06000011": ("East Riding", "ERYC"),
    "E06000012": ("NELC",),
    "E06000042": ("MK",),
    "E06000046": ("IOW", "IoW Council"),
    "E06000053": ("Scilly",),
    "E06000050": ("Cheshire West", "CWAC", "CW&C"),
    "E08000021": ("Newcastle",),
    "E10000023": ("NYCC",),
    "E10000016": ("KCC",),
    "E10000032": ("WSCC",),
    "E10000011": ("ESCC",),
    "E06000036": ("Bracknell",),
}

# Names that cover several councils: never one match, but offered as candidates.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "Bedfordshire": ("E06000055", "E06000056", "E06000032"),
    "Berkshire": ("E06000036", "E06000037", "E06000038", "E06000039", "E06000040", "E06000041"),
    "Cheshire": ("E06000049", "E06000050"),
    "Tyneside": ("E08000022", "E08000023"),
}

# Cores that would swallow something else: "City of London" must not answer to "London".
_PROTECTED_CORES = frozenset({("london",)})


@dataclass(frozen=True)
class AuthorityMatch:
    """A council found for a text, how surely (0..100), and by which of its names."""

    authority: LocalAuthority
    score: float        # 0..100
    matched: str        # the name form that matched, as written in the register or alias table


@dataclass(frozen=True)
class NameForm:
    """The councils a folded name stands for, and that name as first written."""

    codes: frozenset[str]
    shown: str


@dataclass
class NameIndex:
    """Folded names, whole and by core, to the councils they stand for."""

    by_code: dict[str, LocalAuthority]
    full: dict[tuple[str, ...], NameForm]
    core: dict[tuple[str, ...], NameForm]
    # The lengths of the names (whole or core) that start with a word, longest first: a text
    # is searched only where a name could start, for only the lengths a name there could have.
    sizes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def add(self, name: str, codes: frozenset[str]) -> None:
        full = name_key(name)
        core = core_words(full)
        if not core:        # e.g. the stray "City of" among mySociety's alt names
            return
        self._put(self.full, full, name, codes)
        if core not in _PROTECTED_CORES:
            self._put(self.core, core, name, codes)

    def _put(self, table: dict, key: tuple[str, ...], name: str, codes: frozenset[str]) -> None:
        old = table.get(key)
        table[key] = NameForm(old.codes | codes, old.shown) if old else NameForm(codes, name)
        sizes = {*self.sizes.get(key[0], ()), len(key)}
        self.sizes[key[0]] = tuple(sorted(sizes, reverse=True))

    def lookup(self, words: tuple[str, ...]) -> NameForm | None:
        return self.full.get(words) or self.core.get(core_words(words))

    def in_text(self, words: tuple[str, ...]) -> NameForm | None:
        return self.full.get(words) or self.core.get(words)

    def name_at(self, words: tuple[str, ...], i: int) -> tuple[int, NameForm] | None:
        """The longest name starting at word `i` (its length in words, and its form)."""
        for size in self.sizes.get(words[i], ()):
            form = self.in_text(words[i:i + size]) if i + size <= len(words) else None
            if form:
                return size, form
        return None


@cache
def name_index() -> NameIndex:
    """The register's councils by every name they go by (built once)."""
    register = load_register()
    index = NameIndex({la.code: la for la in register}, {}, {})
    for la in register:
        for name in (la.name, la.official_name, *la.alt_names, *ALIASES.get(la.code, ())):
            index.add(name, frozenset({la.code}))
    for name, codes in AMBIGUOUS.items():
        index.add(name, frozenset(codes))
    return index


@cache
def fuzzy_choices() -> tuple[tuple[str, ...], tuple[NameForm, ...]]:
    """Every indexed name as a string, with its form, for typo matching."""
    index = name_index()
    table = {" ".join(k): f for k, f in index.full.items()}
    table.update({" ".join(k): f for k, f in index.core.items()})
    return tuple(table), tuple(table.values())


def council_spans(words: Words) -> list[tuple[int, int, NameForm]]:
    """Non-overlapping council-name spans (folded word ranges), longest name first."""
    index = name_index()
    # Only words that start some name are tried: a letter has hundreds, a few of them names.
    starts = [i for i, word in enumerate(words.folded) if word in index.sizes]
    spans = []
    end = 0
    for i in starts:
        hit = index.name_at(words.folded, i) if i >= end else None
        if hit is not None:
            end = i + hit[0]
            spans.append((i, end, hit[1]))
    return spans
