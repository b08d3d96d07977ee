"""Reading spreadsheets of every format LAs send, and refusing hostile ones in plain words."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableProperties
from odf.table import Table, TableCell, TableRow
from odf.text import P

from intake.reading.grid import Sheet
from intake.reading.safety import check_archive
from intake.reading.sheets import MAX_ROWS, UnreadableFile, read_sheets
from tests.hostile_files import encrypted_xlsx


def openpyxl_book(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def small_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Template"
    book.active["A1"] = "1.1) Support for cohorting"
    book.active["B1"] = 45
    return openpyxl_book(book)


def rezip(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of a zip with some entries replaced or added, as a hostile sender would make it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def reason(filename: str, data: bytes) -> str:
    with pytest.raises(UnreadableFile) as raised:
        read_sheets(filename, data)
    return raised.value.reason


# --- formats ---------------------------------------------------------------------------------


def test_xlsx_cells_read_as_people_see_them() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Return"
    sheet.append(["Homes", 45.0, 0.9, date(2020, 5, 29), datetime(2020, 5, 29, 14, 30), True,
                  1234.5, None, "  kept as typed "])
    sheet["C1"].number_format = "0%"
    sheet["D1"].number_format = "dd/mm/yyyy"
    sheet["E1"].number_format = "dd/mm/yyyy hh:mm"
    sheet["A3"] = 0.9
    (only,) = read_sheets("return.xlsx", openpyxl_book(book))
    assert only.rows[0] == ("Homes", "45", "90%", "2020-05-29", "2020-05-29T14:30:00", "TRUE",
                            "1234.5", "", "  kept as typed ")
    assert only.rows[1] == ("",) * 9
    assert only.cell(2, 0) == "0.9"          # no percent format: the float as stored
    assert only.cell(50, 50) == ""
    assert only.ref(2, 0) == "Return!A3"


def test_hidden_sheets_are_read_and_marked() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    book.active["A1"] = "Please fill in the template"
    hidden = book.create_sheet("Template")
    hidden.sheet_state = "hidden"
    hidden["B2"] = "1.1"
    sheets = read_sheets("return.xlsx", openpyxl_book(book))
    assert [(s.name, s.hidden) for s in sheets] == [("Instructions", False), ("Template", True)]
    assert sheets[1].cell(1, 1) == "1.1"


def test_xlsxwriter_formats_errors_and_merges() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Status template")
    sheet.write_number(0, 0, 0.755, book.add_format({"num_format": "0.0%"}))
    sheet.write_formula(0, 1, "=1/0", None, "#DIV/0!")
    sheet.write_formula(0, 2, "=40+5", None, 45)
    sheet.merge_range(1, 0, 2, 2, "Merged heading")
    sheet.write(3, 3, "after")
    book.close()
    (only,) = read_sheets("return.xlsx", buffer.getvalue())
    assert only.rows[0][:3] == ("75.5%", "#DIV/0!", "45")
    assert only.cell(1, 0) == "Merged heading"    # the value belongs to the top-left cell
    assert only.cell(1, 1) == "" and only.cell(2, 2) == ""
    assert only.ref(3, 3) == "'Status template'!D4"


def test_xlsm_is_read_without_running_its_macros() -> None:
    content_types = zipfile.ZipFile(io.BytesIO(small_xlsx())).read("[Content_Types].xml")
    macro_types = content_types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    data = rezip(small_xlsx(), {"[Content_Types].xml": macro_types},
                 {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really vba"})
    (only,) = read_sheets("return.xlsm", data)
    assert only.rows == (("1.1) Support for cohorting", "45"),)


def test_xls_from_xlwt() -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Template")
    sheet.write(2, 1, "1.1) Support")
    sheet.write(2, 2, 45.0)
    sheet.write(2, 3, date(2020, 5, 29), xlwt.easyxf(num_format_str="dd/mm/yyyy"))
    sheet.write(2, 4, True)
    lists = book.add_sheet("Lists")
    lists.write(0, 0, "Yes")
    lists.visibility = 1
    buffer = io.BytesIO()
    book.save(buffer)
    template, hidden = read_sheets("return.xls", buffer.getvalue())
    assert template.rows[2] == ("", "1.1) Support", "45", "2020-05-29", "TRUE")
    assert template.ref(2, 2) == "Template!C3"
    assert (hidden.name, hidden.hidden, hidden.rows) == ("Lists", True, (("Yes",),))


def ods_cell(value: object) -> TableCell:
    if isinstance(value, float):
        cell = TableCell(valuetype="float", value=value)
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


def test_ods_with_libreoffice_style_repeats() -> None:
    document = OpenDocumentSpreadsheet()
    hidden = Style(name="Hidden", family="table")
    hidden.addElement(TableProperties(display=False))
    document.automaticstyles.addElement(hidden)
    table = Table(name="Template")
    table.addElement(TableRow())
    row = TableRow()
    row.addElement(TableCell(numbercolumnsrepeated=2))
    for value in ("1.1) Support", 45.0, "Yes - more PPE"):
        row.addElement(ods_cell(value))
    row.addElement(TableCell(numbercolumnsrepeated=16000))
    table.addElement(row)
    # LibreOffice writes the empty rest of the sheet as one repeated row.
    filler = TableRow(numberrowsrepeated=1_048_000)
    filler.addElement(TableCell(numbercolumnsrepeated=16384))
    table.addElement(filler)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.save(buffer)
    (only,) = read_sheets("return.ods", buffer.getvalue())
    assert only.rows == (("",) * 5, ("", "", "1.1) Support", "45", "Yes - more PPE"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le",
                                      "utf-16-be"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_in_any_common_encoding_and_delimiter(encoding: str, delimiter: str) -> None:
    rows = [["Action", "Number of care homes", "Support"],
            ["1.1) Support for cohorting; isolation", "45", "Yes - more PPE, gloves"],
            ["1.2) Caf\u00e9 staff \u00a3 costs", "", "No"]]
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    (only,) = read_sheets("leeds return.csv", text.getvalue().encode(encoding))
    assert only.rows == tuple(tuple(row) for row in rows)
    assert (only.name, only.hidden) == ("leeds return", False)


def test_csv_fields_with_line_breaks() -> None:
    data = b'Action,Issues\r\n1.1,"two\r\nlines"\r\n'
    assert read_sheets("r.csv", data)[0].rows == (("Action", "Issues"), ("1.1", "two\r\nlines"))


def test_excel_delimiter_hint_line() -> None:
    data = b"sep=;\r\n1.1;45,5;Yes\r\n"
    assert read_sheets("r.csv", data)[0].rows == (("1.1", "45,5", "Yes"),)


def test_content_decides_over_the_name() -> None:
    assert read_sheets("return.xls", small_xlsx())[0].name == "Template"
    assert read_sheets("return.xlsx", b"1.1,45,Yes\r\n")[0].rows == (("1.1", "45", "Yes"),)


def test_rows_beyond_the_cap_are_not_read() -> None:
    data = "".join(f"{n},x\n" for n in range(MAX_ROWS + 500)).encode()
    assert len(read_sheets("r.csv", data)[0].rows) == MAX_ROWS


def test_sheet_reference_quotes_awkward_names() -> None:
    sheet = Sheet("LA's return", False, (("a",),))
    assert sheet.ref(6, 27) == "'LA''s return'!AB7"


# --- hostile and broken files --------------------------------------------------------------


def test_random_bytes_named_xlsx() -> None:
    noise = bytes(range(256)) * 40 + os.urandom(2000)
    assert reason("return.xlsx", noise) == ("the file is not a readable spreadsheet (it may be "
                                            "damaged)")


def test_truncated_xlsx() -> None:
    data = small_xlsx()
    assert "may be damaged" in reason("return.xlsx", data[: len(data) // 2])


def test_empty_file() -> None:
    assert reason("return.xlsx", b"") == "the file is empty"


def test_password_protected_workbook() -> None:
    assert reason("return.xlsx", encrypted_xlsx()) == (
        "the workbook is password-protected (encrypted); please send it again without a password")


def test_ole_file_that_is_not_a_workbook() -> None:
    data = encrypted_xlsx().replace("EncryptedPackage".encode("utf-16-le"),
                                       "WordDocument\0\0\0\0".encode("utf-16-le"))
    assert reason("letter.xls", data) == "the file is an old Word document (.doc), not a spreadsheet"


def test_zip_bomb_like_sheet_is_refused_before_reading() -> None:
    sheet = zipfile.ZipFile(io.BytesIO(small_xlsx())).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"</worksheet>", b" " * 20_000_000 + b"</worksheet>")
    data = rezip(small_xlsx(), {"xl/worksheets/sheet1.xml": padded})
    assert len(data) < 200_000
    assert "the mark of a zip bomb; it was not opened" in reason("return.xlsx", data)


def test_billion_laughs_inside_xlsx() -> None:
    sheet = zipfile.ZipFile(io.BytesIO(small_xlsx())).read("xl/worksheets/sheet1.xml")
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "lol">{entities}]>'
            ).encode() + sheet.split(b"?>", 1)[-1].replace(b"<v>45</v>", b"<v>&l9;</v>")
    data = rezip(small_xlsx(), {"xl/worksheets/sheet1.xml": bomb})
    assert reason("return.xlsx", data) == (
        "the file contains XML entity declarations, which spreadsheets never need (a known "
        "attack); it was not opened")


def test_sheet_declaring_every_cell_of_excel() -> None:
    sheet = zipfile.ZipFile(io.BytesIO(small_xlsx())).read("xl/worksheets/sheet1.xml")
    huge = sheet.replace(b'<dimension ref="A1:B1"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert huge != sheet
    data = rezip(small_xlsx(), {"xl/worksheets/sheet1.xml": huge})
    assert reason("return.xlsx", data) == ("the sheet declares 17 billion cells, more than a "
                                           "return can have")


def test_ods_repeating_a_value_over_a_huge_range() -> None:
    # 1.5 KB that would make calamine allocate 100 million cells and abort the process.
    document = OpenDocumentSpreadsheet()
    table = Table(name="Template")
    row = TableRow(numberrowsrepeated=100_000)
    cell = TableCell(valuetype="float", value="1", numbercolumnsrepeated=1_000)
    cell.addElement(P(text="1"))
    row.addElement(cell)
    table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.save(buffer)
    assert reason("return.ods", buffer.getvalue()) == (
        "the sheet declares 100 million cells, more than a return can have")


def test_xlsx_with_a_far_cell_and_a_lying_dimension_reads_only_the_capped_grid() -> None:
    sheet = zipfile.ZipFile(io.BytesIO(small_xlsx())).read("xl/worksheets/sheet1.xml")
    far = sheet.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>9</v></c></row>'
                                         b"</sheetData>")
    (only,) = read_sheets("return.xlsx", rezip(small_xlsx(), {"xl/worksheets/sheet1.xml": far}))
    assert only.rows == (("1.1) Support for cohorting", "45"),)


def test_too_many_filled_cells() -> None:
    row = ",".join(["7"] * 200) + "\n"
    assert reason("big.csv", (row * 1001).encode()) == (
        "the workbook has more than 200,000 filled cells, more than a return can have")


def test_archive_with_too_many_entries() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(1001):
            archive.writestr(f"part{n}.txt", "x")
    with pytest.raises(UnreadableFile) as raised:
        check_archive(out.getvalue())
    assert raised.value.reason == "the file holds 1,001 parts, more than the 1,000 a return can have"


def test_archive_that_unpacks_too_big() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("big.bin", bytes(101 * 1024 * 1024))
    with pytest.raises(UnreadableFile) as raised:
        check_archive(out.getvalue())
    assert raised.value.reason == ("the file would unpack to 101 MB, more than the 100 MB a "
                                   "return can have")


def test_small_ordinary_archive_passes() -> None:
    check_archive(small_xlsx())


@pytest.mark.parametrize(("data", "words"), [
    (b"<html><body><table><tr><td>1.1</td></tr></table></body></html>", "a web page"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
     "old Excel XML spreadsheet"),
])
def test_lookalike_spreadsheets_get_a_reason(data: bytes, words: str) -> None:
    assert words in reason("return.xls", data)


def test_word_document_named_xlsx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert reason("return.xlsx", out.getvalue()) == "the file is a Word document, not a spreadsheet"
