"""The receipt as a council officer gets it: through the real intake and a real relay, threaded
under their message in Outlook, with an HTML part that says exactly what the plain part says."""

from __future__ import annotations

import email
import re
from email import policy
from html import unescape
from html.parser import HTMLParser

import pytest

from intake.samples.grids import ActionAnswer
from intake.service import IntakeService
from store.register import authorities_by_code
from tests.smtp_helpers import RecordingRelay, send_message, start_relay, wait_for
from tests.test_intake_flow import leeds_return, return_mail

SENDER = "asha.patel@leeds.gov.uk"
# An Office 365 Message-ID of exactly 100 characters: Python's email package would
# RFC 2047-encode it (python/cpython#100991) and Outlook would lose the thread.
LONG_ID = ("<DB9PR07MB7" + "A1B2C3D4E5F6" * 4 + "@DB9PR07MB7771.eurprd07.prod.outlook.com>")


@pytest.fixture
async def relayed(settings, collection):
    """The real intake, sending its mail to a real (recording) relay."""
    relay = RecordingRelay()
    server = await start_relay(relay)
    port = server.sockets[0].getsockname()[1]
    service = IntakeService(settings.model_copy(update={
        "smtp_port": 0, "relay_host": "127.0.0.1", "relay_port": port}), collection)
    await service.start()
    yield service, relay
    await service.stop()
    server.close()
    await server.wait_closed()


async def receipts_for(relayed, *mails: bytes, sender: str = SENDER) -> list[bytes]:
    service, relay = relayed
    for raw in mails:
        assert (await send_message(service.port, raw, mail_from=sender)).data.code == 250
    await wait_for(lambda: len(relay.received) >= len(mails), 30)
    return [envelope.original_content for envelope in relay.received]


def test_the_long_id_is_really_long():
    assert len(LONG_ID) == 100


async def test_a_100_character_message_id_threads_as_a_plain_msg_id(relayed):
    (raw,) = await receipts_for(relayed, return_mail(leeds_return(), message_id=LONG_ID))
    header_lines = raw.split(b"\n\n", 1)[0].decode("ascii").splitlines()
    assert f"In-Reply-To: {LONG_ID}" in header_lines
    assert f"References: {LONG_ID}" in header_lines
    assert "=?" not in raw.split(b"\n\n", 1)[0].decode("ascii")
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail["In-Reply-To"] == LONG_ID and mail["References"] == LONG_ID


def invalid_leeds_mail() -> bytes:
    actions = list(leeds_return().actions)
    actions[0] = ActionAnswer(code="1.1", homes_raw=60, support_raw="No")          # above total
    actions[5] = ActionAnswer(code="3.1", homes_raw="45 homes", support_raw="<Please select>")
    actions[7] = ActionAnswer(code="4.1", homes_raw="90%", support_raw="Yes")      # no description
    actions[8] = ActionAnswer(code="4.2", homes_raw=3,
                              support_raw='Yes - <script>alert("x")</script> & PPE')
    return return_mail(leeds_return(actions=tuple(actions)))


class Tables(HTMLParser):
    """The HTML part's headings, table rows (cell texts) and whether it uses what Outlook or
    Gmail drop (classes, style blocks, scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.headings: list[str] = []
        self.forbidden: list[str] = []
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "link", "img") or any(a == "class" for a, _ in attrs):
            self.forbidden.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "h2":
            self._heading = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data):
        for part in (self._cell, self._heading):
            if part is not None:
                part.append(data)


def parts(raw: bytes) -> tuple[email.message.EmailMessage, str, str]:
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail.get_content_type() == "multipart/alternative"
    # The relay's copy has the CRLF line ends of SMTP.
    return (mail, mail.get_body(("plain",)).get_content().replace("\r\n", "\n"),
            mail.get_body(("html",)).get_content())


def numbered(plain: str, heading: str) -> list[str]:
    """The numbered points under a plain-text heading, without their number."""
    section = plain.split(heading, 1)[1].split("\n\n", 1)[0]
    return [re.sub(r"^\s+\d+\. ", "", line) for line in section.splitlines()[1:]]


async def test_the_html_part_holds_the_same_figures_and_findings_as_the_plain_part(relayed):
    (raw,) = await receipts_for(relayed, invalid_leeds_mail())
    _, plain, html = parts(raw)
    tables = Tables()
    tables.feed(html)
    assert tables.forbidden == []
    assert "What to fix (2)" in tables.headings and "Please check (1)" in tables.headings
    html_points = [f"[{where}] {text}" for number, where, text in
                   (row for row in tables.rows if len(row) == 3 and row[0].isdigit())]
    plain_points = numbered(plain, "WHAT TO FIX (2)") + numbered(plain, "PLEASE CHECK (1)")
    assert html_points == plain_points
    figures = [row for row in tables.rows if len(row) == 4 and row[0][:3] != "Act"]
    assert len(figures) == 14
    plain_figures = plain.split("WHAT WE READ", 1)[1].split("\n\n", 1)[0]
    for cell, homes, written, support in figures:
        action, _, flag = cell.partition(" ◀ ")
        line = next(line for line in plain_figures.splitlines() if line.strip().startswith(
            action[:40]))
        assert re.search(rf"\b{homes}\b", line), (homes, line)
        assert not written or f'(homes written as "{written}")' in line
        assert support in line
        assert line.endswith(f"<- {flag}") if flag else "<-" not in line
    assert ["3.1 Access to appropriate PPE ◀ to fix", "45", "45 homes", "Not chosen"] in figures


async def test_everything_from_the_return_is_escaped_in_the_html(relayed):
    (raw,) = await receipts_for(relayed, invalid_leeds_mail())
    _, plain, html = parts(raw)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; PPE" in html
    assert '<script>alert("x")</script> & PPE' in plain


async def test_the_receipt_says_where_the_total_was_read(relayed):
    (raw,) = await receipts_for(relayed, return_mail(leeds_return()))
    _, plain, html = parts(raw)
    total = re.search(r"Total care homes: (52, read from “[^”]+” \(cell [A-Z]+\d+ of sheet “[^”]+”\))",
                      plain)
    assert total and "CQC registered care homes" in total.group(1), plain
    assert total.group(1) in " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.mark.parametrize("status", ["valid", "invalid", "incomplete"])
def test_every_subject_fits_a_mail_list_and_says_the_result(status, collection):
    from datetime import UTC, datetime

    from intake.receipt import Receipt
    from intake.replies import subject_of
    from store.picture import status_words
    from store.submissions import NewSubmission

    for la in authorities_by_code().values():
        receipt = Receipt(ref="CHR-000123", disposition="accepted", reason="",
                          received=datetime(2020, 5, 27, tzinfo=UTC), files=(),
                          la_name=la.name, version=12,
                          submission=NewSubmission(la.code, status, ()))
        subject = subject_of(receipt)
        assert len(subject) <= 70, subject
        assert subject.endswith(f"{status_words(status)} (CHR-000123)")


@pytest.mark.parametrize(("received", "asked"), [
    ((2020, 5, 27), "Please send a corrected return by Friday 29 May 2020 at 23:59."),
    ((2020, 6, 2), "Please send a corrected return as soon as you can (the deadline was "
                   "Friday 29 May 2020 at 23:59)."),
])
def test_a_return_to_fix_is_asked_for_by_the_deadline_or_soon_once_it_has_passed(
        received, asked, collection):
    from datetime import UTC, datetime

    from intake.receipt import Receipt, view_of
    from store.submissions import NewSubmission

    receipt = Receipt(ref="CHR-000123", disposition="accepted", reason="",
                      received=datetime(*received, 12, tzinfo=UTC), files=(), la_name="Leeds",
                      version=1, submission=NewSubmission("E08000035", "invalid", ()))
    assert view_of(receipt, collection).next_steps[0].startswith(asked)
