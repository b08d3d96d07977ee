"""The acknowledgement's bytes, read back as a mail client reads them (the default policy):
every header and both parts say exactly what was composed, whatever the return's text holds."""

from __future__ import annotations

import base64
import email
from datetime import UTC, datetime, timedelta
from email import policy
from email.utils import parsedate_to_datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.models import FileNote
from intake.receipt import Receipt, view_of
from intake.receipt_html import receipt_html
from intake.receipt_text import receipt_text
from intake.replies import compose_ack, subject_of
from store.collection import load_collection
from store.register import load_register

COLLECTION = load_collection()
MAIL_FROM = "careandreform2@communities.gov.uk"
OFFICE_365_ID = "<DB9PR07MB7" + "A1B2C3D4E5F6" * 4 + "@DB9PR07MB7771.eurprd07.prod.outlook.com>"

# What councils and mail systems put in names and notes: accents, Welsh, typographic quotes,
# emoji, '=' and '--' (QP and MIME syntax), trailing spaces, tabs and very long lines.
pieces = st.sampled_from(["Ynys Môn", "Bath & NE Somerset", "“final”", "café", "≥ 45", "🙂",
                          "= 3D", "--", "From ", ".", "  ", "\t", "é" * 40, "x" * 120, "a=b"])
texts = st.lists(st.one_of(pieces, st.text(min_size=0, max_size=30)), max_size=8).map("".join)
lines = st.lists(texts, min_size=1, max_size=4).map("\n".join)
# A council's name comes from the register: no control characters or line breaks in it.
names = st.one_of(st.sampled_from([la.name for la in load_register()]), st.lists(
    st.one_of(pieces.filter(str.isprintable), st.text(st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)), max_size=4).map("".join))
notes = st.builds(FileNote, filename=texts.map(lambda t: f"{t}.xlsx"), content_type=st.just(
    "application/octet-stream"), size=st.integers(0, 10**7), sha256=st.just("0" * 64),
    role=st.sampled_from(["template", "letter", "ignored", "unreadable"]), note=texts)
receipts = st.builds(
    Receipt, ref=st.integers(1, 999_999).map(lambda n: f"CHR-{n:06d}"),
    disposition=st.sampled_from(["quarantined", "rejected"]), reason=lines,
    received=st.datetimes(datetime(2020, 5, 1), datetime(2020, 7, 1),
                          timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0)),
    files=st.lists(notes, max_size=4).map(tuple), la_name=st.one_of(st.none(), names))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(receipt=receipts, to=st.sampled_from(["jo.bloggs@leeds.gov.uk", "a.b@xn--mn-lia.cymru"]),
       original=st.sampled_from([OFFICE_365_ID, "<r1@leeds.gov.uk>", "r2@kent.gov.uk"]))
def test_every_header_and_part_reads_back_as_composed(receipt, to, original):
    raw = compose_ack(receipt, to=to, mail_from=MAIL_FROM, original_message_id=original,
                      collection=COLLECTION)
    assert raw.isascii()          # no relay needs 8BITMIME or SMTPUTF8 for it
    assert max(len(line) for line in raw.split(b"\n")) <= 998
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert not mail.defects
    msg_id = original if original.startswith("<") else f"<{original}>"
    assert {name: str(mail[name]) for name in
            ("From", "To", "Subject", "Auto-Submitted", "X-Auto-Response-Suppress",
             "Precedence", "MIME-Version", "In-Reply-To", "References")} == {
        "From": MAIL_FROM, "To": to, "Subject": subject_of(receipt),
        "Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All",
        "Precedence": "auto_reply", "MIME-Version": "1.0", "In-Reply-To": msg_id,
        "References": msg_id}
    assert parsedate_to_datetime(mail["Date"]) == receipt.received
    assert mail["Message-ID"].startswith("<") and mail["Message-ID"].endswith(
        "@communities.gov.uk>")
    assert mail.get_content_type() == "multipart/alternative"
    view = view_of(receipt, COLLECTION)
    plain, html = mail.iter_parts()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content() == one_line_break(receipt_text(view, COLLECTION.short_name))
    assert html.get_content() == one_line_break(receipt_html(view, COLLECTION.short_name))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(receipt=receipts)
def test_the_html_part_is_base64_in_lines_of_76_characters(receipt):
    # Receipts of every size: the lines are cut in blocks, and the last is usually short.
    raw = compose_ack(receipt, to="jo@leeds.gov.uk", mail_from=MAIL_FROM,
                      original_message_id="", collection=COLLECTION)
    html = list(email.message_from_bytes(raw, policy=policy.default).iter_parts())[1]
    assert html.get_payload() == base64.encodebytes(html.get_content().encode()).decode()


def one_line_break(text: str) -> str:
    """A bare CR (say, in a file name) is a line break in mail, as CRLF is."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_each_acknowledgement_has_its_own_message_id_and_boundary():
    receipt = Receipt(ref="CHR-000001", disposition="rejected", reason="no return found",
                      received=datetime(2020, 5, 28, 11, tzinfo=UTC) + timedelta(hours=1),
                      files=())
    first, second = (email.message_from_bytes(
        compose_ack(receipt, to="jo@leeds.gov.uk", mail_from=MAIL_FROM, original_message_id="",
                    collection=COLLECTION), policy=policy.default) for _ in range(2))
    assert first["Message-ID"] != second["Message-ID"]
    assert first.get_boundary() != second.get_boundary()
    assert first["In-Reply-To"] is None and first["References"] is None
