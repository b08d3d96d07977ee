"""Raw 8-bit headers (8BITMIME or SMTPUTF8, no RFC 2047) reach the store as the sender wrote
them: UTF-8 when they are UTF-8, else Windows-1252; never mojibake, never lost."""

from __future__ import annotations

import pytest

from intake.reading.headers import decode_header_value
from intake.reading.mime import parse_mime
from store.messages import get_message
from tests.smtp_helpers import INBOX, running_intake, send_message

SUBJECTS = ["Care home return – Bath & North East Somerset (ÅŠ £5)", "Retour café: Zoë’s “final”"]
NAMES = ["Zoë Brontë", "Siân Ó Súilleabháin"]


def raw_8bit(subject: str, name: str, encoding: str) -> bytes:
    head = (f"From: {name} <zoe@leeds.gov.uk>\r\nTo: {INBOX}\r\nSubject: {subject}\r\n"
            "Message-ID: <8bit@leeds.gov.uk>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset={encoding}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
    return (head + "Our return is attached.\r\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize(("subject", "name"), list(zip(SUBJECTS, NAMES, strict=True)))
async def test_raw_8bit_subject_and_from_are_stored_as_written(settings, db, encoding, subject, name):
    if encoding == "cp1252" and not all(ch.encode("cp1252", "ignore") for ch in subject + name):
        pytest.skip("not every character has a Windows-1252 byte")
    stored: list[int] = []
    raw = raw_8bit(subject, name, encoding)
    async with running_intake(settings, on_stored=stored.append) as intake:
        exchange = await send_message(intake.port, raw, mail_options=("BODY=8BITMIME",))
    assert exchange.data is not None and exchange.data.code == 250
    row = db.execute("SELECT subject, from_header FROM messages WHERE id = ?", [stored[0]]).fetchone()
    assert row == (subject, f"{name} <zoe@leeds.gov.uk>")
    message = get_message(db, stored[0])
    headers = parse_mime(message.raw).headers
    assert (headers.subject, headers.from_header) == (subject, f"{name} <zoe@leeds.gov.uk>")


def test_encoded_words_and_raw_bytes_mix_without_mojibake() -> None:
    raw = "Re: Café =?utf-8?q?return_=E2=80=93?= Leeds".encode().decode("ascii", "surrogateescape")
    assert decode_header_value(raw) == "Re: Café return – Leeds"
