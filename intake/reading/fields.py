"""The template's header fields and free-text boxes, found by their label text.

The LA name, total care homes and contact, and the two free-text boxes, are found wherever
their labels sit on a sheet, by what the label means (`intake.reading.labels`); a value is
read after the label in the same cell, to its right (across merged cells), or below it.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, utils

from intake.reading.action_rows import CODE, LOCATE_COLS, LOCATE_ROWS
from intake.reading.grid import Region, Sheet
from intake.reading.labels import SeedLabels, field_of
from store.collection import Collection

SUB_LABEL = re.compile(r"^\s*(?:name|e-?mail(?:\s+address)?|tel(?:ephone)?|phone|mobile|job\s+title|"
                       r"role|position)\s*(?:no\.?|number)?\s*[:\-\u2013]?\s*", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+44\s?\(?0?\)?|\b0)[\d\s()-]{8,}\d")


def find_fields(sheet: Sheet, collection: Collection,
                table: Region | None = None) -> dict[str, str | None]:
    """The header fields and free-text boxes found on one sheet, as TemplateReading fields.

    Labels inside `table` (its header and action rows) are column headers, not fields.
    """
    labels = _field_labels(collection)
    found: dict[str, tuple[int, int, str]] = {}
    totals: list[tuple[int, int, str]] = []
    for r, row in enumerate(sheet.rows[:LOCATE_ROWS]):
        inside = _columns_inside(table, r)
        for c, text in enumerate(row[:LOCATE_COLS]):
            if not text or c in inside:     # most cells are empty
                continue
            field = field_of(text, labels)
            if field and field[0] == "total":
                totals.append((r, c, field[1]))
            elif field and field[0] not in found:
                found[field[0]] = (r, c, field[1])
    if totals:
        # Several counts of homes (homes responding, homes with outbreaks...): the total is
        # the one whose label reads most like the template's.
        found["total"] = max(totals, key=lambda where: fuzz.token_set_ratio(
            _label_text(sheet, where), collection.template.total_label,
            processor=utils.default_process))
    fields: dict[str, str | None] = {}
    for name, raw, cell in (("la", "la_name", "la_cell"), ("total", "total_raw", "total_cell")):
        if name in found:
            fields[raw], fields[cell] = _field_value(sheet, found[name], labels)
    if "total" in found:
        fields["total_label"] = _label_text(sheet, found["total"])
    if "contact" in found:
        fields.update(_contact(_contact_text(sheet, found["contact"], labels)))
    for name, key in (("benefit", "support_benefit"), ("regional", "regional_issues")):
        if name in found:
            fields[key] = _box_text(sheet, found[name], labels)
    return fields


def _label_text(sheet: Sheet, where: tuple[int, int, str]) -> str:
    """The label as written, without the value that follows it in the same cell."""
    r, c, rest = where
    text = " ".join(sheet.cell(r, c).split())
    if rest:
        text = text[:text.rfind(" ".join(rest.split()))]
    return text.rstrip(" :-\u2013")


def _columns_inside(table: Region | None, row: int) -> range:
    """The columns of `row` that lie inside `table` (none when the row is outside it)."""
    if table is None or not table.top <= row <= table.bottom:
        return range(0)
    return range(table.left, table.right + 1)


def _field_labels(collection: Collection) -> SeedLabels:
    text = collection.template
    return (("la", text.la_label), ("total", text.total_label), ("contact", text.contact_label),
            ("benefit", text.benefit_label), ("regional", text.regional_issues_label))


def _is_label(text: str, labels: SeedLabels) -> bool:
    return field_of(text, labels) is not None or bool(CODE.match(text) and len(text) > 8)


def _field_value(sheet: Sheet, where: tuple[int, int, str],
                 labels: SeedLabels) -> tuple[str, str]:
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


def _contact_text(sheet: Sheet, where: tuple[int, int, str], labels: SeedLabels) -> str:
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


def _box_text(sheet: Sheet, where: tuple[int, int, str], labels: SeedLabels) -> str:
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
