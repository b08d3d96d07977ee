"""Well-formed mail split at its boundary lines by C string search, as email.feedparser splits it.

Why: the stdlib's feed parser reads a message a line at a time in Python (a readline, the
boundary pattern and every enclosing part's end check on each of the ~450 base64 lines of a
typical return), which was most of parse_mime's cost. Here boundary lines and line ends are
found with `str.find`; only header blocks are read a line at a time.

What it builds is the tree `email.message_from_bytes(raw, policy=policy)` builds, part for part:
the text decoded ASCII + surrogateescape, headers set through the policy's `header_source_parse`,
leaf payloads as the same strings (the line end before a boundary belongs to the boundary),
preamble and epilogue set as feedparser sets them (None or '' alike), no defects.

Line ends may be LF, CRLF or CR, mixed, as feedparser takes them: a boundary is looked for as
its own text and then checked to stand at the start of a line.

What falls back (`split_message` returns None and the caller runs the stdlib parser on the whole
message): any shape that gives the stdlib parser a defect (a multipart without a boundary, a
start or a close boundary; repeated boundary lines; a line among headers that is not a header;
a misplaced `From ` line; a continuation first; a multipart with a transfer encoding);
message/delivery-status and multipart/digest parts (read by other rules); a boundary with a
line end in it; and anything that raises. tests/test_mime_split.py holds the split to the stdlib's trees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import feedparser
from email.message import Message
from email.policy import Policy
from typing import NamedTuple

MULTIPART_ENCODINGS = ("7bit", "8bit", "binary")
# feedparser's own patterns (the stubs do not declare them): a line end (a line that starts
# with one is the blank line after the headers), and the start of a header or continuation line,
# here taken with the rest of its line.
LINE_END: re.Pattern[str] = vars(feedparser)["NLCRE"]
HEADER_LINE = re.compile(vars(feedparser)["headerRE"].pattern.removeprefix("^") + r"[^\r\n]*(?:\r\n|\r|\n)?")
# What feedparser's boundary pattern, `(?P<sep>--boundary)` + this, asks after the boundary's
# text; matched on its own, so no pattern is compiled for each message's new boundary.
BOUNDARY_TAIL = re.compile(r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")


class BoundaryLine(NamedTuple):
    start: int
    end: int            # where the line after it starts
    closes: bool        # `--boundary--`: the multipart's last


class _Unsure(Exception):
    """A shape the split does not reproduce exactly: the stdlib parser reads the message."""


def split_message(raw: bytes, policy: Policy) -> Message | None:
    """The message as email.message_from_bytes(raw, policy=policy) reads it, or None when the
    message is not of a shape read here (see the module)."""
    text = raw.decode("ascii", "surrogateescape")
    try:
        return _Splitter(text, policy).part(0, len(text), nested=False)
    except Exception:  # _Unsure, or a corner not foreseen: the stdlib parser reads it as before
        return None


def without_line_end(text: str) -> str:
    """The text less the one line end it ends with, as feedparser strips `NLCRE_eol`."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith(("\r", "\n")) else text


class _Splitter:
    """Reads the parts of one message's text."""

    def __init__(self, text: str, policy: Policy) -> None:
        self.text = text
        self.policy = policy
        self.new_message = policy.message_factory or Message    # as FeedParser chooses

    def part(self, start: int, end: int, *, nested: bool) -> Message:
        """The part written in text[start:end]; `nested` when a boundary line follows it."""
        message: Message = self.new_message(policy=self.policy)
        body = self._headers(message, start, end)
        maintype = message.get_content_maintype()
        if maintype == "message":
            if message.get_content_type() == "message/delivery-status":
                raise _Unsure("a delivery status is read as blocks of headers")
            # A message of its own, which the line end before the next boundary ends.
            message.attach(self.part(body, end, nested=nested))
        elif maintype == "multipart":
            self._multipart(message, body, end, nested)
        else:
            # The line end before the enclosing part's next boundary belongs to that boundary.
            payload = self.text[body:end]
            message.set_payload(without_line_end(payload) if nested else payload)
        return message

    def _line_end(self, start: int, end: int) -> int:
        # Where the line starting at `start` ends, its line end included.
        found = LINE_END.search(self.text, start, end)
        return found.end() if found else end

    def _headers(self, message: Message, start: int, end: int) -> int:
        """Set the part's headers from its header block; where its body starts."""
        lines: list[str] = []
        at = start
        while at < end:
            if line := HEADER_LINE.match(self.text, at, end):
                lines.append(line.group())
                at = line.end()
            elif blank := LINE_END.match(self.text, at, end):
                at = blank.end()
                break
            else:
                raise _Unsure("a line among the headers is not a header")
        self._set_headers(message, lines)
        return at

    def _set_headers(self, message: Message, lines: list[str]) -> None:
        # As FeedParser._parse_headers, for the lines it takes without noting a defect.
        field: list[str] = []
        for number, line in enumerate(lines):
            if line[0] in " \t":
                if not field:
                    raise _Unsure("the first header line is a continuation")
                field.append(line)
                continue
            if field:
                message.set_raw(*self.policy.header_source_parse(field))
                field = []
            if line.startswith("From "):
                if number:
                    raise _Unsure("a From line after the first header line")
                message.set_unixfrom(without_line_end(line))
                continue
            if line.startswith(":"):
                raise _Unsure("a header without a name")
            field = [line]
        if field:
            message.set_raw(*self.policy.header_source_parse(field))

    def _multipart(self, message: Message, start: int, end: int, nested: bool) -> None:
        boundary = message.get_boundary()
        encoding = str(message.get("content-transfer-encoding", "8bit")).lower()
        if (boundary is None or "\r" in boundary or "\n" in boundary
                or message.get_content_type() == "multipart/digest"
                or encoding not in MULTIPART_ENCODINGS):
            raise _Unsure("a multipart the stdlib reads with a defect or by other rules")
        lines = self._boundary_lines("--" + boundary, start, end)
        first = next(lines, None)
        if first is None or first.closes:
            raise _Unsure("no start boundary")
        if first.start > start:
            message.preamble = without_line_end(self.text[start:first.start])
        before = first
        while True:
            after = next(lines, None)
            if after is None:
                raise _Unsure("no close boundary")
            if after.start == before.end:
                raise _Unsure("boundary lines one after another")
            message.attach(self.part(before.end, after.start, nested=True))
            if after.closes:
                break
            before = after
        epilogue = self.text[after.end:end]
        # feedparser reads an epilogue with not even the line end of `nested` as none at all.
        message.epilogue = (without_line_end(epilogue) if epilogue else None) if nested else epilogue

    def _boundary_lines(self, separator: str, start: int, end: int) -> Iterator[BoundaryLine]:
        """Lines in text[start:end] that feedparser's boundary pattern matches, in order."""
        text = self.text
        at = text.find(separator, start, end)
        while at >= 0:
            line_end = self._line_end(at, end)
            if ((at == start or text[at - 1] in "\r\n")
                    and (found := BOUNDARY_TAIL.match(text, at + len(separator), line_end))):
                yield BoundaryLine(at, line_end, bool(found.group("end")))
            # On from the next line: a line of dashes costs one search, not one per dash.
            at = text.find(separator, line_end, end)
