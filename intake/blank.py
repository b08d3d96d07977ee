"""The blank support implementation status template that LAs fill in (.xlsx).

Laid out as the 2020 template was: title; LA, total and contact fields; the note on counts;
the column headers; the Focus 1..5 section rows in bold with their actions below; and the two
free-text boxes. The Yes/No cells start at "<Please select>" with a Yes/No dropdown; the
description of the support wanted goes in the cell beside it, under the same header.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from store.collection import Collection

COUNT_NOTE = ("*Number of Care Homes: the number of care homes in your local area where the "
              "corresponding action or support is in place.")
INPUT = PatternFill("solid", fgColor="FFF2CC")
HEADER = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
WIDTHS = {"A": 62, "B": 18, "C": 16, "D": 40, "E": 44}
LAST_COLUMN = "E"
BOX_ROWS = 5


def write_blank_template(path: Path, collection: Collection) -> None:
    """Write the blank template for `collection` to `path` (.xlsx)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Implementation Status"
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    row = _write_header_fields(sheet, collection)
    row = _write_table(sheet, collection, row + 1)
    row = _write_box(sheet, collection.template.benefit_label, row + 1)
    _write_box(sheet, collection.template.regional_issues_label, row + 1)
    sheet.freeze_panes = None
    book.save(path)


def _write_header_fields(sheet: Worksheet, collection: Collection) -> int:
    text = collection.template
    sheet["A1"] = text.title
    sheet["A1"].font = Font(bold=True, size=14)
    for row, label in ((3, f"{text.la_label}:"), (4, text.total_label), (5, text.contact_label)):
        sheet.cell(row, 1, label).font = Font(bold=True)
        sheet.merge_cells(f"B{row}:{LAST_COLUMN}{row}")
        value = sheet.cell(row, 2)
        value.fill, value.border = INPUT, BOX
    sheet["A7"] = COUNT_NOTE
    sheet["A7"].font = Font(italic=True)
    return 8


def _write_table(sheet: Worksheet, collection: Collection, row: int) -> int:
    headers = collection.template.column_headers
    texts = [headers["action"], f"*{headers['homes_in_place']}", headers["support"], "",
             headers["issues"]]
    for col, value in enumerate(texts, start=1):
        cell = sheet.cell(row, col, value or None)
        cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), HEADER, WRAP, BOX
    sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
    sheet.row_dimensions[row].height = 90
    sheet.cell(row + 1, 3, "Yes/No").font = Font(italic=True)
    sheet.cell(row + 1, 4, "If Yes, brief description of the support").font = Font(italic=True)
    choose = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Yes or No",
                            error="Please choose Yes or No from the list.")
    sheet.add_data_validation(choose)
    row += 2
    for focus, title in collection.focus_areas.items():
        sheet.cell(row, 1, f"Focus {focus}: {title}").font = Font(bold=True)
        row += 1
        for action in (a for a in collection.actions if a.focus == focus):
            row = _write_action(sheet, row, f"{action.code}) {action.label}",
                                collection.template.placeholder, choose)
    return row


def _write_action(sheet: Worksheet, row: int, label: str, placeholder: str,
                  choose: DataValidation) -> int:
    sheet.cell(row, 1, label).alignment = WRAP
    for col in range(2, 6):
        cell = sheet.cell(row, col)
        cell.fill, cell.border, cell.alignment = INPUT, BOX, WRAP
    sheet.cell(row, 3, placeholder)
    choose.add(f"C{row}")
    return row + 1


def _write_box(sheet: Worksheet, label: str, row: int) -> int:
    sheet.cell(row, 1, label).font = Font(bold=True)
    top, bottom = row + 1, row + BOX_ROWS
    sheet.merge_cells(f"A{top}:{LAST_COLUMN}{bottom}")
    sheet.cell(top, 1).fill, sheet.cell(top, 1).alignment = INPUT, WRAP
    sheet.cell(top, 1).border = BOX
    return bottom + 1
