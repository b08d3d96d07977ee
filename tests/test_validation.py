"""Validation: the right errors and queries, each tied to its row and cell, in plain words."""

from __future__ import annotations

from intake.models import ActionRow, Letter, TemplateReading
from intake.validation import NO_LETTER, NO_TEMPLATE, LaFacts, covering_letter, validate_return

CODES = ("1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "4.3", "4.4", "4.5",
         "5.1", "5.2")


def template(total="50", counts=None, support=None, drop=(), **fields) -> TemplateReading:
    counts = counts or {}
    support = support or {}
    rows = tuple(
        ActionRow(code=code, homes_raw=counts.get(code, str(40 + n % 5)),
                  homes_cell=f"Template!B{7 + n}", support_raw=support.get(code, "No"),
                  support_cell=f"Template!C{7 + n}")
        for n, code in enumerate(CODES) if code not in drop)
    return TemplateReading(filename="t.xlsx", sheet="Template", rows=rows, la_name="Leeds",
                           total_raw=total, total_cell="Template!B4", **fields)


def check(reading, collection, letter="letter.docx", facts=None):
    written = Letter(letter, "Dear ...") if letter else None
    return validate_return(reading, written, facts or LaFacts("E08000035"), collection)


def texts(submission, severity):
    return [(f.action, f.cell, f.text) for f in submission.findings if f.severity == severity]


def test_a_complete_return_is_valid(collection):
    submission = check(template(), collection)
    assert submission.status == "valid" and submission.findings == ()
    assert [a.homes_in_place for a in submission.answers][:3] == [40, 41, 42]
    assert submission.total_care_homes == 50


def test_only_the_letter_missing_is_incomplete(collection):
    submission = check(template(), collection, letter=None)
    assert submission.status == "incomplete"
    assert texts(submission, "error") == [(None, None, NO_LETTER)]


def test_no_template_is_invalid(collection):
    submission = check(None, collection)
    assert submission.status == "invalid" and submission.errors[0].text == NO_TEMPLATE


def test_each_row_error_names_the_action_and_the_cell(collection):
    reading = template(counts={"1.1": "", "1.2": "60", "1.3": "n/a", "2.1": "-3"},
                       support={"3.1": "<Please select>", "3.2": "Yes", "4.1": "maybe"},
                       drop=("5.2",))
    errors = texts(check(reading, collection), "error")
    by_action = {action: (cell, text) for action, cell, text in errors}
    assert by_action["1.1"] == ("Template!B7", "1.1 Support for cohorting and/or isolation of "
                                "residents: the number of care homes is blank: please enter how "
                                "many homes have this in place.")
    assert "60 care homes is more than your total of 50" in by_action["1.2"][1]
    assert '"n/a" is not a number' in by_action["1.3"][1]
    assert '"-3" is not a whole number' in by_action["2.1"][1]
    assert by_action["3.1"][0] == "Template!C12"
    assert "Yes or No has not been chosen" in by_action["3.1"][1]
    assert "was not found in the template" in by_action["5.2"][1]
    assert len(errors) == 6


def test_doubts_that_leave_the_figures_usable_are_queries_not_errors(collection):
    reading = template(support={"3.2": "Yes", "4.1": "maybe", "4.2": "N"})
    submission = check(reading, collection)
    queries = {action: (cell, text) for action, cell, text in texts(submission, "query")}
    assert submission.status == "valid"
    assert queries["3.2"][0] == "Template!C13"
    assert "did not say what support would help" in queries["3.2"][1]
    assert 'you wrote "maybe" where we expected Yes or No' in queries["4.1"][1]
    assert "4.2" not in queries
    answers = {a.action: a for a in submission.answers}
    assert (answers["4.1"].support_needed, answers["4.1"].raw_support) == (None, "maybe")


def test_a_letter_that_could_not_be_read_is_a_query_not_a_missing_letter(collection):
    scan = Letter("letter.pdf", "", unreadable="the PDF has no text layer (perhaps a scan)")
    submission = validate_return(template(), scan, LaFacts("E08000035"), collection)
    assert submission.status == "valid" and submission.errors == ()
    (query,) = submission.queries
    assert "could not read your covering letter letter.pdf" in query.text
    assert "no text layer" in query.text
    assert submission.letter_file == "letter.pdf"


def test_a_readable_letter_is_preferred_to_an_unreadable_one():
    scan = Letter("scan.pdf", "", unreadable="no text layer")
    typed = Letter("letter.docx", "Dear colleague")
    assert covering_letter((scan, typed)) == typed
    assert covering_letter((scan,)) == scan
    assert covering_letter(()) is None


def test_yes_with_a_description_in_the_same_cell_is_answered(collection):
    submission = check(template(support={"3.1": "Yes - more FFP3 masks"}), collection)
    answer = next(a for a in submission.answers if a.action == "3.1")
    assert (answer.support_needed, answer.support_description) == ("yes", "more FFP3 masks")
    assert submission.status == "valid"


def test_total_missing_or_not_a_number_is_an_error(collection):
    assert "is blank" in check(template(total=""), collection).errors[0].text
    assert 'says "about fifty"' in check(template(total="about fifty"), collection).errors[0].text


def test_percentages_and_all_use_the_total(collection):
    submission = check(template(counts={"1.1": "90%", "1.2": "all", "1.3": "45 of 50"}),
                       collection)
    values = {a.action: (a.homes_in_place, a.raw_homes_in_place) for a in submission.answers}
    assert values["1.1"] == (45, "90%") and values["1.2"] == (50, "all")
    assert values["1.3"] == (45, "45 of 50")


def test_queries_are_raised_but_do_not_make_a_return_invalid(collection):
    same = {code: "30" for code in CODES}
    same["2.1"] = "0"
    facts = LaFacts("E08000035", register_total=120, previous_counts={"1.1": 10})
    submission = check(template(counts=same), collection, facts=facts)
    queries = [text for _, _, text in texts(submission, "query")]
    assert submission.status == "valid"
    assert any("far from the 120 registered" in q for q in queries)
    assert any(q.startswith("2.1 ") and "in place in none" in q for q in queries)
    assert any("changed from 10 to 30" in q for q in queries)


def test_identical_counts_in_every_row_are_queried(collection):
    submission = check(template(counts={code: "30" for code in CODES}), collection)
    assert any("same count (30)" in f.text for f in submission.queries)
