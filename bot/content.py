"""What an answer says, independent of where it is shown (Slack Block Kit or a terminal)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A heading and its lines (plain text; renderers add their own emphasis)."""

    heading: str = ""
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Button:
    """A button the user can press; `action_id` routes it, `value` carries its argument."""

    label: str
    action_id: str
    value: str
    style: str | None = None        # 'primary' | 'danger' | None


@dataclass(frozen=True)
class Attachment:
    """A file sent with the answer: text (the full list of LAs as CSV) or, when `data` is set,
    a binary file (a .docx or .xlsx report, a chart)."""

    filename: str
    text: str = ""
    title: str = ""
    data: bytes | None = None

    @property
    def content(self) -> bytes:
        """The file's bytes, whichever kind it is."""
        return self.data if self.data is not None else self.text.encode("utf-8")


@dataclass(frozen=True)
class Reply:
    """One answer: a title line, sections, optional files and buttons.

    `attachment` is the full list behind a summary; `files` are further files (a report's
    .docx and .xlsx). `ephemeral` asks for an answer only the asker sees (refusals in a channel).
    """

    title: str
    sections: tuple[Section, ...] = ()
    attachment: Attachment | None = None
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    files: tuple[Attachment, ...] = ()

    @property
    def uploads(self) -> tuple[Attachment, ...]:
        """Every file to send with the answer."""
        return ((self.attachment,) if self.attachment is not None else ()) + self.files


def section(heading: str, lines: Iterable[str]) -> Section:
    """A section from any iterable of lines."""
    return Section(heading, tuple(lines))


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header row, for attachments."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return out.getvalue()
