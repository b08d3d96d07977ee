"""parse_mime reads real and malformed mail without raising, and keeps what matters."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.reading import mime
from intake.reading.mime import parse_headers, parse_mime

BOUNCES = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bounces"


def return_email(body: str = "Please find our return attached.") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <Jo.Bloggs@Kent.gov.uk>"
    message["To"] = "careandreform2@communities.gov.uk"
    message["Subject"] = "Care home support return - Kent"
    message["Message-ID"] = "<ret-1@kent.gov.uk>"
    message.set_content(body)
    return message


def test_reads_headers_body_and_attachments() -> None:
    message = return_email()
    message.add_attachment(b"PK\x03\x04data", maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           filename="Kent template.xlsx")
    parsed = parse_mime(message.as_bytes())
    assert parsed.headers.from_address == "jo.bloggs@kent.gov.uk"
    assert parsed.headers.from_header == "Jo Bloggs <Jo.Bloggs@Kent.gov.uk>"
    assert parsed.headers.subject == "Care home support return - Kent"
    assert parsed.headers.message_id == "<ret-1@kent.gov.uk>"
    assert parsed.headers.content_type == "multipart/mixed"
    assert parsed.body_text == "Please find our return attached."
    assert [(a.filename, a.data) for a in parsed.attachments] == [("Kent template.xlsx", b"PK\x03\x04data")]
    assert parsed.problems == ()


def test_loop_markers_lists_authentication_and_received_are_all_kept() -> None:
    raw = (
        b"Received: from a.example by b.example\r\nReceived: from c.example by a.example\r\n"
        b"Authentication-Results: mx.gov.uk; dmarc=pass header.from=kent.gov.uk\r\n"
        b"Authentication-Results: other; dkim=fail\r\n"
        b"From: out-of-office@kent.gov.uk\r\nSubject: Automatic reply: return\r\n"
        b"Auto-Submitted: auto-replied\r\nPrecedence: bulk\r\nList-Id: <returns.lists.example>\r\n"
        b"List-Unsubscribe: <mailto:x@example.com>\r\nX-Autoreply: yes\r\n"
        b"X-Auto-Response-Suppress: All\r\n\r\nI am away.\r\n"
    )
    headers = parse_mime(raw).headers
    assert headers.auto_submitted == "auto-replied"
    assert headers.precedence == "bulk"
    assert headers.list_headers == ("List-Id", "List-Unsubscribe")
    assert headers.other_auto_markers == ("X-Autoreply", "X-Auto-Response-Suppress")
    assert headers.authentication_results == (
        "mx.gov.uk; dmarc=pass header.from=kent.gov.uk", "other; dkim=fail")
    assert len(headers.received) == 2
    assert parse_headers(raw) == headers


def test_raw_eight_bit_headers_and_encoded_words_are_decoded() -> None:
    raw = ("Subject: R\u00e9sum\u00e9 =?iso-8859-1?q?caf=E9?=\nFrom: J\u00f6rg <jorg@example.org>\n\nx\n")
    parsed = parse_mime(raw.encode("utf-8"))
    assert parsed.headers.subject == "R\u00e9sum\u00e9 caf\u00e9"
    assert parsed.headers.from_header == "J\u00f6rg <jorg@example.org>"
    latin = parse_mime("Subject: Caf\u00e9\n\nx\n".encode("cp1252"))
    assert latin.headers.subject == "Caf\u00e9"


def test_a_broken_from_header_gives_no_address_but_no_error() -> None:
    parsed = parse_mime(b'From: <<<>>>@@ , "\nSubject: =?utf-8?B?broken\n\nhello\n')
    assert parsed.headers.from_address == ""
    assert parsed.body_text == "hello"


@pytest.mark.parametrize("charset", ["utf8", "x-unknown", "unicode-1-1-utf-7", "us-ascii", ""])
def test_wrong_or_unknown_charsets_still_give_the_text(charset: str) -> None:
    declared = f"; charset={charset}" if charset else ""
    raw = (f"From: a@b.example\nContent-Type: text/plain{declared}\n"
           "Content-Transfer-Encoding: 8bit\n\n").encode() + "Caf\u00e9 homes\n".encode()
    assert parse_mime(raw).body_text == "Caf\u00e9 homes"


def test_windows_1252_text_under_a_wrong_charset() -> None:
    raw = b"Content-Type: text/plain; charset=utf-8\n\n" + "\u2018quoted\u2019 \u00a3".encode("cp1252")
    assert parse_mime(raw).body_text == "\u2018quoted\u2019 \u00a3"


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending_gives_the_same_reading(newline: bytes) -> None:
    message = return_email("Line one\nLine two")
    message.add_attachment(b"%PDF-1.4 letter", maintype="application", subtype="pdf",
                           filename="letter.pdf")
    raw = message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", newline)
    parsed = parse_mime(raw)
    assert parsed.headers.subject == "Care home support return - Kent"
    assert parsed.body_text == "Line one\nLine two"
    assert [(a.filename, a.data) for a in parsed.attachments] == [("letter.pdf", b"%PDF-1.4 letter")]


def test_rfc2231_and_rfc2047_filenames_are_decoded_and_stripped_of_paths() -> None:
    raw = (
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n'
        b"--b\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=UTF-8''Lettre%20sign%C3%A9e.pdf\n\nx\n"
        b"--b\nContent-Type: application/pdf; name=\"=?utf-8?B?UmV0dXJuIMOpLnBkZg==?=\"\n\ny\n"
        b"--b\nContent-Type: application/pdf\n"
        b'Content-Disposition: attachment; filename="..\\\\..\\\\windows\\\\evil.pdf"\n\nz\n--b--\n'
    )
    names = [a.filename for a in parse_mime(raw).attachments]
    assert names == ["Lettre sign\u00e9e.pdf", "Return \u00e9.pdf", "evil.pdf"]


def test_broken_base64_gives_what_decodes_and_a_problem() -> None:
    raw = (
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n'
        b"--b\nContent-Type: application/pdf; name=letter.pdf\nContent-Transfer-Encoding: base64\n\n"
        b"JVBERi0xLjQg!!!bGV0dGVy=\n--b--\n"
    )
    parsed = parse_mime(raw)
    assert parsed.attachments[0].data.startswith(b"%PDF-1.4")
    assert any("letter.pdf" in problem and "damaged" in problem for problem in parsed.problems)


def test_a_missing_boundary_is_a_problem_and_the_text_is_kept() -> None:
    raw = b"Content-Type: multipart/mixed\nSubject: no boundary\n\nThe return for Leeds is below.\n"
    parsed = parse_mime(raw)
    assert "The return for Leeds" in parsed.body_text
    assert any("boundary" in problem for problem in parsed.problems)


def test_html_only_body_becomes_text() -> None:
    message = EmailMessage()
    message["Subject"] = "html"
    message.set_content("<html><head><style>p {color: red}</style></head><body><p>Dear team,</p>"
                        "<p>Our market is <b>stable</b>&nbsp;&amp; resilient.</p></body></html>",
                        subtype="html")
    body = parse_mime(message.as_bytes()).body_text
    assert body == "Dear team,\n\nOur market is stable & resilient."


def test_a_forwarded_return_is_opened_one_level_deep() -> None:
    inner = return_email("Original covering note")
    inner.add_attachment(b"docx bytes", maintype="application", subtype="octet-stream",
                         filename="letter.docx")
    deeper = return_email("deeper")
    deeper.add_attachment(b"deep", maintype="application", subtype="pdf", filename="deep.pdf")
    inner.add_attachment(deeper)
    outer = EmailMessage()
    outer["Subject"] = "Fwd: return"
    outer.set_content("Forwarding on behalf of our director.")
    outer.add_attachment(inner)
    parsed = parse_mime(outer.as_bytes())
    assert [a.filename for a in parsed.attachments] == ["letter.docx"]
    assert parsed.body_text == "Forwarding on behalf of our director."


def test_a_nameless_non_text_part_is_an_attachment_with_a_made_up_name() -> None:
    raw = (b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n'
           b"--b\nContent-Type: image/png\n\n\x89PNG\n--b--\n")
    attachment = parse_mime(raw).attachments[0]
    assert attachment.filename == "attachment-1.png"
    assert attachment.content_type == "image/png"


@pytest.mark.parametrize("raw", [b"", b"\x00\xff\xfe garbage", b"From:\n\n", b"Content-Type: \n\n--",
                                 b"Content-Type: multipart/mixed; boundary=\n\n--\n--\n"])
def test_garbage_never_raises(raw: bytes) -> None:
    parsed = parse_mime(raw)
    assert isinstance(parsed.body_text, str)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2000), st.binary(max_size=12)), max_size=8))
def test_damaged_returns_never_raise(damage: list[tuple[int, bytes]]) -> None:
    message = return_email("Dear colleagues,\nour return is attached.")
    message.add_attachment(b"%PDF-1.4 letter" * 20, maintype="application", subtype="pdf",
                           filename="letter.pdf")
    raw = bytearray(message.as_bytes())
    for at, junk in damage:
        raw[at : at + len(junk)] = junk
    parsed = parse_mime(bytes(raw))
    assert all(isinstance(a.data, bytes) for a in parsed.attachments)


def test_every_real_bounce_and_auto_reply_parses() -> None:
    if not BOUNCES.is_dir():
        pytest.skip(f"the bounce corpus is not at {BOUNCES}")
    messages = sorted(BOUNCES.glob("*/*.eml"))
    assert len(messages) > 700
    readings = [parse_mime(path.read_bytes()) for path in messages]
    reports = [r for r in readings if r.headers.content_type == "multipart/report"]
    assert reports and all(r.headers.subject or r.body_text for r in readings)


def test_the_cheap_policy_reads_the_mail_corpus_as_the_default_policy_does(monkeypatch) -> None:
    # The parser runs under compat32 for speed; filenames (RFC 2231, encoded words, raw 8-bit),
    # boundaries and bodies must come out exactly as the default policy reads them.
    paths = sorted((BOUNCES.parent / "real-mail").rglob("*"))
    messages = [path.read_bytes() for path in paths
                if path.is_file() and path.suffix != ".md" and path.stat().st_size < 100_000]
    cheap = [parse_mime(raw) for raw in messages]
    monkeypatch.setattr(mime, "READING_POLICY", policy.default)
    assert [parse_mime(raw) for raw in messages] == cheap
