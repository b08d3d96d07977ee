"""Names and texts cut into folded words, and the typo budget for comparing them.

Words are folded for case, accents, "&" and the abbreviations people write ("St.", "Lincs",
"N Yorks"); a name's *core* drops the generic words (council, borough, city of, adult social
care ...). Shared by council matching (`store.names`) and region matching (`store.regions`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import TypeVar

from rapidfuzz import process
from rapidfuzz.distance import Indel

_T = TypeVar("_T")

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

WORD = re.compile(r"&|[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?:]")
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
_INVERTED = re.compile(r"^\s*(.+?)\s*,\s*((?:city|county|royal borough|borough) of)\s*$", re.I)


@dataclass(frozen=True)
class Words:
    """A text cut into folded words; `owner[i]` is the written word folded word i came from."""

    folded: tuple[str, ...]
    owner: tuple[int, ...]
    written: tuple[str, ...]
    text: str                           # as cut (normalised)
    spans: tuple[tuple[int, int], ...]  # where each written word sits in `text`
    lines: int                          # how many lines the text has

    # Only the few words around a council's name are asked where they sit, so that is worked
    # out when asked rather than for every word while cutting.
    def line_of(self, word: int) -> int:
        """The line number written word `word` is on."""
        return self.text.count("\n", 0, self.spans[word][0])

    def opens_sentence(self, word: int) -> bool:
        """Whether written word `word` opens the text, a line or a sentence."""
        if word == 0:
            return True
        gap = self.text[self.spans[word - 1][1]:self.spans[word][0]]
        return "\n" in gap or _SENTENCE_END.search(gap) is not None


# Letters repeat the same few hundred words; folding (NFKD per word) is the hot part of cutting.
@lru_cache(maxsize=16_384)
def _fold(word: str) -> tuple[str, ...]:
    if word == "&":
        return ("and",)
    plain = unicodedata.normalize("NFKD", word.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _EXPAND.get(plain, (plain,))


def cut_words(text: str) -> Words:
    """`text` as folded words, each traced to the written word, line and sentence it came from."""
    text = _POSSESSIVE.sub("", unicodedata.normalize("NFKC", text))
    found = list(WORD.finditer(text))
    written = tuple([match.group() for match in found])
    folds = list(map(_fold, written))
    folded = tuple(chain.from_iterable(folds))
    # Each word folds to one or more; when every word folds to one, word i is its own owner.
    owner = tuple(range(len(written))) if len(folded) == len(written) else tuple(
        word for word, parts in enumerate(folds) for _ in parts)
    return Words(folded, owner, written, text, tuple([match.span() for match in found]),
                 text.count("\n") + 1)


def name_key(name: str) -> tuple[str, ...]:
    """A name's folded words, with inverted forms ("Hull, City of") put the right way round."""
    inverted = _INVERTED.match(name)
    if inverted:
        name = f"{inverted.group(2)} {inverted.group(1)}"
    return cut_words(name).folded


def core_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words left when the generic ones are dropped ("leeds city council" -> "leeds")."""
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


def _edit_budget(length: int) -> int:
    # Counted in inserted or deleted letters, so one wrong letter costs two: "Leed" and
    # "Hartlepol" are forgiven, "Harlow" (a district) does not become "Harrow".
    if length < 4:
        return 0
    return 1 if length < 8 else 2 if length < 13 else 3


def nearest_choices(query: str, choices: tuple[str, ...] | list[str]) -> list[int]:
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
    closest = min((h[1] for h in hits), default=budget + 1)
    if closest > budget:
        return []
    return [h[2] for h in sorted(hits, key=lambda h: h[1]) if h[1] <= closest + 1]


def longest_at(
    words: tuple[str, ...], i: int, table: Callable[[tuple[str, ...]], _T | None], longest: int
) -> tuple[int, _T] | None:
    """The longest run of words from `i` that `table` knows (up to `longest`), and its entry."""
    for size in range(min(longest, len(words) - i), 0, -1):
        form = table(words[i:i + size])
        if form:
            return size, form
    return None
