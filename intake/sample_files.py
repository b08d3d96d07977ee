"""Real files for synthetic returns: the template as LAs fill it in, and covering letters.

A filled template is first laid out as plain grids (`lay_out`), one per sheet, so that every
spreadsheet writer renders exactly the same cells and the layout's messiness (moved columns,
inserted rows, merged cells, extra and hidden sheets) is decided in one place. The writers are
the real libraries councils' files come from: openpyxl and XlsxWriter (.xlsx), xlwt (.xls),
odfpy (.ods, .odt), python-docx (.docx) and fpdf2 (.pdf).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import docx
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

from store.collection import Collection, load_collection

Value = str | int | float | None
# Fixed file times, so that a seed always gives the same bytes.
FILE_TIME = datetime(2020, 5, 27, 9, 0, 0)
INSTRUCTIONS = (
    "Instructions",
    "Please complete the Implementation Status sheet for your local authority area.",
    "Enter the number of CQC registered care homes where each action or support is in place.",
    "Select Yes or No for additional support; if Yes, describe the support that would help.",
    "Return the template with a covering letter by 29 May 2020.",
)

# odfpy declares, in every document, each namespace any element has used so far in the process
# (a class-level dict); declaring them all up front makes equal documents give equal bytes.
for _uri, _prefix in nsdict.items():
    Element.namespaces.setdefault(_uri, _prefix)


@dataclass(frozen=True)
class ActionAnswer:
    """One action's row as the LA filled it in; values exactly as typed."""

    code: str
    homes_raw: int | float | str
    support_raw: str                # 'Yes', 'No', '<Please select>', 'Y', ...
    description: str = ""           # support wanted (joined to support_raw without its own column)
    issues: str = ""


@dataclass(frozen=True)
class ReturnContent:
    """Everything an LA writes into one return."""

    la_name: str                    # as written in the LA field
    total_raw: int | str
    contact_name: str
    contact_email: str
    contact_phone: str
    actions: tuple[ActionAnswer, ...]
    support_benefit: str = ""
    regional_issues: str = ""
    letter_text: str = ""


Column = Literal["code", "action", "homes", "support", "description", "issues"]


@dataclass(frozen=True)
class Layout:
    """How a council arranged its copy of the template."""

    columns: tuple[Column, ...] = ("action", "homes", "support", "issues")
    action_text: Literal["both", "code", "label"] = "both"   # '1.1) label', '1.1', 'label'
    rows_above: int = 0             # guidance rows inserted above the title
    blank_rows_between_focus: int = 0
    merged_headers: bool = False    # title, focus rows and header values merged across columns
    header_placement: Literal["right", "below"] = "right"
    contact_split: bool = False     # name, email, phone in three cells instead of one
    instructions_first: bool = False
    template_hidden: bool = False   # the filled template sits on a hidden sheet
    hidden_lists: bool = False      # a hidden sheet of Yes/No lists, as data validation uses
    sheet_name: str = "Implementation Status"
    csv_encoding: str = "utf-8"


@dataclass(frozen=True)
class SheetGrid:
    """One sheet as rows of cell values (None: empty); merges are 0-based inclusive ranges."""

    name: str
    rows: tuple[tuple[Value, ...], ...]
    merges: tuple[tuple[int, int, int, int], ...] = ()
    bold_rows: frozenset[int] = field(default_factory=frozenset)
    hidden: bool = False


class _GridBuilder:
    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[tuple[Value, ...]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.bold: set[int] = set()

    def add(self, *values: Value, bold: bool = False, merge_from: int | None = None) -> int:
        row = len(self.rows)
        cells = list(values) + [None] * (self.width - len(values))
        self.rows.append(tuple(cells))
        if bold:
            self.bold.add(row)
        if merge_from is not None and self.width - 1 > merge_from:
            self.merges.append((row, merge_from, row, self.width - 1))
        return row

    def blank(self, count: int = 1) -> None:
        for _ in range(count):
            self.add()

    def grid(self, name: str, hidden: bool) -> SheetGrid:
        return SheetGrid(name, tuple(self.rows), tuple(self.merges), frozenset(self.bold), hidden)


def lay_out(
    content: ReturnContent, layout: Layout, collection: Collection | None = None
) -> tuple[SheetGrid, ...]:
    """The workbook's sheets in order, the filled template among them."""
    collection = collection or load_collection()
    sheets = []
    if layout.instructions_first:
        sheets.append(SheetGrid("Instructions", tuple((line,) for line in INSTRUCTIONS)))
    sheets.append(_template_grid(content, layout, collection))
    if layout.hidden_lists:
        lists = (("Yes",), ("No",), (collection.template.placeholder,))
        sheets.append(SheetGrid("Lists", lists, hidden=True))
    return tuple(sheets)


def template_grid(
    content: ReturnContent, layout: Layout, collection: Collection | None = None
) -> SheetGrid:
    """The filled template sheet alone (what a .csv holds)."""
    return _template_grid(content, layout, collection or load_collection())


def _template_grid(content: ReturnContent, layout: Layout, collection: Collection) -> SheetGrid:
    text = collection.template
    sheet = _GridBuilder(max(len(layout.columns), 4))
    merge = 0 if layout.merged_headers else None
    for line in range(layout.rows_above):
        sheet.add(INSTRUCTIONS[1 + line % 4] if line % 2 == 0 else None)
    sheet.add(text.title, bold=True, merge_from=merge)
    sheet.blank()
    _header_field(sheet, layout, text.la_label, (content.la_name,))
    _header_field(sheet, layout, text.total_label, (content.total_raw,))
    _header_field(sheet, layout, text.contact_label, _contact_cells(content, layout))
    sheet.blank()
    sheet.add(*(_column_title(column, collection) for column in layout.columns), bold=True)
    answers = {answer.code: answer for answer in content.actions}
    for focus, focus_name in collection.focus_areas.items():
        sheet.blank(layout.blank_rows_between_focus)
        sheet.add(f"Focus {focus}: {focus_name}", bold=True, merge_from=merge)
        for action in collection.actions:
            if action.focus == focus and action.code in answers:
                sheet.add(*_action_cells(answers[action.code], action.label, layout))
    sheet.blank()
    _header_field(sheet, layout, text.benefit_label, (content.support_benefit or None,))
    sheet.blank()
    _header_field(sheet, layout, text.regional_issues_label, (content.regional_issues or None,))
    return sheet.grid(layout.sheet_name, layout.template_hidden)


def _header_field(
    sheet: _GridBuilder, layout: Layout, label: str, values: tuple[Value, ...]
) -> None:
    if layout.header_placement == "below":
        sheet.add(label, bold=True)
        for value in values:
            sheet.add(value)
        return
    merge = 1 if layout.merged_headers and len(values) == 1 else None
    sheet.add(label, *values, merge_from=merge)


def _contact_cells(content: ReturnContent, layout: Layout) -> tuple[Value, ...]:
    parts = (content.contact_name, content.contact_email, content.contact_phone)
    return parts if layout.contact_split else (", ".join(p for p in parts if p),)


def _column_title(column: Column, collection: Collection) -> str:
    headers = collection.template.column_headers
    titles = {
        "code": "Ref",
        "action": headers["action"],
        "homes": headers["homes_in_place"],
        "support": headers["support"],
        "description": "Type of support that would be helpful",
        "issues": headers["issues"],
    }
    return titles[column]


def _action_cells(answer: ActionAnswer, label: str, layout: Layout) -> tuple[Value, ...]:
    has_description_column = "description" in layout.columns
    support = answer.support_raw
    if answer.description and not has_description_column:
        support = f"{support} - {answer.description}"
    if "code" in layout.columns:
        action_text = label
    else:
        action_text = {"both": f"{answer.code}) {label}", "code": answer.code, "label": label}[
            layout.action_text
        ]
    cells = {
        "code": answer.code,
        "action": action_text,
        "homes": answer.homes_raw,
        "support": support,
        "description": answer.description or None,
        "issues": answer.issues or None,
    }
    return tuple(cells[column] for column in layout.columns)


# --- spreadsheet writers -------------------------------------------------------------------


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
        for row in grid.bold_rows:
            for cell in sheet[row + 1]:
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_zip(buffer.getvalue())


def write_xlsx_xlsxwriter(
    content: ReturnContent, layout: Layout = Layout(), collection: Collection | None = None
) -> bytes:
    """The return as .xlsx written by XlsxWriter (a test extra: imported only when used)."""
    import xlsxwriter

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
        merged = _covered_cells(grid) | {(r1, c1) for r1, c1, _, _ in grid.merges}
        for r1, c1, r2, c2 in grid.merges:
            style = bold if r1 in grid.bold_rows else plain
            sheet.write_merge(r1, r2, c1, c2, grid.rows[r1][c1], style)
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is not None and (r, c) not in merged:
                    sheet.write(r, c, value, bold if r in grid.bold_rows else plain)
        if grid.hidden:
            sheet.visibility = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_ods(
    content: ReturnContent, layout: Layout = Layout(), collection: Collection | None = None
) -> bytes:
    """The return as .ods written by odfpy (LibreOffice's format), merges and hidden sheets kept."""
    document = OpenDocumentSpreadsheet()
    hidden_style = Style(name="HiddenSheet", family="table")
    hidden_style.addElement(TableProperties(display=False))
    document.automaticstyles.addElement(hidden_style)
    for grid in lay_out(content, layout, collection):
        table = Table(name=grid.name, stylename=hidden_style) if grid.hidden else Table(name=grid.name)
        for row in _ods_rows(grid):
            table.addElement(row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return normalise_zip(buffer.getvalue())


def _ods_rows(grid: SheetGrid) -> list:
    spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in grid.merges}
    covered = _covered_cells(grid)
    rows = []
    for r, values in enumerate(grid.rows):
        row = TableRow()
        for c, value in enumerate(values):
            if (r, c) in covered:
                row.addElement(CoveredTableCell())
                continue
            attributes = {}
            if (r, c) in spans:
                attributes["numberrowsspanned"], attributes["numbercolumnsspanned"] = spans[(r, c)]
            if isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value, **attributes)
            elif value is not None:
                cell = TableCell(valuetype="string", **attributes)
            else:
                cell = TableCell(**attributes)
            for line in ("" if value is None else str(value)).splitlines():
                cell.addElement(P(text=line))
            row.addElement(cell)
        rows.append(row)
    return rows


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


def _covered_cells(grid: SheetGrid) -> set[tuple[int, int]]:
    return {
        (r, c)
        for r1, c1, r2, c2 in grid.merges
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
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue())


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
    buffer = io.BytesIO()
    document.write(buffer)
    return normalise_zip(buffer.getvalue())


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
