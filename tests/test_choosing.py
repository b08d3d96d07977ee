"""Draft and final: when a workbook or a message holds several templates, the final one is read."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from intake.models import ActionRow, TemplateReading
from intake.reading.choosing import choose_template
from intake.samples.files import write_xlsx
from intake.service import IntakeService
from store.collection import Collection, load_collection
from store.db import open_db
from store.exports import export_rows
from store.settings import Settings
from tests.sheet_writers import Book
from tests.smtp_helpers import send_message
from tests.test_intake_flow import acks, leeds_return, return_mail, settled
from tests.test_template import ANSWERS, read, template_rows

TOTAL_LABEL = load_collection().template.total_label
DRAFT_ANSWERS = {code: (11, "No", "") for code in ANSWERS}


def homes(reading: TemplateReading) -> dict[str, str]:
    return {row.code: row.homes_raw for row in reading.rows}


@pytest.mark.parametrize(("fmt", "first", "second"), [
    ("xlsx", "FINAL", "DRAFT"), ("xls", "DRAFT", "FINAL"), ("ods", "v2", "v1"),
    ("xlsxwriter", "old", "updated"), ("xlsx", "Return (superseded)", "Return"),
])
def test_the_final_sheet_is_read_whichever_comes_first(fmt: str, first: str, second: str,
                                                        collection: Collection) -> None:
    final, draft = (first, second) if first in ("FINAL", "v2", "Return") else (second, first)
    sheets = {final: template_rows(collection), draft: template_rows(collection,
                                                                     answers=DRAFT_ANSWERS)}
    book = Book([(name, sheets[name], False) for name in (first, second)])
    reading = read(fmt, book, collection)
    assert reading.sheet == final
    assert homes(reading)["1.1"] == "45"
    assert reading.chosen_because == f'read sheet "{final}"; the workbook also had "{draft}"'


def test_a_blank_copy_loses_to_the_filled_one_whatever_its_name(collection: Collection) -> None:
    blank = {code: ("", "", "") for code in ANSWERS}
    book = Book([("Return", template_rows(collection), False),
                 ("Final template", template_rows(collection, answers=blank), False)])
    reading = read("xlsx", book, collection)
    assert reading.sheet == "Return"


def test_without_telling_names_the_more_complete_then_the_later_is_read(
        collection: Collection) -> None:
    half = {code: ANSWERS[code] if n < 7 else ("", "", "") for n, code in enumerate(ANSWERS)}
    book = Book([("Sheet1", template_rows(collection), False),
                 ("Sheet2", template_rows(collection, answers=half), False)])
    assert read("xlsx", book, collection).sheet == "Sheet1"
    book = Book([("Sheet1", template_rows(collection, answers=DRAFT_ANSWERS), False),
                 ("Sheet2", template_rows(collection), False)])
    assert read("ods", book, collection).sheet == "Sheet2"


def _reading(filename: str, sheet: str = "Template", count: str = "40") -> TemplateReading:
    rows = tuple(ActionRow(code, count, None, "No", None) for code in ("1.1", "1.2", "1.3"))
    return TemplateReading(filename=filename, sheet=sheet, rows=rows)


@pytest.mark.parametrize(("names", "chosen"), [
    (("Leeds return v1.xlsx", "Leeds return v3.xlsx", "Leeds return v2.xlsx"),
     "Leeds return v3.xlsx"),
    (("Leeds FINAL.xlsx", "Leeds DRAFT.xlsx"), "Leeds FINAL.xlsx"),
    (("Leeds_return_updated.ods", "Leeds_return.ods"), "Leeds_return_updated.ods"),
    (("care homes template.xlsx", "care homes template - old.xlsx"), "care homes template.xlsx"),
    (("return.xlsx", "return (2).xlsx"), "return (2).xlsx"),
])
def test_among_files_names_decide(names: tuple[str, ...], chosen: str) -> None:
    reading = choose_template([_reading(name) for name in names])
    assert reading is not None and reading.filename == chosen
    others = ", ".join(f'"{name}"' for name in names if name != chosen)
    assert reading.chosen_because == f'read "{chosen}"; the message also had {others}'


def test_one_template_needs_no_reason_and_none_gives_none() -> None:
    assert choose_template([_reading("a.xlsx")]).chosen_because == ""
    assert choose_template([]) is None


def test_the_workbook_reason_is_kept_inside_the_message_reason() -> None:
    inner = TemplateReading("b.xlsx", "FINAL", _reading("b.xlsx").rows,
                            chosen_because='read sheet "FINAL"; the workbook also had "DRAFT"')
    reading = choose_template([_reading("a draft.xlsx"), inner])
    assert reading.chosen_because == ('read "b.xlsx" (read sheet "FINAL"; the workbook also had '
                                      '"DRAFT"); the message also had "a draft.xlsx"')


@pytest.fixture
async def intake(settings: Settings, collection: Collection):
    service = IntakeService(settings.model_copy(update={"smtp_port": 0}), collection)
    await service.start()
    yield service
    await service.stop()


async def test_a_message_with_a_draft_and_a_final_file_records_the_final_and_says_so(
        intake: IntakeService, settings: Settings) -> None:
    final = leeds_return()
    draft = leeds_return(total_raw=60, actions=tuple(
        type(action)(code=action.code, homes_raw=12, support_raw="Yes")
        for action in final.actions))
    raw = return_mail(final).replace(b'filename="Leeds template.xlsx"',
                                     b'filename="Leeds template FINAL.xlsx"')
    mail = email.message_from_bytes(raw, policy=policy.default)
    mail.add_attachment(write_xlsx(draft), maintype="application",
                        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        filename="Leeds template DRAFT.xlsx")
    await send_message(intake.port, mail.as_bytes(), mail_from="asha.patel@leeds.gov.uk")
    await settled(intake, Path(settings.returns_data_dir) / "outbox", 1)
    answers = list(export_rows(open_db(settings.returns_db), "answers"))
    assert {row["total_care_homes"] for row in answers} == {52}
    assert {row["raw_homes_in_place"] for row in answers} == {"40"}
    (ack,) = acks(Path(settings.returns_data_dir) / "outbox")
    text = " ".join(ack.get_body(("plain",)).get_content().split())
    assert ('Template read: read "Leeds template FINAL.xlsx"; the message also had '
            '"Leeds template DRAFT.xlsx"') in text
    assert f"Total care homes: 52, read from “{TOTAL_LABEL}” (cell" in text
