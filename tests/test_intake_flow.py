"""The whole intake, end to end: real SMTP in, store, acknowledgements out as .eml files."""

from __future__ import annotations

import asyncio
import email
from email import policy
from pathlib import Path

import pytest

from intake.samples.files import write_docx_letter, write_xlsx
from intake.samples.grids import ActionAnswer, ReturnContent
from intake.samples.returns import make_sample_returns
from intake.service import IntakeService
from store.db import open_db
from store.exports import export_rows
from store.settings import Settings
from tests.hostile_files import settled as store_settled
from tests.smtp_helpers import INBOX, send_message

LEEDS = "E08000035"


@pytest.fixture
async def intake(settings: Settings, collection):
    service = IntakeService(settings.model_copy(update={"smtp_port": 0}), collection)
    await service.start()
    yield service
    await service.stop()


async def settled(service: IntakeService, outbox: Path, expected_files: int, timeout: float = 30):
    """Wait until processing is idle, the sender has written `expected_files` acks and no
    reply is still queued (so one sent twice would be seen)."""
    async def done() -> None:
        while True:
            await service.idle.wait()
            if (len(list(outbox.glob("*.eml"))) >= expected_files
                    and store_settled(service.settings.returns_db)):
                return
            await asyncio.sleep(0.05)
    await asyncio.wait_for(done(), timeout)


def acks(outbox: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))]


def leeds_return(**changes) -> ReturnContent:
    actions = tuple(ActionAnswer(code=a.code, homes_raw=40, support_raw="No")
                    for a in _actions())
    content = ReturnContent(la_name="Leeds City Council", total_raw=52,
                            contact_name="Asha Patel", contact_email="asha.patel@leeds.gov.uk",
                            contact_phone="0113 222 4444", actions=actions,
                            letter_text="Dear colleagues, our plan for care homes in Leeds ...")
    return content if not changes else ReturnContent(**{**content.__dict__, **changes})


def _actions():
    from store.collection import load_collection

    return load_collection().actions


def return_mail(content: ReturnContent, *, sender="asha.patel@leeds.gov.uk",
                letter: bool = True, message_id="<r1@leeds.gov.uk>") -> bytes:
    mail = email.message.EmailMessage()
    mail["From"] = f"Asha Patel <{sender}>"
    mail["To"] = INBOX
    mail["Subject"] = "Leeds care home support return"
    mail["Message-ID"] = message_id
    mail.set_content("Please find attached our return.\n\nAsha")
    mail.add_attachment(write_xlsx(content), maintype="application",
                        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        filename="Leeds template.xlsx")
    if letter:
        mail.add_attachment(write_docx_letter(content.letter_text), maintype="application",
                            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                            filename="Leeds letter.docx")
    return mail.as_bytes()


async def test_a_valid_return_is_recorded_and_acknowledged(intake, settings):
    exchange = await send_message(intake.port, return_mail(leeds_return()),
                                  mail_from="asha.patel@leeds.gov.uk")
    assert exchange.data.code == 250 and "CHR-000001" in exchange.data.message

    await settled(intake, settings.outbox_dir, 1)
    db = open_db(settings.returns_db)
    [message] = export_rows(db, "messages")
    assert message["disposition"] == "accepted" and message["la_code"] == LEEDS
    answers = list(export_rows(db, "answers"))
    assert len(answers) == 14
    assert {a["homes_in_place"] for a in answers} == {40}
    assert {a["status"] for a in answers} == {"valid"}
    [ack] = acks(settings.outbox_dir)
    assert ack["To"] == "asha.patel@leeds.gov.uk"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack["In-Reply-To"] == "<r1@leeds.gov.uk>"
    body = ack.get_body(("plain",)).get_content()
    assert "CHR-000001" in body and "Leeds" in body and "VALID" in body


async def test_an_invalid_return_is_recorded_and_the_sender_told_what_to_fix(intake, settings):
    actions = list(leeds_return().actions)
    actions[0] = ActionAnswer(code="1.1", homes_raw=60, support_raw="No")          # above total
    actions[5] = ActionAnswer(code="3.1", homes_raw=30, support_raw="<Please select>")
    actions[7] = ActionAnswer(code="4.1", homes_raw="90%", support_raw="Yes")      # no description
    content = leeds_return(actions=tuple(actions))
    await send_message(intake.port, return_mail(content), mail_from="asha.patel@leeds.gov.uk")

    await settled(intake, settings.outbox_dir, 1)
    db = open_db(settings.returns_db)
    [submission] = export_rows(db, "submissions")
    assert submission["status"] == "invalid"
    answers = {a["action"]: a for a in export_rows(db, "answers")}
    assert answers["4.1"]["homes_in_place"] == 47 and answers["4.1"]["raw_homes_in_place"] == "90%"
    body = acks(settings.outbox_dir)[0].get_body(("plain",)).get_content()
    to_fix, to_check = body.split("WHAT TO FIX (2)")[1].split("PLEASE CHECK (1)")
    assert "60 care homes is more than your total of 52" in to_fix
    assert "3.1" in to_fix and "Yes or No has not been chosen" in to_fix
    assert "4.1" in to_check and "did not say what support would help" in to_check


async def test_a_resubmission_is_a_new_version_and_the_valid_one_counts(intake, settings):
    actions = list(leeds_return().actions)
    actions[0] = ActionAnswer(code="1.1", homes_raw="", support_raw="No")
    await send_message(intake.port, return_mail(leeds_return(actions=tuple(actions))),
                       mail_from="asha.patel@leeds.gov.uk")
    await settled(intake, settings.outbox_dir, 1)
    await send_message(intake.port, return_mail(leeds_return(), message_id="<r2@leeds.gov.uk>"),
                       mail_from="asha.patel@leeds.gov.uk")
    await settled(intake, settings.outbox_dir, 2)

    db = open_db(settings.returns_db)
    rows = list(export_rows(db, "submissions"))
    assert [(r["version"], r["status"], r["is_latest"], r["counts"]) for r in rows] == [
        (1, "invalid", False, False), (2, "valid", True, True)]
    [leeds] = [a for a in export_rows(db, "authorities") if a["la_code"] == LEEDS]
    assert leeds["status"] == "valid" and leeds["version"] == 2
    assert "asha.patel@leeds.gov.uk" in leeds["contacts"]


async def test_the_same_message_delivered_twice_is_stored_and_answered_once(intake, settings):
    raw = return_mail(leeds_return())
    first = await send_message(intake.port, raw, mail_from="asha.patel@leeds.gov.uk")
    second = await send_message(intake.port, raw, mail_from="asha.patel@leeds.gov.uk")
    assert first.data.message == second.data.message
    await settled(intake, settings.outbox_dir, 1)
    assert len(acks(settings.outbox_dir)) == 1
    assert len(list(export_rows(open_db(settings.returns_db), "messages"))) == 1


async def test_a_sender_outside_the_council_is_quarantined_and_told(intake, settings):
    await send_message(intake.port, return_mail(leeds_return(), sender="asha@gmail.com"),
                       mail_from="asha@gmail.com")
    await settled(intake, settings.outbox_dir, 1)
    [message] = export_rows(open_db(settings.returns_db), "messages")
    assert message["disposition"] == "quarantined"
    assert "gmail.com" in message["reason"]
    body = acks(settings.outbox_dir)[0].get_body(("plain",)).get_content()
    assert "held for a person to check" in body


async def test_sample_returns_end_with_the_expected_status(intake, settings, collection):
    samples = [s for s in make_sample_returns(12, seed=7, collection=collection)]
    for sample in samples:
        exchange = await send_message(intake.port, sample.raw, mail_from=sample.mail_from)
        assert exchange.data.code == 250
    await settled(intake, settings.outbox_dir, len(samples))
    db = open_db(settings.returns_db)
    messages = list(export_rows(db, "messages"))
    assert [m["disposition"] for m in messages] == ["accepted"] * len(samples)
    latest = {r["la_code"]: r["status"] for r in export_rows(db, "submissions") if r["is_latest"]}
    for sample in samples:
        if "resubmission" not in sample.kinds and sample is _last_for(samples, sample.la_code):
            assert latest[sample.la_code] == sample.expected.status, sample.kinds


def _last_for(samples, la_code):
    return [s for s in samples if s.la_code == la_code][-1]
