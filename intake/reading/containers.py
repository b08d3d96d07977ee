"""Files that hold other files, opened one level deep: a zip, Outlook's winmail.dat (TNEF), a
saved or forwarded email (.eml), and uuencoded files inline in a message body.

Each gives the files it holds and, for a message, its own text (Outlook often puts the whole
message, body and attachments, inside winmail.dat). A container found inside a container is
returned as a file like any other, and the caller does not open it: one level is what a
forwarded return needs, and more is how bombs are built.
"""

from __future__ import annotations

import binascii
import re
import struct
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from striprtf.striprtf import rtf_to_text

from intake.reading.archives import expand_zip
from intake.reading.formats import FileFormat
from intake.reading.mime import html_to_text, parse_mime
from intake.reading.safety import MAX_ARCHIVE_ENTRIES, UnreadableFile

if TYPE_CHECKING:
    from tnefparse import TNEF

MAX_TNEF_OBJECTS = 10_000       # a message with a few files has a few dozen
MAX_BODY_BYTES = 5 * 1024 * 1024
TNEF_HEADER = 6                 # signature and key
TNEF_OBJECT_OVERHEAD = 11       # level, id, type, length, and the checksum after the data
UUENCODED = re.compile(r"^begin [0-7]{3,4} ([^\n]+)\n(.*?)^end[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Opened:
    """What a container holds: its files as (name, bytes), and a message's own text."""

    files: tuple[tuple[str, bytes], ...]
    body_text: str = ""


def open_container(found: FileFormat, filename: str, data: bytes) -> Opened:
    """The files (and text) inside a zip, winmail.dat or .eml; raises UnreadableFile."""
    if found.kind == "tnef":
        return open_tnef(filename, data)
    if found.kind == "rfc822":
        return open_forwarded(data)
    return Opened(tuple(expand_zip(filename, data)))


def open_tnef(filename: str, data: bytes) -> Opened:
    """The attachments and body of an Outlook winmail.dat, after a check of its structure."""
    damaged = f"{filename} (Outlook's winmail.dat) is damaged and cannot be opened"
    _check_tnef(data, filename)
    from tnefparse import TNEF  # here: only a winmail.dat needs it

    try:
        tnef = TNEF(data, do_checksum=False)
        files = tuple((_safe_name(attachment.long_filename()), bytes(attachment.data))
                      for attachment in tnef.attachments if attachment.data)
    except Exception as error:  # tnefparse raises struct.error, ValueError, IndexError ...
        raise UnreadableFile(damaged) from error
    return Opened(files, _tnef_text(tnef))


def _check_tnef(data: bytes, filename: str) -> None:
    """Refuse a winmail.dat of more objects than a message has: tnefparse copies the rest of
    the file for each object, so a flood of tiny objects costs time quadratic in its size."""
    offset, objects = TNEF_HEADER, 0
    while offset + TNEF_OBJECT_OVERHEAD <= len(data):
        objects += 1
        if objects > MAX_TNEF_OBJECTS:
            raise UnreadableFile(f"{filename} (Outlook's winmail.dat) holds more than "
                                 f"{MAX_TNEF_OBJECTS:,} parts, more than a message can have")
        offset += TNEF_OBJECT_OVERHEAD + struct.unpack_from("<I", data, offset + 5)[0]


def _tnef_text(tnef: TNEF) -> str:
    """The message text: plain if there is some, else the HTML, else the compressed RTF."""
    if tnef.body:
        return _as_text(tnef.body)
    if tnef.htmlbody:
        return html_to_text(_as_text(tnef.htmlbody))
    compressed = tnef._rtfbody  # the raw property: its declared size is checked before inflating
    if not compressed or len(compressed) < 8:
        return ""
    if struct.unpack_from("<I", compressed, 4)[0] > MAX_BODY_BYTES:
        return ""
    from compressed_rtf import decompress

    try:
        rtf = decompress(compressed + b"\x00")
        return rtf_to_text(rtf.decode("latin-1"), encoding="cp1252", errors="replace")
    except Exception:  # a damaged body loses the text, not the attachments
        return ""


def _as_text(value: str | bytes) -> str:
    text = value if isinstance(value, str) else value.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def open_forwarded(data: bytes) -> Opened:
    """A saved email's attachments and text; a message forwarded inside it is not opened."""
    parsed = parse_mime(data, forwarded=True)
    if len(parsed.attachments) > MAX_ARCHIVE_ENTRIES:
        raise UnreadableFile("the attached email holds more files than a return can have")
    files = tuple((attachment.filename, attachment.data) for attachment in parsed.attachments)
    return Opened(files, parsed.body_text)


def split_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A body's text without its uuencoded blocks, and the files they held.

    Old mail clients (and some gateways) send attachments as `begin 644 name ... end` blocks
    in the text itself; a block that does not decode is left in the text.
    """
    files: list[tuple[str, bytes]] = []

    def take(block: re.Match[str]) -> str:
        try:
            data = b"".join(binascii.a2b_uu(line) for line in block.group(2).splitlines()
                            if line.strip() and line.strip() != "`")
        except binascii.Error:
            return block.group(0)
        files.append((_safe_name(block.group(1).strip()), data))
        return ""

    remaining = UUENCODED.sub(take, text.replace("\r\n", "\n"))
    return remaining, files


def _safe_name(name: str | bytes) -> str:
    # A name taken from inside a file names no path: '..\\..\\x.xlsx' becomes 'x.xlsx'.
    text = name if isinstance(name, str) else name.decode("cp1252", errors="replace")
    text = re.sub(r"[\x00-\x1f\x7f]", "", text)
    return PureWindowsPath(PurePosixPath(text).name).name.strip() or "unnamed"
