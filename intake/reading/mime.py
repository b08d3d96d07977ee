"""MIME parsing that never raises: raw bytes in, headers, body text and attachments out.

The stdlib parser is tolerant of broken structure but its header objects raise on malformed
values (and cost most of the parse), so it runs under compat32 with only the headers that shape
the parts parsed as policy.default does; the message's headers are decoded from the raw values
(`intake.reading.headers`) and every access to a part goes through `safely`. Anything
unreadable becomes a plain-words problem. Well-formed mail is split into that same part tree
without the parser's line-by-line loop (`intake.reading.mime_split`).
"""

from __future__ import annotations

import email
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import errors, policy
from email.message import Message
from email.policy import Compat32
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from intake.models import Headers
from intake.reading.headers import (
    content_type_of,
    decode_header_value,
    decode_text,
    headers_of,
    normalise_newlines,
    parse_headers,
    safely,
)
from intake.reading.html_text import html_to_text
from intake.reading.mime_split import split_message
from intake.reading.text_cache import text_cache

# Parts of a delivery or feedback report: the report itself, not files someone attached.
REPORT_TYPES = frozenset({
    "message/delivery-status", "message/global-delivery-status", "message/disposition-notification",
    "message/feedback-report", "text/rfc822-headers", "message/global-headers",
})
BROKEN_STRUCTURE = (
    errors.NoBoundaryInMultipartDefect, errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect, errors.MultipartInvariantViolationDefect,
)
BROKEN_BASE64 = (
    errors.InvalidBase64PaddingDefect, errors.InvalidBase64CharactersDefect,
    errors.InvalidBase64LengthDefect,
)
STRUCTURE_HEADERS = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
MAX_CACHED_HEADER = 2_000           # a longer value is parsed each time rather than kept
# The shape nearly every mailer writes: `type/subtype` (or a disposition), then parameters
# written `; name=token` or `; name="text"`, in ASCII, with no encoded word, escape, comment or
# RFC 2231 `name*`. Such a value is rendered here as the default policy renders it (each
# parameter as `; name="value"`) without building the header object: boundaries and file
# names make most values new to the cache.
_TOKEN = r"[!#$%&+\-.0-9A-Z^_`a-z{|}~]+"
_NAME = r"[\-.0-9A-Z_a-z]+"      # RFC 2231 gives "*", "'" and "%" in a name a meaning
PLAIN_HEAD = re.compile(rf"{_TOKEN}(?:/{_TOKEN})?")
PLAIN_PARAMETER = re.compile(rf";[ \t]*({_NAME})=(?:({_TOKEN})|\"([ !#-\[\]-~]+)\")[ \t]*")
PLAIN_END = re.compile(r";?[ \t]*")
LINE_BREAK = re.compile(r"\r\n|\r|\n")     # as the default policy unfolds


class _ReadingPolicy(Compat32):
    """compat32 (no header objects), except for the headers that shape the parts.

    The default policy builds a header object for every header each time one is fetched, which
    was most of the parse; only Content-Type, Content-Disposition and Content-Transfer-Encoding
    are fetched while reading, and those are still parsed as the default policy parses them
    (RFC 2231 and encoded-word parameters, raw 8-bit names, odd quoting), once per value.
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if name.lower() not in STRUCTURE_HEADERS:
            return super().header_fetch_parse(name, value)
        return _structure_header(value, name)


def _plain_structure(name: str, value: str) -> str | None:
    """A Content-Type or Content-Disposition of the plain shape, as the default policy's
    header object reads; None for any other value (a parameter written twice included)."""
    head = PLAIN_HEAD.match(value)
    if head is None or name.lower() == "content-transfer-encoding" or "=?" in value:
        return None
    parameters: dict[str, str] = {}
    at = head.end()
    while parameter := PLAIN_PARAMETER.match(value, at):
        attribute, token, text = parameter.groups()
        if attribute.lower() in parameters:
            return None
        parameters[attribute.lower()] = f'; {attribute}="{token or text}"'
        at = parameter.end()
    if not parameters or not PLAIN_END.fullmatch(value, at):
        return None
    return head.group() + "".join(parameters.values())


@text_cache(maxsize=512, longest=MAX_CACHED_HEADER)
def _structure_header(value: str, name: str) -> Any:
    # Header objects are immutable strings, so one parse serves every fetch of the same value.
    plain = _plain_structure(name, "".join(LINE_BREAK.split(value)))
    return plain if plain is not None else policy.default.header_fetch_parse(name, value)


READING_POLICY = _ReadingPolicy()


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMime:
    headers: Headers
    body_text: str
    attachments: tuple[Attachment, ...]
    problems: tuple[str, ...]
    forwarded_text: str = ""        # the text of a message forwarded inside this one


def parse_mime(raw: bytes, *, forwarded: bool = False) -> ParsedMime:
    """Parse a raw message; malformed input yields problems, never an exception.

    `forwarded` says the message is itself a forwarded one, so no message inside it is opened.
    """
    try:
        message = _message_of(normalise_newlines(raw))
    except Exception:  # the parser is meant to be total; this is the last line of defence
        return ParsedMime(parse_headers(raw), "", (), ("the message could not be parsed as email",))
    reader = _PartReader()
    try:
        reader.read(message, forwarded)
    except Exception:  # a corner of the parser we did not foresee must not lose the message
        reader.problems.append("part of the message could not be read")
    return ParsedMime(
        headers=headers_of(message),
        body_text=reader.body_text(),
        attachments=tuple(reader.attachments),
        problems=tuple(dict.fromkeys(reader.problems)),
        forwarded_text="\n\n".join(reader.forwarded_text).strip(),
    )


def _message_of(raw: bytes) -> Message:
    # The common well-formed shapes are split by C string search; the rest as the stdlib reads it.
    message = split_message(raw, READING_POLICY)
    return message if message is not None else email.message_from_bytes(raw, policy=READING_POLICY)


class _PartReader:
    """Walks the part tree once, sorting leaves into body text and attachments."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.forwarded_text: list[str] = []
        self.attachments: list[Attachment] = []
        self.problems: list[str] = []

    def read(self, message: Message, forwarded: bool) -> None:
        for part, inside in _leaves(message, self.problems, forwarded):
            content_type = content_type_of(part)
            if content_type in REPORT_TYPES:
                continue
            filename = _filename(part)
            disposition = safely(part.get_content_disposition, None)
            if filename or disposition == "attachment" or not _is_body_type(content_type):
                self._attach(part, filename, content_type)
            else:
                self._body(part, content_type, inside)
            self._note_defects(part)  # after decoding: base64 damage is found while decoding

    def body_text(self) -> str:
        for texts in (self.plain, self.html, self.forwarded_text):
            if any(text.strip() for text in texts):
                return "\n\n".join(texts).strip()
        return ""

    def _body(self, part: Message, content_type: str, forwarded: bool) -> None:
        text = _text_of(part).replace("\r\n", "\n").replace("\r", "\n")
        if content_type == "text/html":
            text = html_to_text(text)
        if forwarded:
            self.forwarded_text.append(text)
        elif content_type == "text/html":
            self.html.append(text)
        else:
            # A multipart whose boundary is missing lands here too: its raw text is the body.
            self.plain.append(text)

    def _attach(self, part: Message, filename: str, content_type: str) -> None:
        data = _payload(part)
        if not filename:
            extension = mimetypes.guess_extension(content_type) or ".bin"
            filename = f"attachment-{len(self.attachments) + 1}{extension}"
        self.attachments.append(Attachment(filename, content_type, data))

    def _note_defects(self, part: Message) -> None:
        for defect in getattr(part, "defects", []):
            if isinstance(defect, BROKEN_BASE64):
                name = _filename(part) or "a part of the message"
                self.problems.append(f"the encoding of {name} is damaged; it may be incomplete")


def _leaves(
    message: Message, problems: list[str], forwarded: bool
) -> Iterator[tuple[Message, bool]]:
    """Leaf parts in order, each with whether it sits inside a forwarded message.

    A forwarded message (message/rfc822) is opened one level deep: a return forwarded by a
    colleague carries its files inside; a message forwarded inside that is not opened.
    """
    if any(isinstance(d, BROKEN_STRUCTURE) for d in getattr(message, "defects", [])):
        problems.append(
            "the message's MIME structure is broken (a missing or wrong boundary), "
            "so some parts may be missing"
        )
    content_type = content_type_of(message)
    if content_type == "message/rfc822" or (content_type.startswith("message/") and message.is_multipart()):
        inner = safely(message.get_payload, None)
        if not forwarded and isinstance(inner, list):
            for sub in inner:
                if isinstance(sub, Message):
                    yield from _leaves(sub, problems, forwarded=True)
        return
    if message.is_multipart():
        for sub in safely(message.get_payload, []):
            if isinstance(sub, Message):
                yield from _leaves(sub, problems, forwarded)
        return
    yield message, forwarded


def _filename(part: Message) -> str:
    name = safely(part.get_filename, None)
    if name is None:
        param = safely(lambda: part.get_param("name", None), None)
        # A tuple is an RFC 2231 value that was not collapsed.
        name = email.utils.collapse_rfc2231_value(param) if isinstance(param, tuple) else param
    if not name:
        return ""
    name = decode_header_value(str(name))
    # Only the last path element: names like ..\..\x.xlsx or /etc/passwd come in attachments.
    name = PureWindowsPath(PurePosixPath(name).name).name
    return re.sub(r"[\x00-\x1f\x7f]", "", name).strip()


def _is_body_type(content_type: str) -> bool:
    return content_type in ("text/plain", "text/html") or content_type.startswith("multipart/")


def _payload(part: Message) -> bytes:
    data = safely(lambda: part.get_payload(decode=True), None)
    if isinstance(data, bytes):
        return data
    text = safely(part.get_payload, "")
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else b""


def _text_of(part: Message) -> str:
    charset = safely(part.get_content_charset, None)
    return decode_text(_payload(part), charset)
