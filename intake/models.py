"""Typed results of reading a message: what parsing hands to identification and validation.

Reading is pure (bytes in, these out) and runs in a worker process, so every type here is a
frozen dataclass of plain values that pickles cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActionRow:
    """One support action's row as the LA wrote it; raw cell text is kept verbatim."""

    code: str                       # '1.1' ... '5.2'
    homes_raw: str                  # the count cell as text ('' when blank)
    homes_cell: str | None          # where it was read, e.g. 'Template!B7'
    support_raw: str                # the Yes/No cell as text ('<Please select>' when untouched)
    support_cell: str | None
    description: str = ""           # the description of support wanted, when in its own cell
    issues: str = ""                # the optional issues cell


@dataclass(frozen=True)
class TemplateReading:
    """The support implementation status template, located by content in one sheet."""

    filename: str
    sheet: str
    rows: tuple[ActionRow, ...]     # in template order; actions not found are absent
    la_name: str | None = None      # as written in the LA field
    la_cell: str | None = None
    total_raw: str | None = None    # "Total number of CQC registered care homes in your area"
    total_cell: str | None = None
    total_label: str | None = None  # the label the total was read against, as written
    contact_raw: str | None = None  # the whole contact text as written
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    support_benefit: str = ""       # free text: support the LA would benefit from
    regional_issues: str = ""       # free text: issues for regional and national teams
    chosen_because: str = ""        # why this one was read when a message held several templates
    hidden: bool = False            # read from a hidden sheet


@dataclass(frozen=True)
class Letter:
    """The covering letter's text: from an attachment, or the email body.

    A letter file that is there but cannot be read (a scan, a password, damage) is a Letter
    too, with no text and `unreadable` saying why: it is a query to raise, not "no letter".
    """

    filename: str                   # '(email body)' when taken from the body
    text: str
    unreadable: str = ""            # e.g. 'letter not readable: it seems to be a scan ...'

    @property
    def readable(self) -> bool:
        return not self.unreadable


@dataclass(frozen=True)
class FileNote:
    """What happened to one attachment (or archive member), in plain words."""

    filename: str
    content_type: str
    size: int
    sha256: str
    role: str                       # 'template' | 'letter' | 'ignored' | 'unreadable'
    note: str                       # e.g. 'template found on sheet "Template"', 'encrypted workbook'
    format: str = ""                # what the sniffer found: 'xlsx', 'tnef', 'encrypted-ooxml' ...


@dataclass(frozen=True)
class Headers:
    """The headers that identification and the loop rules need, decoded to text."""

    message_id: str = ""
    subject: str = ""
    from_address: str = ""          # the address in From:, lower-cased ('' when unparseable)
    from_header: str = ""           # From: as written, decoded
    reply_to: str = ""
    date: str = ""
    content_type: str = ""          # top-level type, e.g. 'multipart/report'
    auto_submitted: str = ""
    precedence: str = ""
    list_headers: tuple[str, ...] = ()        # names of List-* headers present
    other_auto_markers: tuple[str, ...] = ()  # e.g. 'X-Autoreply', 'X-Autorespond', 'X-Auto-Response-Suppress'
    authentication_results: tuple[str, ...] = ()
    received: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadMessage:
    """Everything read from one raw message."""

    headers: Headers
    body_text: str = ""
    templates: tuple[TemplateReading, ...] = ()
    letters: tuple[Letter, ...] = ()            # those read first, then those that could not be
    files: tuple[FileNote, ...] = ()
    problems: tuple[str, ...] = field(default=())  # plain-words problems met while reading
