"""The LA named only in a heading, a cover sheet or a sheet's name, when no field names it.

"Leeds City Council - care home support return" across the top of the sheet, a cover sheet
with the council's name, or a sheet called "Leeds": a council clearly named there is the
template's LA, as a person reading the workbook would take it. Names are found the way
letters are read (`store.mentions`), so a neighbour or an NHS body named in passing, or two
councils named alike, give nothing rather than a guess.
"""

from __future__ import annotations

from pathlib import PurePath

from intake.reading.grid import Sheet
from store.mentions import find_authorities_in_text

TITLE_ROWS = 15
TITLE_COLS = 8
CONFIDENT = 75.0


def la_in_headings(sheet: Sheet, above: int) -> dict[str, str | None]:
    """{'la_name': as written, 'la_cell': where} from the cells above row `above`, or {}.

    Only headings count: below them, the table's own cells name neighbours and NHS bodies.
    """
    for r in range(min(len(sheet.rows), TITLE_ROWS, above)):
        for c in range(min(sheet.width, TITLE_COLS)):
            named = _clearly_named(sheet.cell(r, c))
            if named:
                return {"la_name": named, "la_cell": sheet.ref(r, c)}
    return {}


def la_from_titles(sheets: list[Sheet], template_sheet: str,
                   filename: str) -> dict[str, str | None]:
    """{'la_name', 'la_cell'} from another sheet's headings (a cover) or a sheet's name, or {}.

    A .csv's one sheet is named after the file: the file name is left to identification,
    which trusts it least.
    """
    for sheet in sheets:
        if sheet.name != template_sheet and not sheet.hidden:
            heading = la_in_headings(sheet, TITLE_ROWS)
            if heading:
                return heading
    for sheet in sorted(sheets, key=lambda sheet: sheet.name != template_sheet):
        named = _clearly_named(sheet.name) if sheet.name != PurePath(filename).stem else None
        if named:
            return {"la_name": named, "la_cell": f'the sheet name "{sheet.name}"'}
    return {}


def _clearly_named(text: str) -> str | None:
    if len(text.strip()) < 3 or len(text) > 300 or not any(ch.isalpha() for ch in text):
        return None
    found = [m for m in find_authorities_in_text(text) if m.score >= CONFIDENT]
    if not found or (len(found) > 1 and found[1].score >= found[0].score):
        return None
    return found[0].matched
