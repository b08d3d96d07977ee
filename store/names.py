"""Forgiving matching of council and region names, as people write them.

Used by the intake (a template's LA field, a letter, a subject, a file name) and by the bot
("status Leeds", "missing SW"). Names are compared as word tuples after folding case, "&",
"St.", punctuation and county abbreviations ("Lincs", "N Yorks"); a *core* form also drops the
generic words (council, borough, city of, adult social care ...). Typos are forgiven only
within an edit budget that grows with the name's length and only when one council is
clearly nearest, so real neighbours ("Leicester"/"Leicestershire") never stand in for each other.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from store.register import REGIONS, LocalAuthority, load_register

_T = TypeVar("_T")

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

# Word-level abbreviations, applied to names and to the text searched alike.
_EXPAND: dict[str, tuple[str, ...]] = {
    "saint": ("st",), "co": ("county",),
    "n": ("north",), "s": ("south",), "e": ("east",), "w": ("west",),
    "ne": ("north", "east"), "nw": ("north", "west"),
    "se": ("south", "east"), "sw": ("south", "west"),
    "lincs": ("lincolnshire",), "yorks": ("yorkshire",), "notts": ("nottinghamshire",),
    "leics": ("leicestershire",), "northants": ("northamptonshire",),
    "herts": ("hertfordshire",), "cambs": ("cambridgeshire",), "glos": ("gloucestershire",),
    "gloucs": ("gloucestershire",), "oxon": ("oxfordshire",), "wilts": ("wiltshire",),
    "bucks": ("buckinghamshire",), "beds": ("bedfordshire",), "berks": ("berkshire",),
    "hants": ("hampshire",), "staffs": ("staffordshire",), "worcs": ("worcestershire",),
    "warks": ("warwickshire",), "lancs": ("lancashire",), "derbys": ("derbyshire",),
    "shrops": ("shropshire",), "salop": ("shropshire",), "mids": ("midlands",),
}

# Generic words: dropped to get a name's core ("Leeds City Council" -> "leeds").
_DROP_PHRASES = (
    ("adult", "social", "care"), ("adults", "social", "care"), ("adult", "social", "services"),
    ("adult", "services"), ("social", "care"), ("social", "services"),
    ("london", "borough", "of"), ("royal", "borough", "of"), ("city", "of"), ("county", "of"),
    ("borough", "of"), ("council", "of"), ("london", "boro"), ("unitary", "authority"),
    ("local", "authority"),
)
_DROP_WORDS = frozenset(
    "the council county borough city metropolitan district la ua asc mbc mdc bc cc "
    "corporation boro dept department directorate".split()
)
# Cores that would swallow something else: "City of London" must not answer to "London".
_PROTECTED_CORES = frozenset({("london",)})

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

_WORD = re.compile(r"&|[^\W_]+")
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
_INVERTED = re.compile(r"^\s*(.+?)\s*,\s*((?:city|county|royal borough|borough) of)\s*$", re.I)


@dataclass(frozen=True)
class AuthorityMatch:
    authority: LocalAuthority
    score: float        # 0..100
    matched: str        # the name form that matched, as written in the register or alias table


@dataclass(frozen=True)
class RegionMatch:
    name: str                                   # as written in the register
    kind: str                                   # 'region' (ONS) or 'nhs_region'
    authorities: tuple[LocalAuthority, ...]


@dataclass(frozen=True)
class _Form:
    codes: frozenset[str]
    shown: str


@dataclass(frozen=True)
class _Words:
    """A text cut into folded words; `owner[i]` is the written word folded word i came from."""

    folded: tuple[str, ...]
    owner: tuple[int, ...]
    written: tuple[str, ...]
    line: tuple[int, ...]       # line number of each written word
    sentence_start: tuple[bool, ...]
    lines: int


def _fold(word: str) -> tuple[str, ...]:
    if word == "&":
        return ("and",)
    plain = unicodedata.normalize("NFKD", word.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _EXPAND.get(plain, (plain,))


def _cut(text: str) -> _Words:
    text = _POSSESSIVE.sub("", unicodedata.normalize("NFKC", text))
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    folded: list[str] = []
    owner: list[int] = []
    written: list[str] = []
    line: list[int] = []
    starts: list[bool] = []
    previous_end = 0
    for m in _WORD.finditer(text):
        gap = text[previous_end:m.start()]
        starts.append(not written or "\n" in gap or bool(re.search(r"[.!?:]", gap)))
        previous_end = m.end()
        for part in _fold(m.group()):
            folded.append(part)
            owner.append(len(written))
        written.append(m.group())
        line.append(bisect.bisect_right(line_starts, m.start()) - 1)
    return _Words(
        tuple(folded), tuple(owner), tuple(written), tuple(line), tuple(starts), len(line_starts)
    )


def _key(name: str) -> tuple[str, ...]:
    inverted = _INVERTED.match(name)
    if inverted:
        name = f"{inverted.group(2)} {inverted.group(1)}"
    return _cut(name).folded


def _core(words: tuple[str, ...]) -> tuple[str, ...]:
    kept: list[str] = []
    i = 0
    while i < len(words):
        phrase = next((p for p in _DROP_PHRASES if words[i:i + len(p)] == p), None)
        if phrase:
            i += len(phrase)
            continue
        if words[i] not in _DROP_WORDS:
            kept.append(words[i])
        i += 1
    while kept and kept[0] in ("of", "and"):
        kept.pop(0)
    while kept and kept[-1] in ("of", "and"):
        kept.pop()
    return tuple(kept)


@dataclass
class _Index:
    by_code: dict[str, LocalAuthority]
    full: dict[tuple[str, ...], _Form]
    core: dict[tuple[str, ...], _Form]
    longest: int = 0

    def add(self, name: str, codes: frozenset[str]) -> None:
        full = _key(name)
        core = _core(full)
        if not core:        # e.g. the stray "City of" among mySociety's alt names
            return
        self._put(self.full, full, name, codes)
        if core not in _PROTECTED_CORES:
            self._put(self.core, core, name, codes)
        self.longest = max(self.longest, len(full))

    @staticmethod
    def _put(table: dict, key: tuple[str, ...], name: str, codes: frozenset[str]) -> None:
        old = table.get(key)
        table[key] = _Form(old.codes | codes, old.shown) if old else _Form(codes, name)

    def lookup(self, words: tuple[str, ...]) -> _Form | None:
        return self.full.get(words) or self.core.get(_core(words))

    def in_text(self, words: tuple[str, ...]) -> _Form | None:
        return self.full.get(words) or self.core.get(words)


@cache
def _index() -> _Index:
    register = load_register()
    index = _Index({la.code: la for la in register}, {}, {})
    for la in register:
        for name in (la.name, la.official_name, *la.alt_names, *ALIASES.get(la.code, ())):
            index.add(name, frozenset({la.code}))
    for name, codes in AMBIGUOUS.items():
        index.add(name, frozenset(codes))
    return index


@cache
def _fuzzy_choices() -> tuple[tuple[str, ...], tuple[_Form, ...]]:
    index = _index()
    table = {" ".join(k): f for k, f in index.full.items()}
    table.update({" ".join(k): f for k, f in index.core.items()})
    return tuple(table), tuple(table.values())


def _edit_budget(length: int) -> int:
    # Counted in inserted or deleted letters, so one wrong letter costs two: "Leed" and
    # "Hartlepol" are forgiven, "Harlow" (a district) does not become "Harrow".
    if length < 4:
        return 0
    return 1 if length < 8 else 2 if length < 13 else 3


def _nearest(query: str, choices: tuple[str, ...] | list[str]) -> list[int]:
    """Indexes of the choices within `query`'s typo budget that are nearly nearest to it.

    Choices one step further than the nearest are returned too, so that a caller sees the
    typo is ambiguous ("Barent": Brent or Barnet?). Only choices with the same first letter.
    """
    budget = _edit_budget(len(query))
    if not budget:
        return []
    hits = process.extract(
        query, choices, scorer=Indel.distance, score_cutoff=budget + 1, limit=12
    )
    hits = [h for h in hits if h[0][:1] == query[:1]]
    nearest = min((h[1] for h in hits), default=budget + 1)
    if nearest > budget:
        return []
    return [h[2] for h in sorted(hits, key=lambda h: h[1]) if h[1] <= nearest + 1]


def _match(index: _Index, form: _Form, score: float) -> AuthorityMatch:
    (code,) = form.codes
    return AuthorityMatch(index.by_code[code], score, form.shown)


def _fuzzy(query: str) -> AuthorityMatch | None:
    choices, forms = _fuzzy_choices()
    nearest = _nearest(query, choices)
    if len(frozenset().union(*(forms[i].codes for i in nearest))) != 1:
        return None
    return _match(_index(), forms[nearest[0]], fuzz.ratio(query, choices[nearest[0]]))


def match_authority(text: str) -> AuthorityMatch | None:
    """The one council `text` names (exactly, by alias, or with a typo), or None.

    Ambiguous names ("Beds") and texts naming two councils give None; see
    `authority_candidates` for what to offer instead.
    """
    index = _index()
    words = _key(text)
    if not _core(words):
        return None
    form = index.lookup(words)
    if form:
        return _match(index, form, 100.0) if len(form.codes) == 1 else None
    found = _fuzzy(" ".join(words)) or _fuzzy(" ".join(_core(words)))
    if found:
        return found
    mentioned = [m for m in find_authorities_in_text(text) if m.score >= 70]
    if len({m.authority.code for m in mentioned}) == 1:
        return mentioned[0]
    return None


def authority_candidates(text: str, limit: int = 3) -> list[AuthorityMatch]:
    """The councils `text` most likely means, best first (for "did you mean ...")."""
    index = _index()
    words = _key(text)
    best: dict[str, AuthorityMatch] = {}

    def offer(code: str, score: float, shown: str) -> None:
        if code not in best or best[code].score < score:
            best[code] = AuthorityMatch(index.by_code[code], score, shown)

    exact = index.lookup(words)
    for code in exact.codes if exact else ():
        offer(code, 100.0 if len(exact.codes) == 1 else 90.0, exact.shown)
    choices, forms = _fuzzy_choices()
    for query in {" ".join(words), " ".join(_core(words))} - {""}:
        for _choice, score, i in process.extract(
            query, choices, scorer=fuzz.ratio, score_cutoff=60, limit=40
        ):
            for code in forms[i].codes:
                offer(code, min(score, 99.0), forms[i].shown)
    for found in find_authorities_in_text(text):
        offer(found.authority.code, found.score, found.matched)
    return sorted(best.values(), key=lambda m: -m.score)[:limit]


def _longest_at(
    words: tuple[str, ...], i: int, table: Callable[[tuple[str, ...]], _T | None], longest: int
) -> tuple[int, _T] | None:
    for size in range(min(longest, len(words) - i), 0, -1):
        form = table(words[i:i + size])
        if form:
            return size, form
    return None


def _spans(cut: _Words) -> list[tuple[int, int, _Form]]:
    """Non-overlapping council-name spans (folded word ranges), longest name first."""
    index = _index()
    spans = []
    i = 0
    while i < len(cut.folded):
        hit = _longest_at(cut.folded, i, index.in_text, index.longest)
        if hit is None:
            i += 1
            continue
        spans.append((i, i + hit[0], hit[1]))
        i += hit[0]
    return spans


def _plausible(cut: _Words, start: int, end: int, shouting: bool) -> bool:
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
    return not (prose and cut.sentence_start[word] and following[:1].islower())


def _nhs_body(cut: _Words, start: int, end: int) -> bool:
    """True for "Leeds Teaching Hospitals NHS Trust", "NHS Leeds CCG" and the like."""
    if cut.folded[start - 1:start] == ("nhs",):
        return True
    for word in cut.folded[end:end + 3]:
        if word in _NHS_WORDS:
            return True
        if word in _NAME_BREAKS:
            return False
    return False


def _mention_score(cut: _Words, start: int, end: int) -> float:
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
    line = cut.line[cut.owner[start]]
    if line == cut.line[0]:
        score += 8
    elif line < 5 or line >= cut.lines - 8:
        score += 5
    return score


def _written(cut: _Words, start: int, end: int) -> str:
    return " ".join(cut.written[cut.owner[start]:cut.owner[end - 1] + 1])


def find_authorities_in_text(text: str) -> list[AuthorityMatch]:
    """Every council named in a longer text (letter, subject, file name), best first.

    Only whole names count (no typos). A name with "Council" beside it, or near the top or
    the signature, ranks higher; one beside "NHS", "CCG", "Trust" ... ranks low, since letters
    name local NHS bodies and neighbours too.
    """
    index = _index()
    cut = _cut(text)
    shouting = not any(ch.isupper() for ch in text) or text.isupper()
    scores: dict[str, list[float]] = {}
    shown: dict[str, str] = {}
    for start, end, form in _spans(cut):
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


# --- regions ---------------------------------------------------------------------------

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


def _region_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _key(text) if w not in _REGION_NOISE)


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
    if not words or len("".join(_WORD.findall(text))) < 2:    # a lone "e" is not the East
        return None
    if words in table:
        return table[words]
    keys = tuple(table)
    nearest = _nearest(" ".join(words), [" ".join(k) for k in keys])
    names = {table[keys[i]].name for i in nearest}
    return table[keys[nearest[0]]] if len(names) == 1 else None


def find_region_in_text(text: str) -> RegionMatch | None:
    """The first region named in a sentence ("who hasn't sent theirs in the North East?").

    Words that belong to a council's name ("North East Lincolnshire", "London Borough of
    Camden") are not read as a region; nor is a lone letter ("e" is not the East).
    """
    cut = _cut(text)
    taken: set[int] = set()
    for start, end, _form in _spans(cut):
        taken.update(range(start, end))
    table = _region_table()
    longest = max(len(k) for k in table)
    for i in range(len(cut.folded)):
        if i in taken:
            continue
        hit = _longest_at(cut.folded, i, table.get, longest)
        if hit is None or taken & set(range(i, i + hit[0])):
            continue
        written = {cut.owner[j] for j in range(i, i + hit[0])}
        if sum(len(cut.written[w]) for w in written) > 1:
            return hit[1]
    return None
