"""Workbooks written by the real writers councils' tools use, from one description.

A `Book` is sheets of rows of values (str, int, float, bool, `Percent` or None) with merges;
`write` hands it to openpyxl, xlsxwriter, xlwt, odfpy or the csv module (in an encoding).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import openpyxl
import xlsxwriter
import xlwt
from odf.table import TableCell
from odf.text import P

from intake.samples.files import covered_cells, ods_document, saved
from intake.samples.grids import SheetGrid


@dataclass(frozen=True)
class Percent:
    """A fraction in a cell formatted as a percentage: 0.9 shown as 90%."""

    fraction: float


Value = str | int | float | bool | Percent | None
FORMATS = ["xlsx", "xlsxwriter", "xls", "ods", "csv"]


@dataclass
class Book:
    """Sheets as rows of values; merges as 0-based inclusive (row1, col1, row2, col2)."""

    sheets: list[tuple[str, list[list[Value]], bool]]
    merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)


def write(fmt: str, book: Book, stem: str = "Leeds return",
          encoding: str = "cp1252") -> tuple[str, bytes]:
    """The book written by a real writer for `fmt`, as (filename, bytes)."""
    writers = {"xlsx": _openpyxl, "xlsxwriter": _xlsxwriter, "xls": _xlwt, "ods": _odfpy}
    extension = "xlsx" if fmt == "xlsxwriter" else fmt
    data = _csv(book, encoding) if fmt == "csv" else writers[fmt](book)
    return f"{stem}.{extension}", data


def _plain(value: Value) -> str | int | float | bool | None:
    return value.fraction if isinstance(value, Percent) else value


def _openpyxl(book: Book) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows, hidden in book.sheets:
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = sheet.cell(r, c, _plain(value))
                    if isinstance(value, Percent):
                        cell.number_format = "0%"
        for r1, c1, r2, c2 in book.merges.get(name, []):
            sheet.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1,
                              end_column=c2 + 1)
        sheet.sheet_state = "hidden" if hidden else "visible"
    return saved(workbook.save)


def _xlsxwriter(book: Book) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    percent = workbook.add_format({"num_format": "0%"})
    for name, rows, hidden in book.sheets:
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, Percent):
                    sheet.write(r, c, value.fraction, percent)
                elif value is not None:
                    sheet.write(r, c, value)
        for r1, c1, r2, c2 in book.merges.get(name, []):
            sheet.merge_range(r1, c1, r2, c2, _plain(rows[r1][c1]))
        if hidden:
            sheet.hide()
    workbook.close()
    return buffer.getvalue()


def _xlwt(book: Book) -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    percent = xlwt.easyxf(num_format_str="0%")
    for name, rows, hidden in book.sheets:
        sheet = workbook.add_sheet(name)
        merges = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in book.merges.get(name, [])}
        covered = covered_cells(book.merges.get(name, []))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in merges:
                    sheet.write_merge(r, merges[(r, c)][0], c, merges[(r, c)][1], _plain(value))
                elif isinstance(value, Percent):
                    sheet.write(r, c, value.fraction, percent)
                elif value is not None and (r, c) not in covered:
                    sheet.write(r, c, value)
        sheet.visibility = 1 if hidden else 0
    return saved(workbook.save)


def _odfpy(book: Book) -> bytes:
    return ods_document((SheetGrid(name, tuple(map(tuple, rows)), tuple(book.merges.get(name, [])),
                                   hidden=hidden) for name, rows, hidden in book.sheets), _odf_cell)


def _odf_cell(value: Value, span: dict[str, int]) -> TableCell:
    if isinstance(value, Percent):
        cell = TableCell(valuetype="percentage", value=value.fraction, **span)
        cell.addElement(P(text=f"{value.fraction:.0%}"))
        return cell
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower(), **span)
        cell.addElement(P(text=str(value).upper()))
        return cell
    if isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value, **span)
    else:
        cell = TableCell(valuetype="string", **span) if value else TableCell(**span)
    if value is not None:
        cell.addElement(P(text=str(value)))
    return cell


def _csv(book: Book, encoding: str) -> bytes:
    """The fullest visible sheet, as a spreadsheet's "Save as CSV" writes the active one."""
    name, rows, _ = max(book.sheets, key=lambda sheet: (not sheet[2], len(sheet[1])))
    text = io.StringIO()
    csv.writer(text).writerows([[_csv_text(v) for v in row] for row in rows])
    return text.getvalue().encode(encoding)


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{value.fraction:.0%}"
    if isinstance(value, bool):
        return str(value).upper()
    return str(value)
