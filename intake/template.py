"""Finding the support implementation status template in a workbook by what it says.

Nothing is read from a fixed address. The template's sheet is the one whose rows carry the
action codes (1.1 ... 5.2) and/or the action labels (matched fuzzily, as LAs reword them);
the count, Yes/No, description and issues columns come from the header texts above those
rows, falling back to what the cells look like; the header fields (LA, total, contact) and
the two free-text boxes are found by their label text anywhere on the sheet.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process, utils

from intake.models import ActionRow, TemplateReading
from intake.sheets import Sheet
from intake.values import parse_count, parse_support
from store.collection import Collection

LOCATE_ROWS = 1_000                 # templates sit near the top; this bounds the fuzzy work
LOCATE_COLS = 30
MIN_ACTIONS = 3                     # fewer matching rows than this is not the template
LABEL_SCORE = 75
LABEL_MARGIN = 5
REWORDED_SCORE = 55                 # inside a located table, against the actions not yet found
REWORDED_MARGIN = 10
HEADER_ROWS_ABOVE = 12
CODE = re.compile(r"^\s*\(?\s*(?:action\s*)?([1-9])\s*\.\s*(\d{1,2})(?!\d)\s*[).:\-\u2013]?\s*(.*)$",
                  re.IGNORECASE | re.DOTALL)
FOCUS = re.compile(r"^\s*(?:focus|section|area)\s*\d\s*[:.)\-\u2013]?\s*", re.IGNORECASE)
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
class _Candidate:
    row: int
    code: str
    col: int                        # the action cell: where the label (or the code alone) is
    has_code: bool
    label_score: float


@dataclass(frozen=True)
class _Columns:
    homes: int | None
    support: int | None
    description: int | None
    issues: int | None
    headers_found: int


def find_template(sheets: list[Sheet], filename: str,
                  collection: Collection) -> TemplateReading | None:
    """The template read from whichever sheet looks most like it, or None if none does."""
    best: tuple[tuple[int, int, int], TemplateReading] | None = None
    for sheet in sheets:
        found = _read_sheet(sheet, filename, collection)
        if found and (best is None or found[0] > best[0]):
            best = found
    if best is None:
        return None
    return _fields_from_other_sheets(best[1], sheets, collection)


def _read_sheet(sheet: Sheet, filename: str,
                collection: Collection) -> tuple[tuple[int, int, int], TemplateReading] | None:
    chosen = _action_rows(sheet, collection)
    if len(chosen) < MIN_ACTIONS:
        return None
    columns = _columns(sheet, chosen, collection)
    rows = tuple(_action_row(sheet, chosen[code], columns)
                 for code in collection.action_codes if code in chosen)
    filled = sum(1 for row in rows if row.homes_raw.strip() or row.support_raw.strip())
    fields = find_fields(sheet, collection)
    reading = TemplateReading(filename=filename, sheet=sheet.name, rows=rows, **fields)
    return (len(rows), columns.headers_found, filled), reading


def _fields_from_other_sheets(reading: TemplateReading, sheets: list[Sheet],
                              collection: Collection) -> TemplateReading:
    """LA, total and contact may sit on a cover sheet rather than beside the table."""
    missing = {"la_name": "la_cell", "total_raw": "total_cell", "contact_raw": None}
    if all(getattr(reading, name) is not None for name in missing):
        return reading
    updates: dict[str, str | None] = {}
    for sheet in sheets:
        if sheet.name == reading.sheet:
            continue
        fields = find_fields(sheet, collection)
        for name, cell in missing.items():
            if getattr(reading, name) is None and name not in updates and fields.get(name):
                updates[name] = fields[name]
                if cell:
                    updates[cell] = fields[cell]
                else:
                    updates.update({k: v for k, v in fields.items() if k.startswith("contact_")})
    return replace(reading, **updates)


# --- the action rows -----------------------------------------------------------------------


def _action_rows(sheet: Sheet, collection: Collection) -> dict[str, _Candidate]:
    """For each action found, the row that most surely is it."""
    labels = {action.code: action.label for action in collection.actions}
    focus = tuple(collection.focus_areas.values())
    candidates = [c for r in range(min(len(sheet.rows), LOCATE_ROWS))
                  if (c := _row_candidate(sheet.rows[r], r, labels, focus))]
    if not candidates:
        return {}
    usual_col = Counter(c.col for c in candidates).most_common(1)[0][0]
    chosen: dict[str, _Candidate] = {}
    for candidate in candidates:
        current = chosen.get(candidate.code)
        if current is None or _rank(candidate, usual_col) > _rank(current, usual_col):
            chosen[candidate.code] = candidate
    return _add_reworded(sheet, chosen, usual_col, labels, focus)


def _add_reworded(sheet: Sheet, chosen: dict[str, _Candidate], col: int,
                  labels: dict[str, str], focus: tuple[str, ...]) -> dict[str, _Candidate]:
    """Inside the table found, a label reworded beyond the first pass's bar still names its row."""
    if len(chosen) < MIN_ACTIONS:
        return chosen
    taken = {c.row for c in chosen.values()}
    rows = sorted(taken)
    for r in range(rows[0], rows[-1] + 1):
        text = sheet.cell(r, col).strip()
        left = {code: label for code, label in labels.items() if code not in chosen}
        if r in taken or len(text) < 10 or CODE.match(text) or _is_focus(text, focus) or not left:
            continue
        found = _label_match(text, left, REWORDED_SCORE, REWORDED_MARGIN)
        if found:
            chosen[found[0]] = _Candidate(r, found[0], col, False, found[1])
    return chosen


def _rank(candidate: _Candidate, usual_col: int) -> tuple[bool, bool, bool, float]:
    strong = candidate.has_code and candidate.label_score >= LABEL_SCORE
    return (candidate.col == usual_col, strong, candidate.has_code, candidate.label_score)


def _row_candidate(cells: tuple[str, ...], row: int, labels: dict[str, str],
                   focus: tuple[str, ...]) -> _Candidate | None:
    """The row's leftmost cell that carries an action code or an action's label."""
    for col in range(min(len(cells), LOCATE_COLS)):
        text = cells[col].strip()
        if not text:
            continue
        match = CODE.match(text)
        code = f"{match.group(1)}.{match.group(2)}" if match else None
        if code in labels:
            return _coded_candidate(cells, row, col, code, match.group(3).strip(), labels)
        if len(text) >= 10:
            found = _label_match(text, labels)
            if found and not _is_focus(text, focus):
                return _Candidate(row, found[0], col, False, found[1])
    return None


def _coded_candidate(cells: tuple[str, ...], row: int, col: int, code: str, rest: str,
                     labels: dict[str, str]) -> _Candidate:
    if rest:
        return _Candidate(row, code, col, True, _similarity(rest, labels[code]))
    # The code in a cell of its own: the label, if any, is in the next cell along.
    for label_col in range(col + 1, min(col + 3, len(cells))):
        if cells[label_col].strip():
            score = _similarity(cells[label_col], labels[code])
            if score >= LABEL_SCORE:
                return _Candidate(row, code, label_col, True, score)
            break
    return _Candidate(row, code, col, True, 0.0)


def _is_focus(text: str, focus: tuple[str, ...]) -> bool:
    """A section heading ("Focus 1: Infection prevention ...") reads much like an action."""
    title = FOCUS.sub("", text)
    return title != text or any(fuzz.ratio(title, name, processor=utils.default_process) >= 85
                                for name in focus)


def _similarity(text: str, label: str) -> float:
    # ratio alone punishes added words; token_set alone cannot tell "Access to PPE" from
    # "Access to training in the use of PPE": the mean of both separates the 14 labels.
    return (fuzz.ratio(text, label, processor=utils.default_process)
            + fuzz.token_set_ratio(text, label, processor=utils.default_process)) / 2


def _label_match(text: str, labels: dict[str, str], score: float = LABEL_SCORE,
                 margin: float = LABEL_MARGIN) -> tuple[str, float] | None:
    # A label can only reach `score` when its plain ratio reaches 2*score-100: a native
    # pre-check keeps the slower mean score off the thousands of cells that are no label.
    if not process.extractOne(text, labels, scorer=fuzz.ratio, processor=utils.default_process,
                              score_cutoff=2 * score - 100):
        return None
    best = process.extract(text, labels, scorer=_scorer, limit=2)
    if not best or best[0][1] < score:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < margin:
        return None
    return best[0][2], best[0][1]


def _scorer(text: str, label: str, **_: object) -> float:
    return _similarity(text, label)


def _action_row(sheet: Sheet, candidate: _Candidate, columns: _Columns) -> ActionRow:
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


def _columns(sheet: Sheet, chosen: dict[str, _Candidate], collection: Collection) -> _Columns:
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
    if description is None and support is not None and span("support"):
        description = next((col for col in span("support") if col > support
                            and any(values.get(col, []))), None)
    issues = _pick(span("issues"), values, bool, exclude={homes, support, description})
    return _Columns(homes, support, description, issues, len(headers))


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


# --- the header fields and free-text boxes -------------------------------------------------

FIELD_PATTERNS = {
    "la": re.compile(r"^\s*(?:name\s+of\s+(?:the\s+)?)?(?:local\s+authority|council|la|authority)"
                     r"(?:\s+name)?\s*(?:[:\-\u2013]\s*(?P<rest>.*?))?\s*$", re.IGNORECASE | re.DOTALL),
    "total": re.compile(r"^\s*total\b[^:?]*\bhomes\b[^:?]*?(?:[:?\-\u2013]\s*(?P<rest>.*?))?\s*$",
                        re.IGNORECASE | re.DOTALL),
    "contact": re.compile(r"^\s*(?:the\s+)?contact(?:\s+person|\s+name|\s+details)?(?:\s+for\s+"
                          r"(?:this|the)\s+return)?(?:\s+is)?\s*(?:[:\-\u2013]\s*(?P<rest>.*?))?\s*$",
                          re.IGNORECASE | re.DOTALL),
    "benefit": re.compile(r"^\s*highlight\s+any\s+support\b", re.IGNORECASE),
    "regional": re.compile(r"^\s*highlight\s+any\s+(?:particular\s+)?issues\b", re.IGNORECASE),
}
SUB_LABEL = re.compile(r"^\s*(?:name|e-?mail(?:\s+address)?|tel(?:ephone)?|phone|mobile|job\s+title|"
                       r"role|position)\s*(?:no\.?|number)?\s*[:\-\u2013]?\s*", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+44\s?\(?0?\)?|\b0)[\d\s()-]{8,}\d")
SEPARATOR = ":-\u2013?"


def find_fields(sheet: Sheet, collection: Collection) -> dict[str, str | None]:
    """The header fields and free-text boxes found on one sheet, as TemplateReading fields."""
    labels = _field_labels(collection)
    found: dict[str, tuple[int, int, str]] = {}
    for r in range(min(len(sheet.rows), LOCATE_ROWS)):
        for c in range(min(sheet.width, LOCATE_COLS)):
            field = _which_field(sheet.rows[r][c], labels)
            if field and field[0] not in found:
                found[field[0]] = (r, c, field[1])
    fields: dict[str, str | None] = {}
    for name, raw, cell in (("la", "la_name", "la_cell"), ("total", "total_raw", "total_cell")):
        if name in found:
            fields[raw], fields[cell] = _field_value(sheet, found[name], labels)
    if "contact" in found:
        fields.update(_contact(_contact_text(sheet, found["contact"], labels)))
    for name, key in (("benefit", "support_benefit"), ("regional", "regional_issues")):
        if name in found:
            fields[key] = _box_text(sheet, found[name], labels)
    return fields


def _field_labels(collection: Collection) -> dict[str, str]:
    text = collection.template
    return {"la": text.la_label, "total": text.total_label, "contact": text.contact_label,
            "benefit": text.benefit_label, "regional": text.regional_issues_label}


def _which_field(text: str, labels: dict[str, str]) -> tuple[str, str] | None:
    """(field, text written after the label in the same cell) when the cell is a field's label."""
    if not text.strip() or len(text) > 600:
        return None
    for field, label in labels.items():
        match = FIELD_PATTERNS[field].match(text)
        if match:
            return field, (match.groupdict().get("rest") or "").strip()
        rest = _after_label(text, label)
        if rest is not None:
            return field, rest
    return None


def _after_label(text: str, label: str) -> str | None:
    """The text after `label` when the cell starts with it (fuzzily), else None."""
    lowered, wanted = text.lower(), label.lower().rstrip(": ")
    if len(lowered.strip()) < 0.6 * len(wanted):
        return None
    found = fuzz.partial_ratio_alignment(wanted, lowered)
    if found is None or found.score < 85 or lowered[:found.dest_start].strip():
        return None
    rest = text[found.dest_end:]
    value = rest.strip()
    if not value:
        return ""
    if value[0] in SEPARATOR or label.rstrip().endswith(":"):
        return value.lstrip(SEPARATOR + " ").strip()
    if not rest[0].isspace():
        return ""                   # the alignment stopped inside the label's last word
    return value if len(value) <= 25 or "@" in value else None


def _is_label(text: str, labels: dict[str, str]) -> bool:
    return _which_field(text, labels) is not None or bool(CODE.match(text) and len(text) > 8)


def _field_value(sheet: Sheet, where: tuple[int, int, str],
                 labels: dict[str, str]) -> tuple[str, str]:
    """A one-cell field's text: after the label, else to its right, else below it."""
    r, c, rest = where
    if rest:
        return rest, sheet.ref(r, c)
    for col in range(c + 1, c + 7):
        text = sheet.cell(r, col)
        if text.strip():
            if _is_label(text, labels):
                break
            return text, sheet.ref(r, col)
    for row in (r + 1, r + 2):
        text = sheet.cell(row, c)
        if text.strip():
            if _is_label(text, labels):
                break
            return text, sheet.ref(row, c)
    return "", sheet.ref(r, c + 1)


def _contact_text(sheet: Sheet, where: tuple[int, int, str], labels: dict[str, str]) -> str:
    """The contact's details: after the label, to its right, and on the rows just below."""
    r, c, rest = where
    pieces = [rest] if rest else []
    pieces += [t.strip() for t in sheet.rows[r][c + 1:c + 7] if t.strip()]
    below_only = not pieces
    for row in range(r + 1, r + 4):
        cells = [t.strip() for t in sheet.rows[row][c:c + 7]] if row < len(sheet.rows) else []
        if not any(cells) or any(_is_label(t, labels) for t in cells if t):
            break
        first = next(t for t in cells if t)
        # Rows below continue the contact when the details sit under the label, or when
        # they are labelled (Email:, Tel:) or plainly an address or a number.
        if not (below_only or cells[0] == "" or SUB_LABEL.match(first) or EMAIL.search(first)
                or PHONE.search(first)):
            break
        pieces += [t for t in cells if t and not SUB_LABEL.fullmatch(t)]
    return ", ".join(pieces)


def _contact(text: str) -> dict[str, str | None]:
    email = EMAIL.search(text)
    phone = PHONE.search(text)
    rest = text
    for found in (email, phone):
        if found:
            rest = rest.replace(found.group(0), ",")
    chunks = [SUB_LABEL.sub("", chunk).strip(" ()") for chunk in re.split(r"[,;\n|/]", rest)]
    name = next((chunk for chunk in chunks if re.search(r"[A-Za-z]", chunk)), None)
    return {"contact_raw": text, "contact_name": name.split("(")[0].strip() if name else None,
            "contact_email": email.group(0) if email else None,
            "contact_phone": " ".join(phone.group(0).split()) if phone else None}


def _box_text(sheet: Sheet, where: tuple[int, int, str], labels: dict[str, str]) -> str:
    """A free-text box: after the label, to its right, or the filled rows below it."""
    r, c, rest = where
    if rest:
        return rest.strip()
    right = [t.strip() for t in sheet.rows[r][c + 1:c + 9] if t.strip()]
    if right and not any(_is_label(t, labels) for t in right):
        return "\n".join(right)
    lines: list[str] = []
    for row in range(r + 1, min(len(sheet.rows), r + 12)):
        cells = [t.strip() for t in sheet.rows[row][c:c + 9] if t.strip()]
        if any(_is_label(t, labels) for t in cells):
            break
        if not cells and lines:
            break
        if cells:
            lines.append(" ".join(cells))
        elif row > r + 2:
            break
    return "\n".join(lines)
