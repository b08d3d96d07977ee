"""End to end over real SMTP: a return sent inside Outlook's winmail.dat is recorded and
acknowledged; a scanned covering letter is a query on a recorded return, never "no letter"."""

from __future__ import annotations

import email.message

from intake.samples.files import write_docx_letter, write_xlsx
from store.db import open_db
from store.exports import export_rows
from tests.smtp_helpers import INBOX, send_message
from tests.test_formats import scanned_pdf
from tests.test_intake_flow import acks, intake, leeds_return, settled  # noqa: F401 (fixture)
from tests.tnef_files import tnef

SENDER = "asha.patel@leeds.gov.uk"


def mail_with(*files: tuple[str, str, bytes]) -> bytes:
    mail = email.message.EmailMessage()
    mail["From"] = f"Asha Patel <{SENDER}>"
    mail["To"] = INBOX
    mail["Subject"] = "Leeds care home support return"
    mail["Message-ID"] = "<outlook-1@leeds.gov.uk>"
    mail.set_content("")
    for filename, content_type, data in files:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


async def test_a_return_inside_winmail_dat_is_recorded_and_acknowledged(intake, settings):  # noqa: F811
    content = leeds_return()
    winmail = tnef([("Leeds template.xlsx", write_xlsx(content)),
                    ("Leeds letter.docx", write_docx_letter(content.letter_text))])
    exchange = await send_message(intake.port, mail_with(("winmail.dat", "application/ms-tnef", winmail)),
                                  mail_from=SENDER)
    assert exchange.data.code == 250
    await settled(intake, settings.outbox_dir, 1)
    db = open_db(settings.returns_db)
    [submission] = export_rows(db, "submissions")
    assert submission["status"] == "valid"
    letter = db.execute("SELECT letter_file FROM submissions").fetchone()[0]
    assert letter == "winmail.dat/Leeds letter.docx"
    assert {answer["homes_in_place"] for answer in export_rows(db, "answers")} == {40}
    body = acks(settings.outbox_dir)[0].get_body(("plain",)).get_content()
    assert "winmail.dat/Leeds template.xlsx" in body and "VALID" in body


async def test_a_scanned_letter_is_a_query_on_a_recorded_return(intake, settings):  # noqa: F811
    raw = mail_with(("Leeds template.xlsx", "application/octet-stream", write_xlsx(leeds_return())),
                    ("Leeds letter.pdf", "application/pdf", scanned_pdf()))
    await send_message(intake.port, raw, mail_from=SENDER)
    await settled(intake, settings.outbox_dir, 1)
    db = open_db(settings.returns_db)
    [submission] = export_rows(db, "submissions")
    assert submission["status"] == "valid"  # the figures stand: a query, not an error
    findings = db.execute("SELECT severity, text FROM findings").fetchall()
    assert [severity for severity, text in findings if "letter" in text] == ["query"]
    assert any("it seems to be a scan" in text for _, text in findings)
    body = acks(settings.outbox_dir)[0].get_body(("plain",)).get_content()
    assert "No covering letter" not in body and "it seems to be a scan" in body
