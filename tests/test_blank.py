"""The blank template LAs fill in: faithful to the seed, and readable by our own reader."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from intake.blank import write_blank_template
from intake.reading.sheets import read_sheets
from intake.reading.template import find_template
from intake.reading.values import parse_count, parse_support
from store.collection import Collection


def test_blank_template_reads_back_as_fourteen_unanswered_rows(tmp_path: Path,
                                                               collection: Collection) -> None:
    path = tmp_path / "template.xlsx"
    write_blank_template(path, collection)
    reading = find_template(read_sheets(path.name, path.read_bytes()), path.name, collection)
    assert reading is not None
    assert [row.code for row in reading.rows] == list(collection.action_codes)
    assert all(parse_support(row.support_raw).kind == "unanswered" for row in reading.rows)
    assert all(parse_count(row.homes_raw, None).kind == "blank" for row in reading.rows)
    assert (reading.la_name, reading.total_raw, reading.contact_raw) == ("", "", "")
    assert reading.la_cell and reading.total_cell


def test_blank_template_carries_the_seed_texts(tmp_path: Path, collection: Collection) -> None:
    path = tmp_path / "template.xlsx"
    write_blank_template(path, collection)
    sheet = openpyxl.load_workbook(path).active
    cells = {str(cell.value): cell for row in sheet.iter_rows() for cell in row if cell.value}
    text = collection.template
    for wanted in (text.title, text.total_label, text.contact_label, text.benefit_label,
                   text.regional_issues_label, text.column_headers["action"],
                   text.column_headers["support"], text.column_headers["issues"]):
        assert wanted in cells
    assert f"*{text.column_headers['homes_in_place']}" in cells
    focus_rows = [cells[f"Focus {n}: {title}"] for n, title in collection.focus_areas.items()]
    assert all(cell.font.bold for cell in focus_rows)
    for action in collection.actions:
        assert f"{action.code}) {action.label}" in cells


def test_yes_no_cells_have_a_dropdown(tmp_path: Path, collection: Collection) -> None:
    path = tmp_path / "template.xlsx"
    write_blank_template(path, collection)
    sheet = openpyxl.load_workbook(path).active
    placeholders = [cell.coordinate for row in sheet.iter_rows() for cell in row
                    if cell.value == collection.template.placeholder]
    assert len(placeholders) == 14
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.formula1) == ("list", '"Yes,No"')
    assert all(coordinate in validation.sqref for coordinate in placeholders)
