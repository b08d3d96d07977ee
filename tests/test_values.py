"""Cell text as LAs really write it, read into typed values with the raw text's meaning kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.reading.values import (
    Count,
    Support,
    _read_number,
    parse_count,
    parse_support,
    parse_total,
)

# raw, the return's total of homes, the count read
COUNTS = [
    ("45", 52, 45), ("45.0", 52, 45), (" 45 ", None, 45), ("45 homes", 52, 45),
    ("45 care homes", None, 45), ("0", 52, 0), ("1,234", None, 1234), ("1,234 homes", None, 1234),
    ("45/52", 52, 45), ("45 / 52", None, 45), ("45 of 52", 52, 45), ("45 out of 52", 52, 45),
    ("40 (of 45)", 45, 40), ("40 (out of 45)", 45, 40), ("45 ( / 52)", 52, 45),
    ("90%", 52, 47), ("90 %", 50, 45), ("100%", 52, 52), ("50 per cent", 10, 5),
    ("5%", 50, 3),                          # 2.5 homes rounds half up, as people round
    ("0.9", 52, 47),                        # a percent cell whose format was lost
    (".5", 10, 5), ("45 (87%)", 52, 45),
    ("all", 52, 52), ("All", 52, 52), ("all homes", 7, 7), ("All (52)", 52, 52),
    ("none", 52, 0), ("None", None, 0), ("nil", 52, 0),
    ("approx 40", 52, 40), ("Approximately 40", 52, 40), ("c. 40", 52, 40), ("c.40", 52, 40),
    ("circa 40", 52, 40), ("~40", 52, 40), ("45 (plus 3 extra care)", 52, 45),
]
# What a cell without a count is, and (raw, the return's total) of cells read so
NO_COUNT = {
    "invalid": [("90%", None), ("all", None), ("0.9", None), ("-3", 52), ("45.5", 52),
                ("20-30", 52), ("20 to 30", 52), ("Yes", 52), ("lots", 52), ("We have 45", 52)],
    "not_applicable": [("n/a", 52), ("N/A", 52), ("Not applicable", 52), ("-", 52), ("TBC", 52)],
    "blank": [("", 52), ("   ", 52)],
    "unanswered": [("<Please select>", 52), ("Please select", 52)],
}


@pytest.mark.parametrize(("raw", "total", "value"), COUNTS)
def test_counts_are_read_as_las_write_them(raw: str, total: int | None, value: int) -> None:
    count = parse_count(raw, total)
    assert (count.value, count.kind) == (value, "number")


@pytest.mark.parametrize(("raw", "total", "kind"), [
    (raw, total, kind) for kind, cells in NO_COUNT.items() for raw, total in cells])
def test_cells_without_a_count_say_what_they_are(raw: str, total: int | None, kind: str) -> None:
    count = parse_count(raw, total)
    assert (count.value, count.kind) == (None, kind)


@pytest.mark.parametrize(("raw", "total", "note"), [
    ("90%", None, "a percentage needs the total number of care homes"),
    ("all", None, '"all" needs the total number of care homes'),
    ("45.5", 52, "not a whole number"),
    ("-3", 52, "a negative number"),
    ("lots", 52, "no number"),
    ("20-30", 52, "a range, not one number"),
    ("150%", 52, "a percentage outside 0 to 100"),
])
def test_unreadable_counts_say_why(raw: str, total: int | None, note: str) -> None:
    assert parse_count(raw, total) == Count(None, "invalid", note)


@pytest.mark.parametrize(("raw", "total", "words"), [
    ("90%", 52, "90% of 52 homes"),
    ("all", 52, '"all" read as the total of 52'),
    ("approx 40", 52, "an approximate figure"),
    ("45 of 50", 52, "written as out of 50"),
    ("0.9", 52, "90% of 52 homes"),
    ("45 (of 50)", 52, "written as out of 50"),
])
def test_interpreted_counts_carry_a_note(raw: str, total: int, words: str) -> None:
    assert words in parse_count(raw, total).note


def test_a_count_out_of_the_total_needs_no_note() -> None:
    assert parse_count("45 of 52", 52) == Count(45, "number")


@pytest.mark.parametrize(("raw", "total"), [
    ("87", 87), ("87.0", 87), ("87 homes", 87), ("1,087", 1087), ("approx. 90", 90),
    ("", None), ("n/a", None), ("unknown", None), ("87.5", None), ("all", None),
    ("<Please select>", None),
])
def test_total(raw: str, total: int | None) -> None:
    assert parse_total(raw) == total


SUPPORT = [
    # raw, needed, description, kind
    ("Y", "yes", "", "answered"),
    ("y", "yes", "", "answered"),
    ("Yes", "yes", "", "answered"),
    ("YES", "yes", "", "answered"),
    ("Yes.", "yes", "", "answered"),
    ("yes - more PPE", "yes", "more PPE", "answered"),
    ("Yes: training for care home staff on PPE", "yes", "training for care home staff on PPE",
     "answered"),
    ("Yes, more testing capacity.", "yes", "more testing capacity.", "answered"),
    ("Yes \u2013 mutual aid", "yes", "mutual aid", "answered"),
    ("No", "no", "", "answered"),
    ("No.", "no", "", "answered"),
    ("N", "no", "", "answered"),
    ("no", "no", "", "answered"),
    ("no, thank you", "no", "thank you", "answered"),
    ("", None, "", "unanswered"),
    ("  ", None, "", "unanswered"),
    ("<Please select>", None, "", "unanswered"),
    ("<please select>", None, "", "unanswered"),
    ("More PPE please", None, "", "invalid"),
    ("Not at this time", "no", "", "answered"),
    ("Not required", "no", "", "answered"),
    ("not needed - support already in place", "no", "support already in place", "answered"),
    ("None required", "no", "", "answered"),
    ("No need", "no", "", "answered"),
    ("\u2713", "yes", "", "answered"),
    ("\u2714 more PPE", "yes", "more PPE", "answered"),
    ("\u2611", "yes", "", "answered"),
    ("\u2717", "no", "", "answered"),
    ("\u2612", "no", "", "answered"),
    ("x", "no", "", "answered"),
    ("X", "no", "", "answered"),
    ("TRUE", "yes", "", "answered"),        # a checkbox cell
    ("FALSE", "no", "", "answered"),
    ("Notable gaps in PPE", None, "", "invalid"),
    ("Xmas staffing", None, "", "invalid"),
    ("Yesterday we asked", None, "", "invalid"),
    ("Nothing needed", "no", "", "answered"),
    ("n/a", None, "", "invalid"),
    ("N/A - already in place", None, "", "invalid"),
]


@pytest.mark.parametrize(("raw", "needed", "description", "kind"), SUPPORT)
def test_support_answers(raw: str, needed: str | None, description: str, kind: str) -> None:
    assert parse_support(raw) == Support(needed, description, kind)


@given(digits=st.text(st.sampled_from("0123456789"), min_size=1, max_size=20),
       space=st.sampled_from(["", " ", "\t", "\n "]), total=st.one_of(st.none(), st.integers(0, 500)))
def test_a_plain_number_reads_as_the_general_reading_does(digits, space, total):
    # Plain numbers take a short way (to 15 digits); a longer one is rounded as a float, as
    # the general reading does.
    assert parse_count(f"{space}{digits}{space}", total) == _read_number(digits, total)
