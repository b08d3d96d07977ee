"""Finding the support implementation status template in a workbook by what it says.

Nothing is read from a fixed address. Reading is a short pipeline of pure steps over the one
grid model (`intake.reading.grid`), whatever format the file was:
1. each sheet, as written and, when its actions run across, transposed, is searched for the
   action rows (`intake.reading.action_rows`: codes in any form, labels fuzzily, order under
   the focus headings);
2. the table's columns are found by header meaning and content (`intake.reading.columns`);
3. the header fields by what their labels mean (`intake.reading.fields`), outside the table,
   then as a total row at the table's foot, then on the other sheets, and the LA last from a
   heading or a sheet's name (`intake.reading.titles`);
4. among several sheets holding the template, the final one (`intake.reading.choosing`).
A new layout is a new rule in one of these steps.
"""

from __future__ import annotations

import re
from dataclasses import replace

from intake.models import ActionRow, TemplateReading
from intake.reading.action_rows import MIN_ACTIONS, ActionCandidate, find_action_rows
from intake.reading.choosing import choose_template
from intake.reading.columns import Columns, find_columns
from intake.reading.fields import find_fields
from intake.reading.grid import Region, Sheet
from intake.reading.labels import label_meaning
from intake.reading.titles import la_from_titles, la_in_headings
from store.collection import Collection

FOOT_ROWS = 3                       # a total row sits just under the last action
FOOT_TOTAL = re.compile(r"^\s*(?:grand\s+)?totals?\b", re.IGNORECASE)


def find_template(sheets: list[Sheet], filename: str,
                  collection: Collection) -> TemplateReading | None:
    """The template read from the sheet that holds it (the final one, when there are several),
    or None when no sheet does."""
    readings = [found for sheet in sheets if (found := _read_sheet(sheet, filename, collection))]
    chosen = choose_template(readings, within="workbook")
    if chosen is None:
        return None
    chosen = _fields_from_other_sheets(chosen, sheets, collection)
    if chosen.la_name is None:
        # la_from_titles gives only the optional text fields la_name and la_cell.
        chosen = replace(chosen, **la_from_titles(sheets, chosen.sheet, filename))  # type: ignore[arg-type]
    return chosen


def _read_sheet(written: Sheet, filename: str, collection: Collection) -> TemplateReading | None:
    sheet = written
    chosen = find_action_rows(sheet, collection)
    if len(chosen) < MIN_ACTIONS and sheet.rows:
        # Actions written across the sheet as columns: the same rules, transposed.
        sheet = sheet.transpose()
        chosen = find_action_rows(sheet, collection)
    if len(chosen) < MIN_ACTIONS:
        return None
    columns = find_columns(sheet, chosen, collection)
    rows = tuple(_action_row(sheet, chosen[code], columns)
                 for code in collection.action_codes if code in chosen)
    last = max(c.row for c in chosen.values())
    table = Region(columns.header_top, last, max(0, columns.action - 1), sheet.width)
    # Header fields are read as written: a label's value beside it is not below it.
    as_written = table.transpose() if sheet.transposed else table
    fields = find_fields(written, collection, as_written)
    if fields.get("la_name") is None:
        fields.update(la_in_headings(written, as_written.top))
    if not fields.get("total_raw"):
        fields.update(_foot_total(sheet, last, columns))
    # find_fields gives only the reading's optional text fields (la_name, total_raw, ...).
    return TemplateReading(filename=filename, sheet=sheet.name, rows=rows, hidden=sheet.hidden,
                           **fields)  # type: ignore[arg-type]


def _foot_total(sheet: Sheet, last: int, columns: Columns) -> dict[str, str | None]:
    """The total written as a row at the foot of the table ("Total", then the count)."""
    if columns.homes is None:
        return {}
    for r in range(last + 1, last + 1 + FOOT_ROWS):
        for c in range(max(0, columns.action - 1), columns.homes):
            text = sheet.cell(r, c)
            if FOOT_TOTAL.match(text) and label_meaning(text) not in ("la", "contact"):
                return {"total_raw": sheet.cell(r, columns.homes),
                        "total_cell": sheet.ref(r, columns.homes),
                        "total_label": " ".join(text.split())}
    return {}


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


def _action_row(sheet: Sheet, candidate: ActionCandidate, columns: Columns) -> ActionRow:
    r = candidate.row

    def text(col: int | None) -> str:
        return sheet.cell(r, col) if col is not None else ""

    def ref(col: int | None) -> str | None:
        return sheet.ref(r, col) if col is not None else None

    return ActionRow(code=candidate.code, homes_raw=text(columns.homes),
                     homes_cell=ref(columns.homes), support_raw=text(columns.support),
                     support_cell=ref(columns.support), description=text(columns.description),
                     issues=text(columns.issues))
