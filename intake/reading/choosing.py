"""Which template to read when a workbook or a message holds several: the final one.

Councils keep their working copies: a workbook with sheets "DRAFT" and "FINAL" (or "v1" and
"v2", "old" and "updated"), or a message carrying two files. The one read is chosen by, in
order: a template with nothing filled in is no candidate while another has answers; what the
names say (final, updated, latest, a higher version beat draft, old, a lower version); how
complete it is (rows answered, the total, the LA); a visible sheet over a hidden one; and
last, the later one (a revised copy is usually added after the first). Pure: readings in, one
reading out, saying why in `chosen_because`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import PurePath

from intake.models import TemplateReading

FINAL_WORDS = re.compile(r"\b(final|updated?|latest|revised|amended|corrected|new|current|"
                         r"submitted|submission|signed[\s_-]*off|approved|complete[d]?)\b")
DRAFT_WORDS = re.compile(r"\b(draft|old|previous|superseded|obsolete|original|archived?|backup|"
                         r"copy|test|example|sample|blank|wip|working|do[\s_-]*not[\s_-]*use)\b")
VERSION = re.compile(r"(?:\bv|\bversion\s*|\brev(?:ision)?\s*|\bissue\s*)(\d{1,3})\b")


def choose_template(readings: Sequence[TemplateReading], *,
                    within: str = "message") -> TemplateReading | None:
    """The reading to use among `readings` (sheets of one workbook, or a message's files).

    `within` is "workbook" when the readings are sheets of one file: the reason then names
    sheets, else files.
    """
    if not readings:
        return None
    if len(readings) == 1:
        return readings[0]
    names = [_name(reading, within) for reading in readings]
    ranked = max(range(len(readings)), key=lambda i: _rank(readings[i], names[i], names, i))
    chosen = readings[ranked]
    others = ", ".join(f'"{name}"' for i, name in enumerate(names) if i != ranked)
    if within == "workbook":
        because = f'read sheet "{names[ranked]}"; the workbook also had {others}'
    else:
        inner = f" ({chosen.chosen_because})" if chosen.chosen_because else ""
        because = f'read "{names[ranked]}"{inner}; the message also had {others}'
    return replace(chosen, chosen_because=because)


def _name(reading: TemplateReading, within: str) -> str:
    return reading.sheet if within == "workbook" else reading.filename


def _rank(reading: TemplateReading, name: str, names: list[str],
          order: int) -> tuple[bool, int, int, bool, int]:
    answered = sum(1 for row in reading.rows if row.homes_raw.strip() or row.support_raw.strip())
    complete = answered + bool((reading.total_raw or "").strip()) + bool(
        (reading.la_name or "").strip())
    return answered > 0, _name_rank(name, names), complete, not reading.hidden, order


def _name_rank(name: str, names: list[str]) -> int:
    """What a name says of its copy: final words and higher versions up, draft words down."""
    words = " ".join(re.split(r"[_\W]+", PurePath(name).stem.lower()))
    rank = 0
    if FINAL_WORDS.search(words):
        rank += 100
    if DRAFT_WORDS.search(words):
        rank -= 100
    versions = [_version(other) for other in names]
    mine = _version(name)
    if mine is not None and len({v for v in versions if v is not None}) > 1:
        rank += sorted({v for v in versions if v is not None}).index(mine)
    return rank


def _version(name: str) -> int | None:
    found = VERSION.findall(" ".join(re.split(r"[_\W]+", PurePath(name).stem.lower())))
    return int(found[-1]) if found else None
