"""Reading one raw message: MIME, then each attachment (and container member) by what it is.

`read_message` is pure (bytes in, ReadMessage out) and never raises for bad input; each file
ends with a FileNote saying what became of it. `read_message_limited` (async) and
`read_message_sync` run it in the sandbox, since the readers are not safe on hostile files.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from intake.models import FileNote, Letter, ReadMessage, TemplateReading
from intake.reading.containers import open_container, split_uuencoded
from intake.reading.formats import CONTAINERS, FileFormat, refusal, sniff
from intake.reading.letters import MAX_CHARS, read_letter
from intake.reading.mime import Attachment, parse_headers, parse_mime
from intake.reading.safety import UnreadableFile
from intake.reading.sandbox import (
    DEFAULT_LIMITS,
    Limits,
    ReadingFailed,
    run_limited,
    run_limited_sync,
)

if TYPE_CHECKING:
    from store.collection import Collection

log = logging.getLogger(__name__)

BODY_LETTER = "(email body)"
CONTAINER_WORDS = {"zip": "zip", "tnef": "winmail.dat", "rfc822": "forwarded email"}
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
    texts: list[str] = field(default_factory=list)  # the body, then forwarded and TNEF texts


def read_message(raw: bytes, collection: Collection) -> ReadMessage:
    """Read a raw message into templates, letters and file notes; never raises on bad input."""
    parsed = parse_mime(raw)
    body_text, uuencoded = split_uuencoded(parsed.body_text)
    reading = _Reading(texts=[body_text, parsed.forwarded_text])
    attachments = [*parsed.attachments, *(_uuencoded(name, data) for name, data in uuencoded)]
    for attachment in attachments:
        _read_attachment(attachment, collection, reading)
    if not any(letter.readable for letter in reading.letters):
        body_letter = next(filter(None, map(letter_in_body, reading.texts)), None)
        if body_letter:
            reading.letters.append(Letter(BODY_LETTER, body_letter))
    return ReadMessage(
        headers=parsed.headers,
        body_text=body_text.strip() or next((t for t in reading.texts if t.strip()), ""),
        templates=tuple(reading.templates),
        # A letter that was read comes first: one that could not be read is only a query.
        letters=tuple(sorted(reading.letters, key=lambda letter: not letter.readable)),
        files=tuple(reading.files),
        problems=parsed.problems,
    )


async def read_message_limited(raw: bytes, collection: Collection, limits: Limits = DEFAULT_LIMITS) -> ReadMessage:
    """read_message in a limited worker; a worker failure becomes a problem, headers kept."""
    try:
        return await run_limited(read_message, raw, collection, limits=limits)
    except ReadingFailed as failure:
        return failed_reading(raw, failure)


def read_message_sync(raw: bytes, collection: Collection, limits: Limits = DEFAULT_LIMITS) -> ReadMessage:
    """As read_message_limited, for blocking callers (the CLI, imports by hand)."""
    try:
        return run_limited_sync(read_message, raw, collection, limits=limits)
    except ReadingFailed as failure:
        return failed_reading(raw, failure)


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


def _read_attachment(attachment: Attachment, collection: Collection, reading: _Reading) -> None:
    name, content_type, data = attachment.filename, attachment.content_type, attachment.data
    found = sniff(data, name, content_type)
    if found.family != "container" or found.kind not in CONTAINERS:
        reading.files.append(_read_file(name, content_type, data, found, collection, reading))
        return
    try:
        opened = open_container(found, name, data)
    except UnreadableFile as error:
        reading.files.append(_note(name, content_type, data, "unreadable", error.reason, found))
        return
    except Exception as error:  # as for one file: a bad container must not cost the message
        log.exception("opening %s failed", name)
        note = f"{name} could not be opened ({type(error).__name__})"
        reading.files.append(_note(name, content_type, data, "unreadable", note, found))
        return
    reading.texts.append(opened.body_text)
    if not opened.files:
        note = "it holds no files" if found.kind != "zip" else "the zip file is empty"
        reading.files.append(_note(name, content_type, data, "ignored", note, found))
    for member, member_data in opened.files:
        _read_member(f"{name}/{member}", member_data, found, collection, reading)


def _read_member(shown: str, data: bytes, container: FileFormat, collection: Collection,
                 reading: _Reading) -> None:
    content_type = mimetypes.guess_type(shown)[0] or "application/octet-stream"
    found = sniff(data, shown, content_type)
    if found.kind in CONTAINERS:
        note = (f"a {CONTAINER_WORDS[found.kind]} inside a {CONTAINER_WORDS[container.kind]} is "
                "not opened; please send its files directly")
        reading.files.append(_note(shown, content_type, data, "ignored", note, found))
    else:
        reading.files.append(_read_file(shown, content_type, data, found, collection, reading))


def _read_file(name: str, content_type: str, data: bytes, found: FileFormat,
               collection: Collection, reading: _Reading) -> FileNote:
    try:
        if found.family == "spreadsheet":
            role, note = _read_spreadsheet(name, data, found, collection, reading)
        elif found.family == "letter":
            role, note = _read_letter(name, data, found, reading)
        elif found.kind == "corrupt" or found.encrypted or found.kind == "outlook-msg":
            role, note = "unreadable", refusal(found, "spreadsheet or letter")
        else:
            role, note = "ignored", _ignored_note(content_type, found)
    except UnreadableFile as error:
        role, note = "unreadable", error.reason
    except MemoryError:
        role, note = "unreadable", "the file needed more memory to read than is allowed"
    except Exception as error:  # one reader's bug must not cost the other files
        log.exception("reading %s failed", name)
        role, note = "unreadable", f"the file could not be read ({type(error).__name__})"
    return _note(name, content_type, data, role, note, found)


def _read_spreadsheet(name: str, data: bytes, found: FileFormat, collection: Collection,
                      reading: _Reading) -> tuple[str, str]:
    # Imported here, not above: the intake process imports this module for its entry points
    # only, and the spreadsheet readers (with the register they match against) cost it 0.3 s.
    from intake.reading.sheets import read_sheets
    from intake.reading.template import find_template

    template = find_template(read_sheets(PurePath(name).name, data, found), PurePath(name).name,
                             collection)
    if template is None:
        return "ignored", "no template found in this spreadsheet"
    reading.templates.append(template)
    return "template", f'template found on sheet "{template.sheet}"'


def _read_letter(name: str, data: bytes, found: FileFormat, reading: _Reading) -> tuple[str, str]:
    try:
        text = read_letter(PurePath(name).name, data, found)
        if not text:
            raise UnreadableFile("the document has no text (it may hold only pictures, such as a scan)")
    except UnreadableFile as error:
        if found.kind not in ("txt", "binary"):  # a letter there but unreadable is not "no letter"
            reading.letters.append(Letter(name, "", unreadable=error.reason))
        raise
    if found.kind == "txt" and not reads_like_a_letter(text):
        # Plain text files also come as delivery reports and saved headers.
        return "ignored", "a text file that does not read like a covering letter"
    reading.letters.append(Letter(name, text))
    return "letter", f"letter read ({len(text.split()):,} words)"


def _ignored_note(content_type: str, found: FileFormat) -> str:
    if found.kind == "image" or content_type.startswith("image/"):
        return "an image (such as a logo in a signature); not read"
    return f"not a return file ({content_type}); not read"


def _uuencoded(name: str, data: bytes) -> Attachment:
    return Attachment(name, mimetypes.guess_type(name)[0] or "application/octet-stream", data)


def _note(name: str, content_type: str, data: bytes, role: str, note: str,
          found: FileFormat) -> FileNote:
    digest = hashlib.sha256(data).hexdigest()
    return FileNote(name, content_type, len(data), digest, role, note, found.kind)


def failed_reading(raw: bytes, failure: ReadingFailed) -> ReadMessage:
    """What is known of a message whose reading failed: its headers, and why."""
    log.warning("reading a message failed: %s (%s)", failure.reason, failure.detail)
    return ReadMessage(headers=parse_headers(raw), problems=(failure.reason,))
