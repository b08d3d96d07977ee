"""What a label cell means: the LA, the total number of care homes, the contact, a text box.

Councils word these labels every way ("Total care homes", "How many CQC registered homes are
there in your area?", "Council name", "Completed by"), so a label is recognised by the ideas
it carries, not by a list of phrasings: the total names homes and a quantity (and is not a
column header about actions in place); the LA field is a short noun phrase for an authority
that is not itself a council's name; the contact names a person responsible for the return.
A value written in the label's own cell ("Total care homes: 84") is split off.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from intake.reading.values import parse_total
from store.names import match_authority

HOMES = re.compile(r"\bhomes?\b|\bcare\s+(?:settings?|establishments?|providers?)\b")
QUANTITY = re.compile(r"\b(?:total|totals|number|numbers|no|nos|num|count|how\s+many|overall|"
                      r"sum|registered|cqc)\b|#")
NOT_TOTAL = re.compile(r"\b(?:in\s+place|where|actions?|support|implement\w*|access|please|"
                       r"beds?|staff|residents|vacanc\w*|outbreaks?|affected|closed)\b")
AUTHORITY = re.compile(
    r"(?:(?:the|your|our)\s+)?(?:name\s+of\s+(?:the\s+|your\s+)?)?(?:\w+ing\s+)?"
    r"(?:local\s+authority|authority|council|la|organi[sz]ation|lead\s+body)"
    r"(?:\s+(?:la|name|area|details)){0,2}")
CONTACT = re.compile(r"\b(?:contact|completed\s+by|prepared\s+by|submitted\s+by|compiled\s+by|"
                     r"filled\s+(?:in|out)\s+by|signed\s+off\s+by|completing|officer|"
                     r"return\s+owner|responsible\s+(?:person|manager))\b")
BOXES = {
    "benefit": re.compile(r"^\s*highlight\s+any\s+support\b", re.IGNORECASE),
    "regional": re.compile(r"^\s*highlight\s+any\s+(?:particular\s+)?issues\b", re.IGNORECASE),
}
SPLIT = re.compile(r"\s*(?::|\?|=|\s[-\u2013\u2014]\s)\s*")
TRAILING_NUMBER = re.compile(r"^(?P<label>.*?[^\d\s])\s+(?P<rest>\d[\d,]*(?:\.\d+)?"
                             r"(?:\s+[a-z]+)?)\s*$", re.IGNORECASE)
MAX_LABEL_WORDS = 16
LABEL_SCORE = 85
SeedLabels = tuple[tuple[str, str], ...]     # (field, the collection's own label), in order


def field_of(text: str, seed_labels: SeedLabels) -> tuple[str, str] | None:
    """(field, the value written after the label in the same cell) when `text` is a label.

    Fields: 'la', 'total', 'contact', 'benefit', 'regional'. `seed_labels` holds the
    collection's own wording of each, matched fuzzily as a fallback (as items, built once
    per sheet rather than once per cell).
    """
    if not text.strip() or len(text) > 600:
        return None
    # Every return repeats the template's own labels, so a worker reads each text once.
    return _field_of(text, seed_labels)


@lru_cache(maxsize=8192)
def _field_of(text: str, seed_labels: SeedLabels) -> tuple[str, str] | None:
    for box, pattern in BOXES.items():
        if pattern.match(text):
            return box, ""
    for label, rest in _splits(text):
        meaning = label_meaning(label)
        if meaning and _fits(meaning, rest):
            return meaning, rest
    meaning = label_meaning(text)
    if meaning:
        return meaning, ""
    return _seed_label(text, seed_labels)


def _splits(text: str) -> list[tuple[str, str]]:
    """Ways to cut a cell into a label and a value written after it, leftmost first."""
    cuts = [(text[:m.start()], text[m.end():].strip()) for m in SPLIT.finditer(text)]
    number = TRAILING_NUMBER.match(text.strip())
    if number:
        cuts.append((number.group("label"), number.group("rest")))
    return [(label, rest) for label, rest in cuts if label.strip() and rest]


def _fits(field: str, rest: str) -> bool:
    """Is `rest` a value for `field` rather than more of the label ("- total", "(CQC)")?"""
    if field == "total":
        return parse_total(rest) is not None or rest.lower().startswith(("n/a", "unknown", "tbc"))
    return bool(re.search(r"[A-Za-z0-9@]", rest)) and label_meaning(rest) is None


@lru_cache(maxsize=4096)
def label_meaning(text: str) -> str | None:
    """'total', 'la' or 'contact' when the text, all of it, is such a label; else None."""
    plain = _plain(text)
    words = plain.split()
    if not words or len(words) > MAX_LABEL_WORDS or re.search(r"\d", plain):
        return None
    if HOMES.search(plain) and QUANTITY.search(plain) and not NOT_TOTAL.search(plain):
        return "total"
    bare = _plain(re.sub(r"\([^)]*\)", " ", text))     # "LA name (as registered)"
    if len(words) <= 6 and AUTHORITY.fullmatch(bare) and match_authority(text) is None:
        return "la"
    if len(words) <= 10 and CONTACT.search(plain) and "@" not in text:
        return "contact"
    return None


def _plain(text: str) -> str:
    """Lower case, punctuation to spaces (but '#' kept), '.' of 'no.' dropped."""
    return " ".join(re.sub(r"[^\w#]+", " ", text.lower().replace("_", " ")).split())


def _seed_label(text: str, seed_labels: SeedLabels) -> tuple[str, str] | None:
    """The collection's own wording, fuzzily, with a value after it in the same cell."""
    for field, label in seed_labels:
        rest = after_seed_label(text, label)
        if rest is not None:
            return field, rest
    return None


def after_seed_label(text: str, label: str) -> str | None:
    """The text after `label` when the cell starts with it (fuzzily), else None."""
    lowered, wanted = text.lower(), label.lower().rstrip(": ")
    if len(lowered.strip()) < 0.6 * len(wanted):
        return None
    found = fuzz.partial_ratio_alignment(wanted, lowered)
    if found is None or found.score < LABEL_SCORE or lowered[:found.dest_start].strip():
        return None
    rest = text[found.dest_end:]
    value = rest.strip()
    if not value:
        return ""
    if value[0] in ":-\u2013?" or label.rstrip().endswith(":"):
        return value.lstrip(":-\u2013? ").strip()
    if not rest[0].isspace():
        return ""                   # the alignment stopped inside the label's last word
    return value if len(value) <= 25 or "@" in value else None
