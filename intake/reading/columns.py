"""Which column of the template's table holds what: by header meaning, then by content.

The count, Yes/No, description and issues columns come from the header texts above the
action rows (matched fuzzily against the collection's wording, then by keyword), falling back
to what the cells hold (a column of counts, of Yes/No answers); a header merged over several
columns names the one among them that holds the data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from intake.reading.action_rows import LOCATE_COLS, ActionCandidate
from intake.reading.grid import Sheet
from intake.reading.text_cache import text_cache
from intake.reading.values import parse_count, parse_support
from store.collection import Collection

HEADER_ROWS_ABOVE = 12
HEADER_KEYWORDS = (
    ("issues", re.compile(r"\bissues?\b")),
    ("support", re.compile(r"yes\s*/\s*no|\by\s*/\s*n\b|additional support|support\s+(would\s+)?"
                           r"be\s+helpful|support\s+(needed|required|requested)|further support")),
    ("description", re.compile(r"descri|type of support|details|if yes")),
    ("homes_in_place", re.compile(r"\b(number|no\.?|num|count)\b.*\bhomes\b|homes in place|^homes$"
                                  r"|^care homes$")),
    ("action", re.compile(r"\bactions?\b")),
)


@dataclass(frozen=True)
class Columns:
    """Where each of an action row's values is, and the table's header and action columns."""

    homes: int | None
    support: int | None
    description: int | None
    issues: int | None
    action: int
    header_top: int                 # the highest header row read (the first action row if none)


def find_columns(sheet: Sheet, chosen: dict[str, ActionCandidate],
                 collection: Collection) -> Columns:
    """The columns of the table whose action rows are `chosen`."""
    rows = sorted(c.row for c in chosen.values())
    action_col = Counter(c.col for c in chosen.values()).most_common(1)[0][0]
    headers, header_top = _headers(sheet, rows[0], action_col, collection)
    starts = sorted(headers.values())

    def span(key: str) -> range | None:
        if key not in headers:
            return None
        start = headers[key]
        following = [col for col in starts if col > start]
        return range(start, following[0] if following else start + 3)

    values = {col: [sheet.cell(r, col).strip() for r in rows]
              for col in range(action_col + 1, sheet.width)}
    homes = _pick(span("homes_in_place"), values, _numberish)
    support = _pick(span("support"), values, _yes_no, exclude={homes})
    homes = homes if homes is not None else _fallback(values, _numberish, {support})
    support = support if support is not None else _fallback(values, _yes_no, {homes})
    description = headers.get("description")
    support_span = span("support")
    if description is None and support is not None and support_span:
        description = next((col for col in support_span if col > support
                            and any(values.get(col, []))), None)
    issues = _pick(span("issues"), values, bool, exclude={homes, support, description})
    return Columns(homes, support, description, issues, action_col, min(header_top, rows[0]))


def _pick(columns: range | None, values: dict[int, list[str]], looks_right: Callable[[str], bool],
          exclude: Container[int | None] = ()) -> int | None:
    """Under a header (which may be merged over several columns) the column that holds the data."""
    if columns is None:
        return None
    options = [col for col in columns if col not in exclude]
    for col in options:
        if _mostly(values.get(col, []), looks_right):
            return col
    return options[0] if options else None


def _fallback(values: dict[int, list[str]], looks_right: Callable[[str], bool],
              exclude: Container[int | None]) -> int | None:
    """No header: the first column right of the actions whose cells look the part."""
    for col, cells in values.items():
        if col not in exclude and _mostly(cells, looks_right):
            return col
    return None


def _mostly(cells: list[str], looks_right: Callable[[str], bool]) -> bool:
    filled = [text for text in cells if text]
    return bool(filled) and sum(1 for text in filled if looks_right(text)) * 2 >= len(filled)


def _numberish(text: str) -> bool:
    return parse_count(text, 100).kind in ("number", "not_applicable")


def _yes_no(text: str) -> bool:
    return parse_support(text).kind != "invalid"


def _headers(sheet: Sheet, first_row: int, action_col: int,
             collection: Collection) -> tuple[dict[str, int], int]:
    """Header key -> column, from the header rows nearest above the first action row; and the
    highest of those rows."""
    found: dict[str, int] = {}
    top = first_row
    for r in range(first_row - 1, max(-1, first_row - 1 - HEADER_ROWS_ABOVE), -1):
        for col in range(action_col + 1, min(sheet.width, action_col + 1 + LOCATE_COLS)):
            key = classify_header(sheet.cell(r, col), collection)
            if key and key != "action" and key not in found and col not in found.values():
                found[key] = col
                top = r
    return found, top


def classify_header(text: str, collection: Collection) -> str | None:
    """Which column a header text names: 'homes_in_place', 'support', 'description', 'issues'."""
    if not text:
        return None
    return _classify_header(text, tuple(collection.template.column_headers.items()))


@text_cache(maxsize=4096)
def _classify_header(text: str, header_items: tuple[tuple[str, str], ...]) -> str | None:
    plain = " ".join(text.lower().replace("*", " ").split())
    if not plain or "total" in plain or len(plain) > 400:
        return None
    best = process.extractOne(plain, dict(header_items), scorer=fuzz.ratio,
                              processor=utils.default_process, score_cutoff=85)
    if best:
        return best[2]
    return next((key for key, pattern in HEADER_KEYWORDS if pattern.search(plain)), None)
