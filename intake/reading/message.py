"""Reading one raw message: MIME, then each attachment (and zip member) by what it is.

`read_message` is pure (bytes in, ReadMessage out) and never raises for bad input; each file
ends with a FileNote saying what became of it. `read_message_limited` (async) and
`read_message_sync` run it in the sandbox, since the readers are not safe on hostile files.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from intake.models import FileNote, Letter, ReadMessage, TemplateReading
from intake.reading.archives import expand_zip
from intake.reading.letters import MAX_CHARS, letter_kind, read_letter
from intake.reading.mime import Attachment, parse_headers, parse_mime
from intake.reading.sandbox import (
    DEFAULT_LIMITS,
    Limits,
    ReadingFailed,
    run_limited,
    run_limited_sync,
)
from intake.reading.sheets import UnreadableFile, read_sheets
from intake.reading.template import find_template
from store.collection import Collection

log = logging.getLogger(__name__)

BODY_LETTER = "(email body)"
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".xltx", ".xltm"})
LETTER_SUFFIXES = frozenset({".docx", ".pdf", ".odt", ".txt", ".text", ".rtf", ".doc"})
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
BODY_LETTER_CHARS = 300
# Words of a covering letter (DESIGN section 1): a bounce or a note saying "attached" has few.
LETTER_WORDS = ("care home", "market", "resilien", "financial", "accommodation", "workforce",
                "volunteer", "infection", "testing", "ppe", "clinical", "confident", "pressure",
                "support", "residents", "staff")
REPLY_CUT = re.compile(r"^(-{2,}\s*original message\s*-{2,}|on .{5,200} wrote:|from: .+)$", re.I | re.M)
SIGN_OFF = re.compile(r"^\s*(kind(est)? regards|best regards|regards|many thanks|thanks|best wishes|"
                      r"yours sincerely|yours faithfully|sent from my|-- ?)\b", re.I | re.M)
DISCLAIMER = re.compile(r"confidential|intended recipient|disclaimer|virus|privileged|monitored|"
                        r"unauthori[sz]ed|legally", re.I)


@dataclass
class _Reading:
    """What has been read so far; frozen into a ReadMessage at the end."""

    templates: list[TemplateReading] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    files: list[FileNote] = field(default_factory=list)


def read_message(raw: bytes, collection: Collection) -> ReadMessage:
    """Read a raw message into templates, letters and file notes; never raises on bad input."""
    parsed = parse_mime(raw)
    reading = _Reading()
    for attachment in parsed.attachments:
        _read_attachment(attachment, collection, reading)
    if not reading.letters:
        body_letter = letter_in_body(parsed.body_text)
        if body_letter:
            reading.letters.append(Letter(BODY_LETTER, body_letter))
    return ReadMessage(
        headers=parsed.headers,
        body_text=parsed.body_text,
        templates=tuple(reading.templates),
        letters=tuple(reading.letters),
        files=tuple(reading.files),
        problems=parsed.problems,
    )


async def read_message_limited(raw: bytes, collection: Collection, limits: Limits = DEFAULT_LIMITS) -> ReadMessage:
    """read_message in a limited worker; a worker failure becomes a problem, headers kept."""
    try:
        return await run_limited(read_message, raw, collection, limits=limits)
    except ReadingFailed as failure:
        return _failed(raw, failure)


def read_message_sync(raw: bytes, collection: Collection, limits: Limits = DEFAULT_LIMITS) -> ReadMessage:
    """As read_message_limited, for blocking callers (the CLI, imports by hand)."""
    try:
        return run_limited_sync(read_message, raw, collection, limits=limits)
    except ReadingFailed as failure:
        return _failed(raw, failure)


def letter_in_body(body: str) -> str | None:
    """The body as the covering letter when it has real text, not just a greeting and a signature."""
    text = REPLY_CUT.split(body, maxsplit=1)[0].strip()
    text = "\n".join(line for line in text.splitlines() if not line.startswith(">"))
    return text[:MAX_CHARS] if reads_like_a_letter(text) else None


def reads_like_a_letter(text: str) -> bool:
    """Enough substance, once sign-off and disclaimers are set aside, and a letter's words."""
    substance = SIGN_OFF.split(text, maxsplit=1)[0]
    substance = "\n\n".join(p for p in re.split(r"\n\s*\n", substance) if not DISCLAIMER.search(p))
    words = sum(word in substance.lower() for word in LETTER_WORDS)
    return words >= 4 or (words >= 2 and len(substance.strip()) > BODY_LETTER_CHARS)


def file_kind(filename: str, data: bytes) -> str:
    """'spreadsheet', 'letter', 'archive' or 'other': by content where it is telling, else by name."""
    suffix = PurePath(filename.lower()).suffix
    if data.startswith(b"PK\x03\x04"):
        inner = letter_kind(filename, data)
        if inner in ("docx", "odt"):
            return "letter"
        if suffix in SPREADSHEET_SUFFIXES or _zip_has_sheets(data):
            return "spreadsheet"
        return "archive"
    if data.startswith(b"%PDF"):
        return "letter"
    if data.startswith(OLE_MAGIC):
        return "letter" if suffix == ".doc" else "spreadsheet"
    if suffix in SPREADSHEET_SUFFIXES:
        return "spreadsheet"
    if suffix in LETTER_SUFFIXES:
        return "letter"
    return "archive" if suffix == ".zip" else "other"


def _read_attachment(attachment: Attachment, collection: Collection, reading: _Reading) -> None:
    name, data = attachment.filename, attachment.data
    kind = file_kind(name, data)
    if kind != "archive":
        reading.files.append(_read_file(name, attachment.content_type, data, kind, collection, reading))
        return
    try:
        members = expand_zip(name, data)
    except UnreadableFile as error:
        reading.files.append(_note(name, attachment.content_type, data, "unreadable", error.reason))
        return
    except Exception as error:  # as for one file: a bad archive must not cost the message
        log.exception("opening %s failed", name)
        note = f"the zip file could not be opened ({type(error).__name__})"
        reading.files.append(_note(name, attachment.content_type, data, "unreadable", note))
        return
    if not members:
        reading.files.append(_note(name, attachment.content_type, data, "ignored", "the zip file is empty"))
    for member, member_data in members:
        shown = f"{name}/{member}"
        content_type = mimetypes.guess_type(member)[0] or "application/octet-stream"
        member_kind = file_kind(member, member_data)
        if member_kind == "archive":
            note = "a zip inside a zip is not opened; please send its files directly"
            reading.files.append(_note(shown, content_type, member_data, "ignored", note))
        else:
            reading.files.append(_read_file(shown, content_type, member_data, member_kind, collection, reading))


def _read_file(name: str, content_type: str, data: bytes, kind: str, collection: Collection,
               reading: _Reading) -> FileNote:
    try:
        if kind == "spreadsheet":
            role, note = _read_spreadsheet(name, data, collection, reading)
        elif kind == "letter":
            role, note = _read_letter(name, data, reading)
        else:
            role, note = "ignored", _ignored_note(content_type)
    except UnreadableFile as error:
        role, note = "unreadable", error.reason
    except MemoryError:
        role, note = "unreadable", "the file needed more memory to read than is allowed"
    except Exception as error:  # one reader's bug must not cost the other files
        log.exception("reading %s failed", name)
        role, note = "unreadable", f"the file could not be read ({type(error).__name__})"
    return _note(name, content_type, data, role, note)


def _read_spreadsheet(name: str, data: bytes, collection: Collection, reading: _Reading) -> tuple[str, str]:
    template = find_template(read_sheets(PurePath(name).name, data), PurePath(name).name, collection)
    if template is None:
        return "ignored", "no template found in this spreadsheet"
    reading.templates.append(template)
    return "template", f'template found on sheet "{template.sheet}"'


def _read_letter(name: str, data: bytes, reading: _Reading) -> tuple[str, str]:
    text = read_letter(PurePath(name).name, data)
    if not text:
        return "unreadable", "the document has no text"
    if letter_kind(name, data) == "text" and not reads_like_a_letter(text):
        # Plain text files also come as delivery reports and saved headers.
        return "ignored", "a text file that does not read like a covering letter"
    reading.letters.append(Letter(name, text))
    return "letter", f"letter read ({len(text.split()):,} words)"


def _ignored_note(content_type: str) -> str:
    if content_type.startswith("image/"):
        return "an image (such as a logo in a signature); not read"
    return f"not a return file ({content_type}); not read"


def _zip_has_sheets(data: bytes) -> bool:
    # An .xlsx or .ods under another name still shows itself by what it holds.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    return bool(names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"})


def _note(name: str, content_type: str, data: bytes, role: str, note: str) -> FileNote:
    digest = hashlib.sha256(data).hexdigest()
    return FileNote(name, content_type, len(data), digest, role, note)


def _failed(raw: bytes, failure: ReadingFailed) -> ReadMessage:
    log.warning("reading a message failed: %s (%s)", failure.reason, failure.detail)
    return ReadMessage(headers=parse_headers(raw), problems=(failure.reason,))
