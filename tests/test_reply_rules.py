"""Who gets a reply (DESIGN section 6), through the real intake: no backscatter to strangers,
bounces are never returns, and the loop limit never swallows an accepted return's receipt."""

from __future__ import annotations

import asyncio
import email
import email.message
import random
from dataclasses import replace
from email import policy

import pytest

from intake.blank import write_blank_template
from intake.models import Headers
from intake.reply_rules import who_gets_a_reply
from intake.samples.files import write_pdf_letter
from intake.samples.grids import ActionAnswer
from intake.service import IntakeService
from store.db import open_db
from store.exports import export_rows
from tests.hostile_files import settled
from tests.smtp_helpers import INBOX, send_message
from tests.test_intake_flow import leeds_return, return_mail

SENDER = "asha.patel@leeds.gov.uk"
PERSON = Headers(message_id="<r1@leeds.gov.uk>", subject="Care home return",
                 from_address=SENDER, content_type="multipart/mixed")
SPAM_TEXTS = (
    "Exclusive offer: replica watches at 90% off. Click the link below to claim your voucher "
    "before midnight. Unsubscribe at any time.",
    "INVOICE 2020-0412. Please find attached your invoice for consultancy services. Payment is "
    "due within 30 days to the account shown. Regards, Accounts team.",
    "Dear friend, I am a banker with a proposal of mutual benefit regarding an unclaimed "
    "deposit. Reply in confidence with your details for the transfer.",
)


@pytest.fixture
async def intake(settings, collection):
    service = IntakeService(settings.model_copy(update={"smtp_port": 0}), collection)
    await service.start()
    yield service
    await service.stop()


async def settle(service: IntakeService, sent: int, timeout: float = 30) -> None:
    """Wait until every message sent has a disposition, processing is idle and every reply
    queued has left (so a reply sent twice would be seen)."""
    async def done() -> None:
        while True:
            await service.idle.wait()
            rows = list(export_rows(open_db(service.settings.returns_db), "messages"))
            if len(rows) >= sent and settled(service.settings.returns_db):
                return
            await asyncio.sleep(0.05)
    await asyncio.wait_for(done(), timeout)


def outbox(settings) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(settings.outbox_dir.glob("*.eml"))]


def stranger_mail(sender: str, text: str, seed: int) -> bytes:
    mail = email.message.EmailMessage()
    mail["From"] = sender
    mail["To"] = INBOX
    mail["Subject"] = random.Random(seed).choice(["Your invoice", "Special offer", "Hello",
                                                 "Re: your enquiry", "Document attached"])
    mail["Message-ID"] = f"<spam{seed}@{sender.rpartition('@')[2]}>"
    mail.set_content(text)
    mail.add_attachment(write_pdf_letter(text), maintype="application", subtype="pdf",
                        filename=f"document-{seed}.pdf")
    return mail.as_bytes()


async def test_strangers_pdfs_get_no_reply_but_a_strangers_return_does(intake, settings):
    strangers = [(f"{name}@{domain}", text) for name, domain, text in zip(
        ("offers", "accounts", "j.smith"), ("deals-example.com", "invoices.example.net",
                                            "gmail.com"), SPAM_TEXTS, strict=True)]
    for seed, (sender, text) in enumerate(strangers):
        await send_message(intake.port, stranger_mail(sender, text, seed), mail_from=sender)
    await send_message(intake.port, return_mail(leeds_return(), sender="asha@gmail.com",
                                                message_id="<real@gmail.com>"),
                       mail_from="asha@gmail.com")
    await settle(intake, len(strangers) + 1)
    messages = {row["mail_from"]: row for row in export_rows(open_db(settings.returns_db),
                                                             "messages")}
    assert {messages[sender]["disposition"] for sender, _ in strangers} <= {"quarantined",
                                                                           "rejected"}
    assert messages["asha@gmail.com"]["disposition"] == "quarantined"
    assert [mail["To"] for mail in outbox(settings)] == ["asha@gmail.com"]


def leeds_try(number: int, *, valid: bool) -> bytes:
    actions = list(leeds_return().actions)
    if not valid:
        actions[number] = ActionAnswer(code=actions[number].code, homes_raw="",
                                       support_raw="No")
    return return_mail(leeds_return(actions=tuple(actions)),
                       message_id=f"<try{number}@leeds.gov.uk>")


async def test_the_fourth_try_a_valid_one_gets_its_receipt(intake, settings):
    for number in range(3):
        await send_message(intake.port, leeds_try(number, valid=False), mail_from=SENDER)
        await settle(intake, number + 1)
    await send_message(intake.port, leeds_try(3, valid=True), mail_from=SENDER)
    await settle(intake, 4)
    subjects = [mail["Subject"] for mail in outbox(settings)]
    assert len(subjects) == 4
    assert sum("needs fixing" in subject for subject in subjects) == 3
    assert sum(subject.startswith("Return from Leeds received: valid") for subject in subjects) == 1


def blank_template(tmp_path, collection) -> bytes:
    path = tmp_path / "blank.xlsx"
    write_blank_template(path, collection)
    return path.read_bytes()


def our_chaser(template: bytes) -> email.message.EmailMessage:
    chaser = email.message.EmailMessage()
    chaser["From"] = INBOX
    chaser["To"] = SENDER
    chaser["Subject"] = "Reminder: care home support return from Leeds: not received"
    chaser["Auto-Submitted"] = "auto-generated"
    chaser.set_content("Dear colleague,\n\nThis is a reminder about Leeds's care home support "
                       "local planning return. Please send the template and covering letter.")
    chaser.add_attachment(template, maintype="application", subtype="vnd.openxmlformats-"
                          "officedocument.spreadsheetml.sheet", filename="template.xlsx")
    return chaser


def dsn(chaser: email.message.EmailMessage, *, sender: str) -> bytes:
    """A delivery status notification (RFC 3464) carrying our chaser back, as Postfix sends."""
    head = (f"From: Mail Delivery System <{sender}>\nTo: {INBOX}\n"
            "Subject: Undelivered Mail Returned to Sender\n"
            f"Message-ID: <bounce-{len(sender)}@mx.leeds.gov.uk>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\n\n')
    parts = [
        "Content-Type: text/plain\n\nThis is the mail system at host mx.leeds.gov.uk.\n\n"
        "I'm sorry to have to inform you that your message could not be delivered.\n",
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.leeds.gov.uk\n\n"
        f"Final-Recipient: rfc822; {SENDER}\nAction: failed\nStatus: 5.1.1\n",
        "Content-Type: message/rfc822\n\n" + chaser.as_string(),
    ]
    return (head + "".join(f"--B1\n{part}\n" for part in parts) + "--B1--\n").encode()


def exchange_ndr(template: bytes) -> bytes:
    """Exchange's non-delivery report: a plain attachment of the blank template, no DSN part."""
    ndr = email.message.EmailMessage()
    ndr["From"] = "postmaster@leeds.gov.uk"
    ndr["To"] = INBOX
    ndr["Subject"] = "Undeliverable: Reminder: care home support return from Leeds"
    ndr["X-MS-Exchange-Message-Is-Ndr"] = ""
    ndr["Message-ID"] = "<ndr1@leeds.gov.uk>"
    ndr.set_content("Delivery has failed to these recipients or groups: " + SENDER)
    ndr.add_attachment(template, maintype="application", subtype="octet-stream",
                       filename="template.xlsx")
    return ndr.as_bytes()


async def test_a_bounce_with_our_blank_template_is_ignored(intake, settings, collection,
                                                           tmp_path):
    template = blank_template(tmp_path, collection)
    bounces = [(dsn(our_chaser(template), sender="MAILER-DAEMON@mx.leeds.gov.uk"), ""),
               (dsn(our_chaser(template), sender="MAILER-DAEMON@mx.leeds.gov.uk"),
                "MAILER-DAEMON@mx.leeds.gov.uk"),
               (exchange_ndr(template), "postmaster@leeds.gov.uk")]
    for raw, mail_from in bounces:
        await send_message(intake.port, raw, mail_from=mail_from)
    await settle(intake, len(bounces))
    db = open_db(settings.returns_db)
    messages = list(export_rows(db, "messages"))
    assert [m["disposition"] for m in messages] == ["ignored"] * len(bounces)
    assert all(m["reason"].startswith("automatic mail, not a return") for m in messages)
    assert list(export_rows(db, "submissions")) == []
    assert outbox(settings) == []


def rules(disposition: str, *, looks: bool = True, council: bool = True, recent: int = 0,
          headers: Headers = PERSON, mail_from: str = SENDER):
    return who_gets_a_reply(disposition, looks_like_return=looks, from_a_council=council,
                            headers=headers, mail_from=mail_from,
                            own_addresses=(INBOX,), count_recent_replies=lambda: recent)


@pytest.mark.parametrize("recent", [0, 3, 50])
def test_an_accepted_return_is_always_answered_whatever_the_count(recent):
    assert rules("accepted", recent=recent).send
    assert rules("accepted", council=False, recent=recent).send


def test_the_reply_count_is_asked_only_when_the_loop_limit_applies():
    asked = []

    def count() -> int:
        asked.append(1)
        return 0

    def decide(disposition: str, looks: bool = True) -> bool:
        return who_gets_a_reply(disposition, looks_like_return=looks, from_a_council=True,
                                headers=PERSON, mail_from=SENDER, own_addresses=(INBOX,),
                                count_recent_replies=count).send

    assert decide("accepted") and not decide("ignored") and not decide("quarantined", False)
    assert asked == []
    assert decide("quarantined") and decide("rejected")
    assert len(asked) == 2


def test_the_loop_limit_holds_the_rest_back():
    assert rules("quarantined", recent=2).send and not rules("quarantined", recent=3).send
    assert rules("rejected", recent=2).send and not rules("rejected", recent=3).send


def test_no_reply_to_automatic_mail_or_what_does_not_look_like_a_return():
    automatic = replace(PERSON, auto_submitted="auto-generated")
    assert not rules("accepted", headers=automatic).send
    assert not rules("ignored").send
    assert not rules("quarantined", looks=False).send
    assert not rules("rejected", council=False).send
    assert not rules("accepted", mail_from=INBOX).send
