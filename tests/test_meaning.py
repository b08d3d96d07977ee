"""Each way of writing a return that used to be missed, read by meaning, in real writers' files.

The cases of issue 8: the total in other words, in its label's cell, merged, or as a foot row;
the LA only in a heading, a sheet's name or a cover sheet; codes written 1a or Q1.1; short
labels under the focus headings; a transposed table; ticks, crosses, checkboxes, "Not
required" and a fraction formatted as a percentage.
"""

from __future__ import annotations

import pytest

from intake.reading.values import parse_count, parse_support, parse_total
from store.collection import Collection
from tests.sheet_writers import FORMATS, Book, Percent, Value
from tests.test_template import ANSWERS, raw_rows, read, template_rows


def _without_fields(collection: Collection) -> list[list[Value]]:
    return template_rows(collection, header_fields=False)


@pytest.mark.parametrize("label", [
    "Total care homes", "How many CQC registered care homes are there locally?",
    "No. of registered homes", "Care homes in the borough (total)", "Overall number of homes",
])
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "csv"])
def test_the_total_in_other_words(label: str, fmt: str, collection: Collection) -> None:
    rows = [["Leeds City Council"], [label, None, 84], *_without_fields(collection)]
    reading = read(fmt, Book([("Return", rows, False)]), collection)
    assert parse_total(reading.total_raw) == 84
    assert reading.total_label == label
    assert reading.total_cell.endswith("!C2")


def test_of_several_counts_of_homes_the_total_is_the_one_labelled_most_like_it(
        collection: Collection) -> None:
    rows = [["Number of homes responding to the Capacity Tracker", 61],
            ["Total CQC registered homes in the area", 84],
            ["No. of homes with an outbreak", 9], *_without_fields(collection)]
    reading = read("xlsx", Book([("Return", rows, False)]), collection)
    assert (reading.total_raw, reading.total_cell) == ("84", "Return!B2")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_total_in_its_labels_cell(fmt: str, collection: Collection) -> None:
    rows = [["Council: Leeds"], ["Total number of care homes: 84"], *_without_fields(collection)]
    reading = read(fmt, Book([("Return", rows, False)]), collection)
    assert (reading.total_raw, reading.total_label) == ("84", "Total number of care homes")
    assert reading.total_cell.endswith("!A2")
    assert reading.la_name == "Leeds"


@pytest.mark.parametrize("fmt", ["xlsx", "xlsxwriter", "xls", "ods"])
def test_the_total_in_a_merged_cell(fmt: str, collection: Collection) -> None:
    rows = [["LA name", "Leeds"], ["Care homes registered with CQC", 84, None, None],
            *_without_fields(collection)]
    reading = read(fmt, Book([("Return", rows, False)], {"Return": [(1, 1, 1, 3)]}), collection)
    assert reading.total_raw == "84" and reading.total_cell.endswith("!B2")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_total_as_a_row_at_the_foot_of_the_table(fmt: str, collection: Collection) -> None:
    rows = [["Local authority", "Leeds"], *_without_fields(collection)]
    last = max(i for i, row in enumerate(rows) if row and str(row[0]).startswith("5.2"))
    rows.insert(last + 1, ["TOTAL", 52])
    reading = read(fmt, Book([("Return", rows, False)]), collection)
    assert (reading.total_raw, reading.total_label) == ("52", "TOTAL")
    assert reading.total_cell.endswith(f"!B{last + 2}")
    by_code = {row.code: row for row in reading.rows}
    assert parse_count(by_code["1.3"].homes_raw, 52).value == 47      # 90% of 52, from the foot


def test_a_column_header_about_homes_is_not_the_total(collection: Collection) -> None:
    rows = _without_fields(collection)
    reading = read("xlsx", Book([("Return", rows, False)]), collection)
    assert reading.total_raw is None


@pytest.mark.parametrize(("fmt", "where"), [
    ("xlsx", "heading"), ("csv", "heading"), ("ods", "sheet"), ("xls", "cover"),
])
def test_the_la_named_only_in_a_heading_a_sheet_name_or_a_cover(
        fmt: str, where: str, collection: Collection) -> None:
    table = [["Total care homes", 52], *_without_fields(collection)]
    sheets = {
        "heading": [("Return", [["Kingston upon Hull City Council: care home support plan"],
                                *table], False)],
        "sheet": [("Kingston upon Hull", table, False)],
        "cover": [("Cover", [["Care home support return"], ["Hull City Council"]], False),
                  ("Return", table, False)],
    }[where]
    reading = read(fmt, Book(sheets), collection)
    assert "Hull" in reading.la_name
    assert "Leeds" not in (reading.la_name or "")


def test_a_council_named_inside_the_table_is_not_the_la(collection: Collection) -> None:
    answers = dict(ANSWERS, **{"1.1": (45, "Yes - mutual aid from Bradford Council", "")})
    rows = [["Care home support return"], *_without_fields(collection)]
    reading = read("xlsx", Book([("Return", rows, False)]), collection)
    assert reading.la_name is None
    rows = [["Care home support return"], *template_rows(collection, answers=answers,
                                                          header_fields=False)]
    assert read("xlsx", Book([("Return", rows, False)]), collection).la_name is None


@pytest.mark.parametrize("label", ["Local authority (LA) name", "LA Name (as registered)",
                                   "Name of the council", "Your council", "Organisation name"])
def test_the_la_field_in_other_words(label: str, collection: Collection) -> None:
    rows = [[label, "Wakefield"], ["Total care homes", 52], *_without_fields(collection)]
    reading = read("xlsx", Book([("Return", rows, False)]), collection)
    assert (reading.la_name, reading.la_cell) == ("Wakefield", "Return!B1")


@pytest.mark.parametrize("label", ["Completed by", "Lead officer:", "Name of person completing",
                                   "Return prepared by", "Contact for queries"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_contact_in_other_words(label: str, fmt: str, collection: Collection) -> None:
    rows = [["Council", "Leeds"], [label, "Jo Bloggs", "jo.bloggs@leeds.gov.uk"],
            *_without_fields(collection)]
    reading = read(fmt, Book([("Return", rows, False)]), collection)
    assert (reading.contact_name, reading.contact_email) == ("Jo Bloggs", "jo.bloggs@leeds.gov.uk")


def test_two_councils_in_a_heading_name_no_la(collection: Collection) -> None:
    rows = [["Joint return: Leeds and Bradford"], ["Total care homes", 52],
            *_without_fields(collection)]
    reading = read("xlsx", Book([("Return", rows, False)]), collection)
    assert reading.la_name is None


@pytest.mark.parametrize("form", ["{f}{letter}", "Q{code}", "Action {code}", "({code})",
                                  "{code}."])
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
def test_codes_in_any_common_form(form: str, fmt: str, collection: Collection) -> None:
    rows = []
    for n, action in enumerate(collection.actions):
        focus, number = action.code.split(".")
        code = form.format(f=focus, letter="abcdefgh"[int(number) - 1], code=action.code)
        rows.append([code, f"{n} homes", "Yes" if n % 2 else "No"])
    reading = read(fmt, Book([("Return", [["Ref", "Homes", "Support (Y/N)"], *rows], False)]),
                   collection)
    assert [row.code for row in reading.rows] == list(collection.action_codes)
    assert raw_rows(reading)["4.5"] == ("11 homes", "Yes")


SHORT = ["Isolation", "Staff moves", "IPC help", "Tests", "Discharges", "PPE", "Kit", "PPE use",
         "Kit use", "Test kits", "IPC", "Capacity", "Lead GP", "Mutual aid"]


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_short_labels_by_their_order_under_the_focus_headings(fmt: str,
                                                              collection: Collection) -> None:
    rows: list[list[Value]] = [["Action", "Homes", "Support?"]]
    for focus, title in collection.focus_areas.items():
        rows.append([title])
        rows += [[SHORT[collection.action_codes.index(a.code)], 10 + int(focus), "No"]
                 for a in collection.actions if a.focus == focus]
    reading = read(fmt, Book([("Return", rows, False)]), collection)
    assert [row.code for row in reading.rows] == list(collection.action_codes)
    assert {row.code: row.homes_raw for row in reading.rows}["3.2"] == "13"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_transposed_table_with_actions_as_columns(fmt: str, collection: Collection) -> None:
    actions = collection.actions
    rows = [["Local authority", "Leeds"], ["Total care homes", 52], [],
            ["Action"] + [f"{a.code} {a.label}" for a in actions],
            ["Number of care homes"] + [ANSWERS[a.code][0] for a in actions],
            ["Support needed (Y/N)"] + [ANSWERS[a.code][1] for a in actions]]
    reading = read(fmt, Book([("Return", rows, False)]), collection)
    assert [row.code for row in reading.rows] == list(collection.action_codes)
    assert raw_rows(reading)["3.2"] == ("45/52", "N")
    assert reading.rows[0].homes_cell.endswith("!B5")
    assert (reading.la_name, reading.total_raw) == ("Leeds", "52")


YES_NO: list[tuple[Value, str | None]] = [
    ("\u2713", "yes"), ("\u2714", "yes"), ("\u2611", "yes"), ("\u2717", "no"), ("\u2612", "no"),
    ("x", "no"), (True, "yes"), (False, "no"), ("Not required", "no"), ("No.", "no"),
    ("yes - more PPE", "yes"), ("<Please select>", None), ("Y", "yes"),
]


@pytest.mark.parametrize("fmt", ["xlsx", "xlsxwriter", "ods", "xls"])
def test_ticks_crosses_and_checkboxes(fmt: str, collection: Collection) -> None:
    answers = {code: (10, YES_NO[n % len(YES_NO)][0], "")
               for n, code in enumerate(collection.action_codes)}
    reading = read(fmt, Book([("Return", template_rows(collection, answers=answers), False)]),
                   collection)
    got = [parse_support(row.support_raw).needed for row in reading.rows]
    assert got == [YES_NO[n % len(YES_NO)][1] for n in range(len(got))]


@pytest.mark.parametrize("fmt", ["xlsx", "xlsxwriter", "ods", "xls"])
def test_a_fraction_formatted_as_a_percentage(fmt: str, collection: Collection) -> None:
    answers = dict(ANSWERS, **{"1.1": (Percent(0.9), "No", ""), "1.2": (Percent(1.0), "No", "")})
    reading = read(fmt, Book([("Return", template_rows(collection, answers=answers), False)]),
                   collection)
    total = parse_total(reading.total_raw)
    homes = {row.code: row.homes_raw for row in reading.rows}
    assert (homes["1.1"], homes["1.2"]) == ("90%", "100%")
    assert parse_count(homes["1.1"], total).value == 47
    assert parse_count(homes["1.2"], total).value == 52
