"""Real files for synthetic returns: the template as LAs fill it in, and covering letters.

The grids come from intake/samples/grids.py. The writers are the real libraries councils' files
come from: openpyxl and XlsxWriter (.xlsx), xlwt (.xls), odfpy (.ods, .odt), python-docx
(.docx) and fpdf2 (.pdf); xlwt, XlsxWriter and fpdf2 come with the `samples` extra.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

import docx
import xlsxwriter
import xlwt
from fpdf import FPDF
from odf.element import Element
from odf.namespaces import nsdict
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.style import Style, TableProperties
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from intake.samples.grids import (
    FILE_TIME,
    Layout,
    ReturnContent,
    SheetGrid,
    Value,
    lay_out,
    template_grid,
)
from store.collection import Collection

# odfpy declares, in every document, each namespace any element has used so far in the process
# (a class-level dict); declaring them all up front makes equal documents give equal bytes.
for _uri, _prefix in nsdict.items():
    Element.namespaces.setdefault(_uri, _prefix)


# --- spreadsheet writers -------------------------------------------------------------------


def saved(save: Callable[[io.BytesIO], object]) -> bytes:
    """What a writer's `save(file)` writes, as bytes."""
    buffer = io.BytesIO()
    save(buffer)
    return buffer.getvalue()


def write_xlsx(
    content: ReturnContent, layout: Layout = Layout(), collection: Collection | None = None
) -> bytes:
    """The return as .xlsx written by openpyxl, with a Yes/No list validation on the sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = lay_out(content, layout, collection)
    for grid in sheets:
        sheet = workbook.create_sheet(grid.name)
        for row in grid.rows:
            sheet.append(list(row))
        for bold_row in grid.bold_rows:
            for cell in sheet[bold_row + 1]:
                cell.font = Font(bold=True)
        for r1, c1, r2, c2 in grid.merges:
            sheet.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        if grid.hidden:
            sheet.sheet_state = "hidden"
        if grid.name == layout.sheet_name and "support" in layout.columns:
            column = "ABCDEF"[layout.columns.index("support")]
            validation = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
            validation.add(f"{column}1:{column}{len(grid.rows)}")
            sheet.add_data_validation(validation)
    workbook.active = _first_visible(sheets)
    workbook.properties.creator = "Adult Social Care"
    workbook.properties.created = FILE_TIME
    return normalise_zip(saved(workbook.save))


def write_xlsx_xlsxwriter(
    content: ReturnContent, layout: Layout = Layout(), collection: Collection | None = None
) -> bytes:
    """The return as .xlsx written by XlsxWriter."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": FILE_TIME, "author": "Adult Social Care"})
    bold = workbook.add_format({"bold": True})
    sheets = lay_out(content, layout, collection)
    for grid in sheets:
        sheet = workbook.add_worksheet(grid.name)
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value, bold if r in grid.bold_rows else None)
        for r1, c1, r2, c2 in grid.merges:
            sheet.merge_range(r1, c1, r2, c2, grid.rows[r1][c1], bold if r1 in grid.bold_rows else None)
        if grid.hidden:
            sheet.hide()
    workbook.worksheets()[_first_visible(sheets)].activate()
    workbook.close()
    return buffer.getvalue()


def write_xls(
    content: ReturnContent, layout: Layout = Layout(), collection: Collection | None = None
) -> bytes:
    """The return as legacy .xls (BIFF8) written by xlwt."""
    workbook = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on")
    plain = xlwt.easyxf("")
    for grid in lay_out(content, layout, collection):
        sheet = workbook.add_sheet(grid.name[:31])
        merged = covered_cells(grid.merges) | {(r1, c1) for r1, c1, _, _ in grid.merges}
        for r1, c1, r2, c2 in grid.merges:
            style = bold if r1 in grid.bold_rows else plain
            sheet.write_merge(r1, r2, c1, c2, grid.rows[r1][c1], style)
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is not None and (r, c) not in merged:
                    sheet.write(r, c, value, bold if r in grid.bold_rows else plain)
        if grid.hidden:
            sheet.visibility = 1
    return saved(workbook.save)


def write_ods(
    content: ReturnContent, layout: Layout = Layout(), collection: Collection | None = None
) -> bytes:
    """The return as .ods written by odfpy (LibreOffice's format), merges and hidden sheets kept."""
    return normalise_zip(ods_document(lay_out(content, layout, collection)))


def _ods_cell(value: Value, span: dict[str, int]) -> TableCell:
    if isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value, **span)
    elif value is not None:
        cell = TableCell(valuetype="string", **span)
    else:
        cell = TableCell(**span)
    for line in ("" if value is None else str(value)).splitlines():
        cell.addElement(P(text=line))
    return cell


def ods_document(grids: Iterable[SheetGrid],
                 cell: Callable[[Any, dict[str, int]], TableCell] = _ods_cell) -> bytes:
    """Sheets as an .ods by odfpy: merged ranges spanned, the cells they cover marked covered,
    hidden sheets hidden; `cell` renders one value with its span (by default text and numbers)."""
    document = OpenDocumentSpreadsheet()
    hidden_style = Style(name="HiddenSheet", family="table")
    hidden_style.addElement(TableProperties(display=False))
    document.automaticstyles.addElement(hidden_style)
    for grid in grids:
        table = Table(name=grid.name, stylename=hidden_style) if grid.hidden else Table(name=grid.name)
        spans = {(r1, c1): {"numberrowsspanned": r2 - r1 + 1, "numbercolumnsspanned": c2 - c1 + 1}
                 for r1, c1, r2, c2 in grid.merges}
        covered = covered_cells(grid.merges)
        for r, values in enumerate(grid.rows):
            row = TableRow()
            for c, value in enumerate(values):
                row.addElement(CoveredTableCell() if (r, c) in covered
                               else cell(value, spans.get((r, c), {})))
            table.addElement(row)
        document.spreadsheet.addElement(table)
    return saved(document.write)


def write_csv(
    content: ReturnContent, layout: Layout = Layout(), collection: Collection | None = None
) -> bytes:
    """The template sheet alone as CSV, in the layout's encoding (Excel on Windows: cp1252)."""
    grid = template_grid(content, layout, collection)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in grid.rows:
        writer.writerow("" if value is None else value for value in row)
    return text.getvalue().encode(layout.csv_encoding, errors="replace")


def covered_cells(merges: Iterable[tuple[int, int, int, int]]) -> set[tuple[int, int]]:
    """The cells merged ranges hide: each range's cells but its top-left one (0-based)."""
    return {
        (r, c)
        for r1, c1, r2, c2 in merges
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }


def _first_visible(sheets: tuple[SheetGrid, ...]) -> int:
    return next((i for i, grid in enumerate(sheets) if not grid.hidden), 0)


# --- letter writers ------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """A letter's paragraphs: blocks separated by blank lines, each kept on one line."""
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


def write_docx_letter(text: str) -> bytes:
    """A covering letter as .docx written by python-docx."""
    document = docx.Document()
    document.core_properties.created = FILE_TIME
    document.core_properties.modified = FILE_TIME
    for paragraph in paragraphs(text):
        document.add_paragraph(paragraph)
    return normalise_zip(saved(document.save))


_LATIN1_SUBSTITUTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                                     "\u2013": "-", "\u2014": "-", "\u2026": "..."})


def write_pdf_letter(text: str) -> bytes:
    """A covering letter as .pdf written by fpdf2 with a core font (latin-1 only)."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FILE_TIME)
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for paragraph in paragraphs(text):
        safe = paragraph.translate(_LATIN1_SUBSTITUTES).encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 5.5, safe, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def write_odt_letter(text: str) -> bytes:
    """A covering letter as .odt written by odfpy."""
    document = OpenDocumentText()
    for paragraph in paragraphs(text):
        document.text.addElement(P(text=paragraph))
    return normalise_zip(saved(document.write))


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an OOXML/ODF package with fixed entry times, so equal content gives equal bytes.

    Entry order and compression are kept (ODF needs `mimetype` first and stored).
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>" + FILE_TIME.isoformat().encode() + rb"Z\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, FILE_TIME.timetuple()[:6])
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            target.writestr(entry, body)
    return buffer.getvalue()


# Each file format's writer, by its extension: a template's take the return's content, a
# letter's its text.
TEMPLATE_WRITERS: dict[str, Callable[..., bytes]] = {
    "xlsx": write_xlsx, "xls": write_xls, "ods": write_ods, "csv": write_csv,
}
LETTER_WRITERS: dict[str, Callable[[str], bytes]] = {
    "docx": write_docx_letter, "pdf": write_pdf_letter, "odt": write_odt_letter,
}
