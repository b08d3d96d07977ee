"""Reading any spreadsheet an LA sends into plain grids of cell text, safely.

Which reader, and why (measured on a 40-row template and a 20,000-row sheet):
- .xlsx/.xlsm: python-calamine (0.2 ms against openpyxl's 5 to 8 ms on a template). It does
  not give number formats or error values, so a small pass over xl/styles.xml and the sheet
  XML finds the percent-formatted cells (0.9 reads "90%", as the LA saw it) and the error
  cells (#DIV/0!). That pass also sees where every cell is: a workbook with a cell past our
  row or column caps, or with cells placed by position only, goes to openpyxl in read-only
  mode instead, which streams rows so our caps stop it early (calamine would allocate the
  whole range). Macros are never run: neither reader executes VBA.
- .xls and .ods: python-calamine (openpyxl cannot read them; it is fast and handles the
  repeated-row runs LibreOffice writes). It does not expose number formats, so percentage
  cells are found in the file itself (`intake.reading.ods_cells` in content.xml,
  `intake.reading.xls_cells` in the BIFF records) and read "90%" as the LA saw them.
- .csv: the csv module, after sniffing the encoding and the delimiter.

Neither reader limits decompression, and calamine can abort the process on a sheet that
declares a huge range, so containers are checked first (`intake.reading.safety`: archive size, the
declared dimension of each worksheet, no DTDs in the XML), and reading stops at row, column
and cell caps. Every failure becomes `UnreadableFile` with a reason in plain words.
"""


from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePath

import python_calamine

from intake.reading.formats import ENCRYPTED_WORKBOOK, FileFormat, refusal, sniff, text_of
from intake.reading.grid import CellBudget, Sheet, number_text, to_sheet, to_text
from intake.reading.ods_cells import PercentCells
from intake.reading.safety import (
    DAMAGED,
    MAX_COLUMNS,
    MAX_ROWS,
    UnreadableFile,
    check_archive,
    check_declared_cells,
    check_ods,
    check_ooxml,
)
from intake.reading.xls_cells import xls_special_cells
from intake.reading.xlsx_cells import (
    NO_SPECIAL_CELLS,
    SpecialCells,
    WorkbookCells,
    xlsx_special_cells,
)

SEP_HINT = re.compile(r"^sep=(.)\r?\n")


def read_sheets(filename: str, data: bytes, found: FileFormat | None = None) -> list[Sheet]:
    """Every sheet of a spreadsheet file (.xlsx, .xlsm, .xls, .ods or .csv), sniffed by content
    (`found`, when the caller has sniffed it already)."""
    try:
        kind, archive = _checked_format(filename, data, found)
        if archive is None:
            sheets = _READERS[kind](filename, data)
        else:
            sheets = _PACKAGE_READERS[kind](filename, data, archive)
    except UnreadableFile:
        raise
    except python_calamine.PasswordError as error:
        raise UnreadableFile(ENCRYPTED_WORKBOOK) from error
    except Exception as error:  # the readers raise anything at all on hostile input
        raise UnreadableFile(DAMAGED) from error
    return sheets


def _checked_format(filename: str, data: bytes,
                    found: FileFormat | None) -> tuple[str, zipfile.ZipFile | None]:
    """'xlsx', 'xls', 'ods' or 'csv' by the one sniffer (intake.reading.formats), with the
    archive of a zip package once the archive check has passed (its XML is checked by the
    package's reader before anything else); any other format is refused with a reason that
    names what it is."""
    found = found or sniff(data, filename)
    if found.kind in ("xlsx", "xlsm", "ods"):
        return ("ods" if found.kind == "ods" else "xlsx"), check_archive(data)
    if found.kind in ("xls", "csv"):
        return found.kind, None
    raise UnreadableFile(refusal(found, "spreadsheet"))


# --- readers -------------------------------------------------------------------------------


def _read_xlsx(filename: str, data: bytes, archive: zipfile.ZipFile) -> list[Sheet]:
    # The members the check unpacked whole are read from there, not unpacked again.
    special_cells = xlsx_special_cells(archive, check_ooxml(archive))
    if special_cells is None:
        return _read_openpyxl(data)
    return _read_calamine(filename, data, special_cells)


def _read_openpyxl(data: bytes) -> list[Sheet]:
    """The slow, cautious reader, for the rare .xlsx that calamine must not be given."""
    import openpyxl  # imported here: it costs a fifth of a second (and numpy) to load

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                  keep_vba=False, keep_links=False)
    budget = CellBudget()
    try:
        return [
            to_sheet(sheet.title, sheet.sheet_state != "visible", (
                [_xlsx_text(cell) for cell in row]
                for row in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS)), budget)
            for sheet in book.worksheets
        ]
    finally:
        book.close()


def _xlsx_text(cell: object) -> str:
    value = getattr(cell, "value", None)
    return _cell_text(value, "%" in (getattr(cell, "number_format", "") or ""))


def _read_calamine(filename: str, data: bytes,
                   special_cells: WorkbookCells | None = None) -> list[Sheet]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    budget = CellBudget()
    sheets = []
    for meta in book.sheets_metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = book.get_sheet_by_name(meta.name)
        check_declared_cells(sheet.total_height * sheet.total_width)
        hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
        special = (special_cells or {}).get(meta.name, NO_SPECIAL_CELLS)
        sheets.append(to_sheet(meta.name, hidden, _calamine_rows(sheet, special), budget))
    return sheets


def _calamine_rows(sheet: python_calamine.CalamineSheet,
                   special: SpecialCells) -> Iterator[list[str]]:
    """Rows on the sheet's own grid: calamine's range may start at the first used cell."""
    if not sheet.height:
        return
    assert sheet.start is not None and sheet.end is not None   # a sheet with rows has a range
    (first_row, first_col), (_, last_col) = sheet.start, sheet.end
    rows = sheet.iter_rows()
    top = next(rows)
    # The first used row always holds a value; an empty first row means the range starts at 0.
    row_offset = first_row if any(value != "" for value in top) else 0
    col_offset = first_col if len(top) == last_col - first_col + 1 else 0
    yield from ([""] * MAX_COLUMNS for _ in range(min(row_offset, MAX_ROWS)))
    plain = not special.percent and not special.errors
    for index, row in enumerate(itertools.chain([top], rows), start=row_offset):
        if index >= MAX_ROWS:
            return
        if plain:   # most sheets, and most cells text: no position to look up, no call
            texts = [value if type(value) is str else to_text(value) for value in row[:MAX_COLUMNS]]
            yield [""] * col_offset + texts if col_offset else texts
            continue
        yield [""] * col_offset + [
            _special_text(special, (index, col), value)
            for col, value in enumerate(row[:MAX_COLUMNS], start=col_offset)]


def _special_text(special: SpecialCells, where: tuple[int, int], value: object) -> str:
    """A cell's text as the LA saw it, with what the sheet XML told of it."""
    if where in special.errors:
        return special.errors[where]
    return _cell_text(value, where in special.percent)


def _cell_text(value: object, percent: bool) -> str:
    """The text of a cell's value; a number in a percent-formatted cell as "90%"."""
    if percent and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{number_text(round(value * 100, 10))}%"
    return to_text(value)


def _read_csv(filename: str, data: bytes) -> list[Sheet]:
    text = text_of(data)
    if "\x00" in text:
        raise UnreadableFile(DAMAGED)
    hint = SEP_HINT.match(text)     # Excel's "sep=;" first line names the delimiter
    delimiter = hint.group(1) if hint else _delimiter(text)
    text = text[hint.end():] if hint else text
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = (row[:MAX_COLUMNS] for row, _ in zip(reader, range(MAX_ROWS), strict=False))
    name = PurePath(filename).stem or "Sheet1"
    return [to_sheet(name, False, rows, CellBudget())]


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, most consistent, columns."""
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ",", 0.0
    for delimiter in (",", ";", "\t", "|"):
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not widths or max(widths) < 2:
            continue
        common = max(set(widths), key=widths.count)
        score = widths.count(common) / len(widths) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_ods(filename: str, data: bytes, archive: zipfile.ZipFile) -> list[Sheet]:
    # One pass over content.xml: the safety check's, with the percentage cells found alongside;
    # calamine is given the file only once it has passed.
    percent_cells = PercentCells()
    check_ods(archive, alongside=percent_cells)
    return _read_calamine(filename, data, percent_cells.special_cells())


def _read_xls(filename: str, data: bytes) -> list[Sheet]:
    return _read_calamine(filename, data, xls_special_cells(data))


_READERS = {"xls": _read_xls, "csv": _read_csv}
# Zip packages: read from the archive the archive check opened, after their own XML checks.
_PACKAGE_READERS = {"xlsx": _read_xlsx, "ods": _read_ods}
