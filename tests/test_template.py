"""Finding the template by content in workbooks laid out the many ways LAs lay them out."""

from __future__ import annotations

import pytest

from intake.reading.sheets import read_sheets
from intake.reading.template import find_template
from store.collection import Collection
from tests.sheet_writers import FORMATS, Book, Value, write

# --- the template as LAs fill it in -------------------------------------------------------

ANSWERS: dict[str, tuple[Value, str, str]] = {
    "1.1": (45, "Yes - more PPE", ""),
    "1.2": ("45 homes", "No", "Agency staff move between homes"),
    "1.3": ("90%", "<Please select>", ""),
    "2.1": ("all", "Y", ""),
    "2.2": (50, "No.", ""),
    "3.1": ("", "Yes: training for care home managers", ""),
    "3.2": ("45/52", "N", ""),
    "4.1": (0, "no, thank you", ""),
    "4.2": ("n/a", "No", ""),
    "4.3": ("approx 40", "No", ""),
    "4.4": (52, "No", ""),
    "4.5": ("c. 40", "Yes - volunteers", "Few volunteers so far"),
    "5.1": (52, "No", ""),
    "5.2": (30, "<Please select>", ""),
}
CONTACT = "Jane Smith, jane.smith@leeds.gov.uk, 0113 222 3333"


def template_rows(collection: Collection, *, columns: tuple[str, ...] = (
        "action", "homes", "support", "issues"), action_text: str = "both",
        reword: bool = False, answers: dict[str, tuple[Value, str, str]] = ANSWERS,
        header_fields: bool = True) -> list[list[Value]]:
    """The filled template as the seed lays it out, with the columns in `columns` order."""
    text = collection.template
    titles = {"code": "Ref", "action": text.column_headers["action"],
              "homes": "*" + text.column_headers["homes_in_place"],
              "support": text.column_headers["support"],
              "description": "Type of support that would be helpful",
              "issues": text.column_headers["issues"]}
    rows: list[list[Value]] = [[text.title], []]
    if header_fields:
        rows += [["Local Authority:", "Leeds City Council"], [text.total_label, 52],
                 [text.contact_label, CONTACT], []]
    rows.append([titles[c] for c in columns])
    for focus, title in collection.focus_areas.items():
        rows.append([f"Focus {focus}: {title}"])
        for action in (a for a in collection.actions if a.focus == focus):
            if action.code in answers:
                rows.append(_action_cells(action.code, _label(action.label, reword), columns,
                                          action_text, answers[action.code]))
    rows += [[], [text.benefit_label], ["Funding for agency staff"], [],
             [text.regional_issues_label], ["Testing turnaround is slow"]]
    return rows


def _label(label: str, reword: bool) -> str:
    if not reword:
        return label
    return (label.replace("Access to", "Access for homes to").replace(" and/or ", " / ")
            .replace("appropriate", "suitable"))


def _action_cells(code: str, label: str, columns: tuple[str, ...], action_text: str,
                  answer: tuple[Value, str, str]) -> list[Value]:
    homes, support, issues = answer
    description = ""
    if "description" in columns and " - " in support:
        support, description = support.split(" - ", 1)
    action = {"both": f"{code}) {label}", "code": float(code), "label": label}[action_text]
    cells = {"code": code, "action": label if "code" in columns else action, "homes": homes,
             "support": support, "description": description, "issues": issues}
    return [cells[c] if cells[c] != "" else None for c in columns]


def read(fmt: str, book: Book, collection: Collection):
    filename, data = write(fmt, book)
    return find_template(read_sheets(filename, data), filename, collection)


def raw_rows(reading) -> dict[str, tuple[str, str]]:
    return {row.code: (row.homes_raw, row.support_raw) for row in reading.rows}



@pytest.mark.parametrize("fmt", FORMATS)
def test_the_seed_layout_in_every_format(fmt: str, collection: Collection) -> None:
    reading = read(fmt, Book([("Implementation Status", template_rows(collection), False)]),
                   collection)
    assert [row.code for row in reading.rows] == list(collection.action_codes)
    rows = raw_rows(reading)
    assert rows["1.1"] == ("45", "Yes - more PPE")
    assert rows["1.2"] == ("45 homes", "No")
    assert rows["1.3"] == ("90%", "<Please select>")
    assert rows["2.1"] == ("all", "Y")
    assert rows["3.1"] == ("", "Yes: training for care home managers")
    assert rows["4.1"] == ("0", "no, thank you")
    assert rows["4.5"] == ("c. 40", "Yes - volunteers")
    issues = {row.code: row.issues for row in reading.rows if row.issues}
    assert issues == {"1.2": "Agency staff move between homes", "4.5": "Few volunteers so far"}
    first = reading.rows[0]
    sheet = "'Implementation Status'" if fmt != "csv" else "'Leeds return'"
    assert (first.homes_cell, first.support_cell) == (f"{sheet}!B9", f"{sheet}!C9")
    assert (reading.la_name, reading.la_cell) == ("Leeds City Council", f"{sheet}!B3")
    assert (reading.total_raw, reading.total_cell) == ("52", f"{sheet}!B4")
    assert reading.contact_raw == CONTACT
    assert (reading.contact_name, reading.contact_email, reading.contact_phone) == (
        "Jane Smith", "jane.smith@leeds.gov.uk", "0113 222 3333")
    assert reading.support_benefit == "Funding for agency staff"
    assert reading.regional_issues == "Testing turnaround is slow"


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_yes_no_column_moved_before_the_count(fmt: str, collection: Collection) -> None:
    rows = template_rows(collection, columns=("action", "support", "homes", "issues"))
    reading = read(fmt, Book([("Template", rows, False)]), collection)
    assert raw_rows(reading)["1.1"] == ("45", "Yes - more PPE")
    assert reading.rows[0].homes_cell == "Template!C9"
    assert reading.rows[0].support_cell == "Template!B9"


@pytest.mark.parametrize("fmt", ["xlsxwriter", "xls"])
def test_inserted_rows_and_columns(fmt: str, collection: Collection) -> None:
    rows = template_rows(collection, columns=("code", "action", "homes", "support", "issues"))
    rows = [["Guidance: please complete every row"], [], ["Returns are due on 29 May"], []] + [
        [None, *row] for row in rows]
    reading = read(fmt, Book([("Return", rows, False)]), collection)
    assert len(reading.rows) == 14
    assert raw_rows(reading)["3.2"] == ("45/52", "N")
    assert reading.rows[0].homes_cell == "Return!D13"
    assert reading.la_name == "Leeds City Council"
    assert reading.total_cell == "Return!C8"


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_merged_header_over_yes_no_and_description(fmt: str, collection: Collection) -> None:
    rows = template_rows(collection, columns=("action", "homes", "support", "description",
                                              "issues"))
    header = rows.index([r for r in rows if r and r[0] == collection.template.column_headers[
        "action"]][0])
    rows[header][3] = None           # the support header is merged over Yes/No and description
    rows[0] += [None] * 4
    merges = [(0, 0, 0, 4), (header, 2, header, 3)]
    reading = read(fmt, Book([("Template", rows, False)], {"Template": merges}), collection)
    first = reading.rows[0]
    assert (first.support_raw, first.description) == ("Yes", "more PPE")
    assert first.support_cell == "Template!C9"
    assert first.issues == ""
    assert reading.rows[11].issues == "Few volunteers so far"


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_hidden_template_behind_instructions_and_lists(fmt: str, collection: Collection) -> None:
    instructions = [["How to complete the return"]] + [
        [f"{a.code}) {a.label}: count the homes where this is in place"]
        for a in collection.actions]
    lists = [["Yes"], ["No"], ["<Please select>"]]
    book = Book([("Instructions", instructions, False),
                 ("Implementation Status", template_rows(collection), True),
                 ("Lists", lists, True)])
    reading = read(fmt, book, collection)
    assert reading.sheet == "Implementation Status"
    assert raw_rows(reading)["2.2"] == ("50", "No.")


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "csv"])
def test_codes_without_labels(fmt: str, collection: Collection) -> None:
    rows = template_rows(collection, action_text="code")
    reading = read(fmt, Book([("Template", rows, False)]), collection)
    assert [row.code for row in reading.rows] == list(collection.action_codes)
    assert raw_rows(reading)["4.3"] == ("approx 40", "No")


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
def test_reworded_labels_without_codes(fmt: str, collection: Collection) -> None:
    rows = template_rows(collection, action_text="label", reword=True)
    reading = read(fmt, Book([("Template", rows, False)]), collection)
    assert [row.code for row in reading.rows] == list(collection.action_codes)
    assert raw_rows(reading)["3.1"] == ("", "Yes: training for care home managers")
    assert raw_rows(reading)["3.2"] == ("45/52", "N")


def test_a_separate_description_column(collection: Collection) -> None:
    rows = template_rows(collection, columns=("action", "homes", "support", "description",
                                              "issues"))
    reading = read("xlsx", Book([("Template", rows, False)]), collection)
    by_code = {row.code: row for row in reading.rows}
    assert (by_code["1.1"].support_raw, by_code["1.1"].description) == ("Yes", "more PPE")
    assert by_code["4.5"].issues == "Few volunteers so far"


def test_no_headers_at_all_falls_back_to_what_cells_look_like(collection: Collection) -> None:
    rows = [[a.code, a.label, "Yes" if n % 3 == 0 else "No", 40 + n]
            for n, a in enumerate(collection.actions)]
    reading = read("csv", Book([("Return", rows, False)]), collection)
    assert raw_rows(reading)["1.1"] == ("40", "Yes")
    assert raw_rows(reading)["5.2"] == ("53", "No")
    assert reading.la_name is None and reading.total_raw is None


def test_fewer_rows_than_the_template(collection: Collection) -> None:
    answers = {code: ANSWERS[code] for code in ("1.1", "2.1", "3.1", "5.2")}
    reading = read("xlsx", Book([("T", template_rows(collection, answers=answers), False)]),
                   collection)
    assert [row.code for row in reading.rows] == ["1.1", "2.1", "3.1", "5.2"]


@pytest.mark.parametrize("rows", [
    [["Name", "Homes"], ["Acacia House", 12], ["Birch Court", 30]],
    [["Dear colleague,"], ["Please find our return for 2020 attached."], ["1.1 million people"]],
    [],
])
def test_no_template_gives_none(rows: list[list[Value]], collection: Collection) -> None:
    assert read("xlsx", Book([("Sheet1", rows, False)]), collection) is None


def test_header_fields_below_their_labels_and_split_contact(collection: Collection) -> None:
    text = collection.template
    cover = [["Local authority"], ["Kingston upon Hull, City of"], [],
             [text.total_label], ["87 homes"], [],
             [text.contact_label], ["Name:", "Sam Patel"], ["Email:", "sam.patel@hullcc.gov.uk"],
             ["Tel:", "+44 1482 300 300"], []]
    table = template_rows(collection, header_fields=False)
    reading = read("xlsx", Book([("Template", cover + table, False)]), collection)
    assert (reading.la_name, reading.la_cell) == ("Kingston upon Hull, City of", "Template!A2")
    assert (reading.total_raw, reading.total_cell) == ("87 homes", "Template!A5")
    assert (reading.contact_name, reading.contact_email, reading.contact_phone) == (
        "Sam Patel", "sam.patel@hullcc.gov.uk", "+44 1482 300 300")
    assert len(reading.rows) == 14


def test_header_fields_written_inside_the_label_cell(collection: Collection) -> None:
    text = collection.template
    cover = [["Council: Bath & NE Somerset"], [f"{text.total_label}: 64"],
             [f"{text.contact_label} A. Jones (Commissioning) a.jones@bathnes.gov.uk"], []]
    table = template_rows(collection, header_fields=False)
    reading = read("csv", Book([("Template", cover + table, False)]), collection)
    assert (reading.la_name, reading.la_cell) == ("Bath & NE Somerset", "'Leeds return'!A1")
    assert reading.total_raw == "64"
    assert (reading.contact_name, reading.contact_email, reading.contact_phone) == (
        "A. Jones", "a.jones@bathnes.gov.uk", None)


def test_header_fields_on_a_cover_sheet(collection: Collection) -> None:
    text = collection.template
    cover = [["Local authority", None, "Leeds"], [text.total_label, None, 52],
             [text.contact_label, None, "J Smith", "j.smith@leeds.gov.uk"]]
    book = Book([("Cover", cover, False),
                 ("Template", template_rows(collection, header_fields=False), False)])
    reading = read("xlsx", book, collection)
    assert reading.sheet == "Template"
    assert (reading.la_name, reading.la_cell, reading.total_raw) == ("Leeds", "Cover!C1", "52")
    assert (reading.contact_name, reading.contact_email) == ("J Smith", "j.smith@leeds.gov.uk")


def test_blank_boxes_do_not_swallow_the_next_label(collection: Collection) -> None:
    rows = [r for r in template_rows(collection)
            if r not in (["Funding for agency staff"], ["Testing turnaround is slow"])]
    reading = read("xlsx", Book([("Template", rows, False)]), collection)
    assert (reading.support_benefit, reading.regional_issues) == ("", "")


def test_blank_header_fields_point_at_the_cell_to_fill(collection: Collection) -> None:
    rows = template_rows(collection)
    rows[2], rows[3] = ["Local Authority:"], [collection.template.total_label]
    reading = read("xlsx", Book([("Template", rows, False)]), collection)
    assert (reading.la_name, reading.la_cell) == ("", "Template!B3")
    assert (reading.total_raw, reading.total_cell) == ("", "Template!B4")
