"""Finding the support implementation status template in a workbook by what it says.

Nothing is read from a fixed address. The template's sheet is the one whose rows carry the
action codes (1.1 ... 5.2) and/or the action labels (matched fuzzily, as LAs reword them);
the count, Yes/No, description and issues columns come from the header texts above those
rows, falling back to what the cells look like; the header fields (LA, total, contact) and
the two free-text boxes are found by their label text anywhere on the sheet. The rows are
found by `intake.reading.action_rows`, the fields by `intake.reading.fields`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process, utils

from intake.models import ActionRow, TemplateReading
from intake.reading.action_rows import LOCATE_COLS, MIN_ACTIONS, ActionCandidate, find_action_rows
from intake.reading.choosing import choose_template
from intake.reading.fields import find_fields
from intake.reading.grid import Sheet
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
class _Columns:
    homes: int | None
    support: int | None
    description: int | None
    issues: int | None


def find_template(sheets: list[Sheet], filename: str,
                  collection: Collection) -> TemplateReading | None:
    """The template read from the sheet that holds it (the final one, when there are several),
    or None when no sheet does."""
    readings = [found for sheet in sheets if (found := _read_sheet(sheet, filename, collection))]
    chosen = choose_template(readings, within="workbook")
    if chosen is None:
        return None
    return _fields_from_other_sheets(chosen, sheets, collection)


def _read_sheet(sheet: Sheet, filename: str, collection: Collection) -> TemplateReading | None:
    chosen = find_action_rows(sheet, collection)
    if len(chosen) < MIN_ACTIONS:
        return None
    columns = _columns(sheet, chosen, collection)
    rows = tuple(_action_row(sheet, chosen[code], columns)
                 for code in collection.action_codes if code in chosen)
    fields = find_fields(sheet, collection)
    # find_fields gives only the reading's optional text fields (la_name, total_raw, ...).
    return TemplateReading(filename=filename, sheet=sheet.name, rows=rows, hidden=sheet.hidden,
                           **fields)  # type: ignore[arg-type]


def _fields_from_other_sheets(reading: TemplateReading, sheets: list[Sheet],
                              collection: Collection) -> TemplateReading:
    """LA, total and contact may sit on a cover sheet rather than beside the table."""
    missing = {"la_name": ("la_cell",), "total_raw": ("total_cell", "total_label"),
               "contact_raw": ("contact_name", "contact_email", "contact_phone")}
    if all(getattr(reading, name) is not None for name in missing):
        return reading
    updates: dict[str, str | None] = {}
    for sheet in sheets:
        if sheet.name == reading.sheet:
            continue
        fields = find_fields(sheet, collection)
        for name, companions in missing.items():
            if getattr(reading, name) is None and name not in updates and fields.get(name):
                updates.update({key: fields.get(key) for key in (name, *companions)})
    return replace(reading, **updates)  # type: ignore[arg-type]  # optional text fields only


def _action_row(sheet: Sheet, candidate: ActionCandidate, columns: _Columns) -> ActionRow:
    r = candidate.row

    def text(col: int | None) -> str:
        return sheet.cell(r, col) if col is not None else ""

    def ref(col: int | None) -> str | None:
        return sheet.ref(r, col) if col is not None else None

    return ActionRow(code=candidate.code, homes_raw=text(columns.homes),
                     homes_cell=ref(columns.homes), support_raw=text(columns.support),
                     support_cell=ref(columns.support), description=text(columns.description),
                     issues=text(columns.issues))


# --- the columns ---------------------------------------------------------------------------


def _columns(sheet: Sheet, chosen: dict[str, ActionCandidate], collection: Collection) -> _Columns:
    rows = sorted(c.row for c in chosen.values())
    action_col = Counter(c.col for c in chosen.values()).most_common(1)[0][0]
    headers = _headers(sheet, rows[0], action_col, collection)
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
    return _Columns(homes, support, description, issues)


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
             collection: Collection) -> dict[str, int]:
    """Header key -> column, from the header rows nearest above the first action row."""
    found: dict[str, int] = {}
    for r in range(first_row - 1, max(-1, first_row - 1 - HEADER_ROWS_ABOVE), -1):
        for col in range(action_col + 1, min(sheet.width, action_col + 1 + LOCATE_COLS)):
            key = classify_header(sheet.cell(r, col), collection)
            if key and key != "action" and key not in found and col not in found.values():
                found[key] = col
    return found


def classify_header(text: str, collection: Collection) -> str | None:
    """Which column a header text names: 'homes_in_place', 'support', 'description', 'issues'."""
    plain = " ".join(text.lower().replace("*", " ").split())
    if not plain or "total" in plain or len(plain) > 400:
        return None
    headers = collection.template.column_headers
    best = process.extractOne(plain, headers, scorer=fuzz.ratio, processor=utils.default_process,
                              score_cutoff=85)
    if best:
        return best[2]
    return next((key for key, pattern in HEADER_KEYWORDS if pattern.search(plain)), None)
