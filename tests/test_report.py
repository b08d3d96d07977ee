"""`report London`, `report national` and `plan`: files a person can open, read back with
python-docx and openpyxl and checked against the store."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl

from bot.commands import answer
from bot.render_text import to_text
from store import picture
from tests.signal_helpers import LONDON_VIEWER, NATIONAL_VIEWER, TUESDAY

ROOT = Path(__file__).resolve().parents[1]


def files_of(reply) -> tuple[docx.document.Document, openpyxl.Workbook]:
    by_kind = {f.filename.rsplit(".", 1)[1]: f.data for f in reply.files}
    return (docx.Document(io.BytesIO(by_kind["docx"])),
            openpyxl.load_workbook(io.BytesIO(by_kind["xlsx"])))


def text_of(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def rows(book, sheet: str) -> list[dict]:
    values = list(book[sheet].values)
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def store_count(db, status: str, region: str | None = None) -> int:
    """How many LAs stand at `status` (in `region`), by the store's own counting rule."""
    return sum(row["status"] == status and region in (None, row["region"])
               for row in picture.standings(db))


def test_plans_are_kept_with_author_and_time(london):
    reply = answer("plan Camden: weekly call with the CCG on testing", LONDON_VIEWER, london)
    assert reply.title == "Planned action recorded for Camden: weekly call with the CCG on testing"
    answer("plan London: NHS London to run mutual aid for PPE", LONDON_VIEWER, london)
    answer("plan testing: courier pilot for test kits", LONDON_VIEWER, london)
    answer("plan nhs Hackney: named clinical lead for every home", NATIONAL_VIEWER, london)
    rows_ = list(london.db.query("SELECT * FROM planned_actions ORDER BY id"))
    assert [(r["la_code"], r["region"], r["theme"], r["by_nhs"], r["author"]) for r in rows_] == [
        ("E09000007", "London", None, 0, "ULDN"), (None, "London", None, 1, "ULDN"),
        (None, "London", "Testing", 0, "ULDN"), ("E09000012", "London", None, 1, "UNAT")]
    assert {r["created_at"] for r in rows_} == {TUESDAY.isoformat()}
    assert answer("plan Narnia: anything", LONDON_VIEWER, london).title.startswith("I couldn't find")


def test_the_london_return_has_the_seeds_four_parts_drafted_from_the_store(london):
    answer("plan Camden: weekly call with the CCG on testing", LONDON_VIEWER, london)
    answer("plan London: NHS London to run mutual aid for PPE", LONDON_VIEWER, london)
    reply = answer("report London", LONDON_VIEWER, london)
    document, book = files_of(reply)
    text = text_of(document)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == [
        "1. Places where there are concerns over implementation (resourcing, pace, relationships)",
        "2. Thematic concerns (commitments where confidence is low in several places)",
        "3. Summary of planned regional action", "4. Action NHS regional teams are planning"]
    places = document.tables[0]
    assert [row.cells[0].text for row in places.rows][1:4] == ["Camden", "Croydon", "Hackney"]
    assert places.rows[1].cells[2].text == "pace, resourcing"
    assert "2.1 Access to testing for all residents and asymptomatic staff: 5 of 8 returns" in text
    assert "Camden: weekly call with the CCG on testing (ULDN, 2020-06-02 11:00)" in text
    assert "London: NHS London to run mutual aid for PPE (ULDN" in text
    valid = store_count(london.db, "valid", "London")
    assert f"Valid: {valid} of 33" in text and "Not received (25)" in text
    assert "Needs fixing (1): Hackney" in text
    places_sheet = rows(book, "Places of concern")
    assert {r["LA"] for r in places_sheet} == {"Camden", "Croydon", "Hackney", "Brent",
                                               "Barnet", "Ealing", "Bexley"}
    assert [r["Action"] for r in rows(book, "Planned actions")] == [
        "weekly call with the CCG on testing", "NHS London to run mutual aid for PPE"]
    assert reply.title.startswith(f"Draft regional return for London: 8 of 33 returned: "
                                  f"{valid} valid, 1 needs fixing, 0 letter missing; "
                                  "25 not received.")
    assert reply.sections[0].heading.startswith("1. Thematic: 2.1")


def test_the_national_overview_counts_by_region_with_chart_themes_and_support(london):
    reply = answer("report national", NATIONAL_VIEWER, london)
    document, book = files_of(reply)
    regions = document.tables[0]
    by_region = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in regions.rows[1:]}
    assert len(by_region) == 10
    assert by_region["London"] == ["33", "8", str(store_count(london.db, "valid", "London")), "1",
                                   "0", "25"]
    assert by_region["Total"][0] == "151"
    assert by_region["Total"][2] == str(store_count(london.db, "valid"))
    assert len(document.inline_shapes) == 1                     # the chart
    themes = {r["Theme"]: r["LA names"] for r in rows(book, "Themes from letters")}
    assert themes["Staff full pay while isolating"] == "Camden"
    assert themes["Agency staff"] == "Barnet, Hackney"
    assert themes["Whole-home testing"] == "Croydon"
    support = {r["Action"]: r["LA names"] for r in rows(book, "Support asked")}
    assert support == {"2.1": "Camden", "5.1": "Brent"}
    text = text_of(document)
    assert "London: 7 places, 1 thematic" in text
    assert "Camden (severity 11.7): pace, resourcing" in text


def test_a_report_needs_a_region_and_the_terminal_names_its_files(london):
    assert answer("report Camden", LONDON_VIEWER, london).title.startswith("Reports cover a region")
    text = to_text(answer("report London", LONDON_VIEWER, london))
    assert "(File: regional_return_london_2020-06-02.docx," in text
    assert "(File: regional_return_london_2020-06-02.xlsx," in text


def test_the_terminal_writes_the_report_files_and_prints_their_paths(london, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))}
    env |= {"RETURNS_DB": str(london.settings.returns_db), "RETURNS_DATA_DIR": str(tmp_path),
            "RETURNS_NOW": TUESDAY.isoformat()}
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "report London"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "reports" / "regional_return_london_2020-06-02.docx"
    assert f"Written: {written}" in done.stdout
    assert "Camden" in text_of(docx.Document(written))
    book = openpyxl.load_workbook(written.with_suffix(".xlsx"))
    assert len({row["LA"] for row in rows(book, "Places of concern")}) == 7
