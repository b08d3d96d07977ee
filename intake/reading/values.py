"""Typed values from the cell text LAs really write, keeping what they wrote beside it.

Pure functions, no I/O: `parse_count` for "number of care homes" cells, `parse_total` for the
total field, `parse_support` for the Yes/No cell. Anything that cannot be read is not
guessed at: it comes back as `invalid` with a note in words a council officer understands
(validation puts the note in brackets after the cell text).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from intake.reading.text_cache import text_cache

PLACEHOLDER = re.compile(r"^<?\s*please\s+(select|choose|enter)\b.*$", re.IGNORECASE)
NOT_APPLICABLE = re.compile(r"^(n\s*/\s*a|n\.a\.?|na|not\s+applicable|not\s+known|unknown|tbc|"
                            r"[-\u2013\u2014]+)\.?$", re.IGNORECASE)
NOT_APPLICABLE_FIRST = re.compile(r"^n\s*/\s*a\b", re.IGNORECASE)   # "N/A - already in place"
NONE_WORDS = re.compile(r"^(none|nil|zero|no\s+homes|no\s+care\s+homes)\b", re.IGNORECASE)
ALL_WORDS = re.compile(r"^all\b", re.IGNORECASE)
APPROXIMATE = re.compile(r"^(?:(?:approx(?:imately)?|c|ca|circa|around|about|roughly|est(?:imated)?"
                         r"|over|under|at\s+least|up\s+to)(?![a-z])\.?|~|>|<)\s*", re.IGNORECASE)
NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
PERCENT = re.compile(rf"^({NUMBER})\s*(%|per\s*cent|percent)", re.IGNORECASE)
OUT_OF = re.compile(rf"^({NUMBER})\s*(?:/|of|out\s+of|\(\s*(?:of|out\s+of|/))\s*({NUMBER})\b",
                    re.IGNORECASE)
FRACTION = re.compile(r"^0?\.\d+$")
RANGE = re.compile(rf"^({NUMBER})\s*(?:-|\u2013|to)\s*({NUMBER})\b", re.IGNORECASE)
LEADING_NUMBER = re.compile(rf"^({NUMBER})(?!\d)")
ANY_NUMBER = re.compile(r"\d")
YES = re.compile(r"^(yes|y|true|[\u2713\u2714\u2611\u2705])(?![a-z])", re.IGNORECASE)
NO = re.compile(r"^((?:not|none|nothing)\s+(?:required|needed|necessary|at\s+(?:this\s+(?:time|stage|"
                r"point)|the\s+moment|present))|no\s+need|no|n|false|x|[\u2717\u2718\u2612\u274c\u274e])"
                r"(?![a-z])", re.IGNORECASE)
SEPARATORS = " \t\r\n-\u2013\u2014:;,.!"
# Counts are read through float(), which is exact to 15 digits: a plain number no longer
# than that is read straight as an int, and a longer one goes the float's way.
_EXACT_DIGITS = 15


@dataclass(frozen=True)
class Count:
    """A number of care homes as read from one cell."""

    value: int | None
    kind: str           # 'number' | 'blank' | 'unanswered' | 'not_applicable' | 'invalid'
    note: str = ""


@dataclass(frozen=True)
class Support:
    """The answer to "would additional support be helpful?" as read from one cell."""

    needed: str | None  # 'yes' | 'no' | None
    description: str
    kind: str           # 'answered' | 'unanswered' | 'invalid'


# Councils write the same few cells ("12", "Yes", "No") over and over, and the template
# search and the validation read each of them: each distinct cell is parsed once.
@text_cache(maxsize=4096)
def parse_count(raw: str, total: int | None) -> Count:
    """Read a count of care homes; `total` (the LA's total, when known) resolves "all" and "90%"."""
    text = " ".join(raw.split())
    if text.isdigit() and text.isascii() and len(text) <= _EXACT_DIGITS:
        return Count(int(text), "number")      # most cells: what _read_number makes of them
    if not text:
        return Count(None, "blank")
    if PLACEHOLDER.match(text):
        return Count(None, "unanswered")
    if NOT_APPLICABLE.match(text):
        return Count(None, "not_applicable")
    if NONE_WORDS.match(text):
        return Count(0, "number")
    every = ALL_WORDS.match(text)
    if every and ANY_NUMBER.search(text):
        return _read_number(text[every.end():].strip(" (:-"), total)
    if every:
        if total is None:
            return Count(None, "invalid", '"all" needs the total number of care homes')
        return Count(total, "number", f'"all" read as the total of {total}')
    approximate = APPROXIMATE.match(text)
    if approximate:
        count = _read_number(text[approximate.end():], total)
        note = "; ".join(filter(None, ["an approximate figure", count.note]))
        return Count(count.value, count.kind, note)
    return _read_number(text, total)


def parse_total(raw: str) -> int | None:
    """The total number of care homes, or None when the cell holds no whole number."""
    count = parse_count(raw, None)
    return count.value if count.kind == "number" else None


@text_cache(maxsize=4096)
def parse_support(raw: str) -> Support:
    """Read the Yes/No cell; the text after "Yes"/"No" is kept as the description."""
    text = raw.strip()
    if not text or PLACEHOLDER.match(text):
        return Support(None, "", "unanswered")
    if NOT_APPLICABLE.match(text) or NOT_APPLICABLE_FIRST.match(text):
        return Support(None, "", "invalid")
    for answer, pattern in (("yes", YES), ("no", NO)):
        match = pattern.match(text)
        if match:
            return Support(answer, text[match.end():].lstrip(SEPARATORS).rstrip(), "answered")
    return Support(None, "", "invalid")


def _read_number(text: str, total: int | None) -> Count:
    percent = PERCENT.match(text)
    if percent:
        return _from_percent(_to_float(percent.group(1)), total)
    if FRACTION.match(text) and total is not None:
        # 0.9 in a count cell is a percentage whose cell format was lost (.xls, .ods, csv).
        return _from_percent(_to_float(text) * 100, total)
    span = RANGE.match(text)
    if span and not text.startswith("-"):
        return Count(None, "invalid", "a range, not one number")
    out_of = OUT_OF.match(text)
    if out_of:
        count = _whole(_to_float(out_of.group(1)))
        if count.kind == "number" and total is not None and _to_float(out_of.group(2)) != total:
            return Count(count.value, "number", f"written as out of {out_of.group(2)}")
        return count
    number = LEADING_NUMBER.match(text)
    if not number:
        note = "no number" if not ANY_NUMBER.search(text) else "the number is not at the start"
        return Count(None, "invalid", note)
    count = _whole(_to_float(number.group(1)))
    rest = text[number.end():]
    if count.kind == "number" and re.search(r"\d", rest):
        return Count(count.value, "number", "more than one number was written; the first was taken")
    return count


def _from_percent(percent: float, total: int | None) -> Count:
    if percent < 0 or percent > 100:
        return Count(None, "invalid", "a percentage outside 0 to 100")
    if total is None:
        return Count(None, "invalid", "a percentage needs the total number of care homes")
    # Half up, as people round: 2.5 homes -> 3 (Python's round() would give 2).
    value = math.floor(percent / 100 * total + 0.5)
    return Count(value, "number", f"{percent:g}% of {total} homes")


def _whole(number: float) -> Count:
    if number < 0:
        return Count(None, "invalid", "a negative number")
    if not number.is_integer():
        return Count(None, "invalid", "not a whole number")
    return Count(int(number), "number")


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))
