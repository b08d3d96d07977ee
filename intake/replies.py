"""The acknowledgement: a receipt of what was understood, and exactly what to fix.

Pure: composes the email; the caller queues it in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from intake.models import FileNote
from store.collection import Collection
from store.submissions import NewSubmission

STATUS_WORDS = {
    "valid": "VALID: nothing to fix",
    "incomplete": "INCOMPLETE: the covering letter is missing",
    "invalid": "NOT VALID: please fix the points below and send the return again",
}


@dataclass(frozen=True)
class Receipt:
    """Everything an acknowledgement reports."""

    ref: str
    disposition: str                 # 'accepted' | 'quarantined' | 'rejected'
    reason: str
    received: datetime               # collection clock at receipt
    files: tuple[FileNote, ...]
    la_name: str | None = None
    version: int | None = None
    submission: NewSubmission | None = None


def compose_ack(receipt: Receipt, *, to: str, mail_from: str, original_message_id: str,
                original_subject: str, collection: Collection) -> EmailMessage:
    """The acknowledgement for one message, with the RFC 3834 headers."""
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = to
    mail["Subject"] = _subject(receipt, original_subject)
    mail["Date"] = format_datetime(receipt.received)
    mail["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-replied"
    mail["X-Auto-Response-Suppress"] = "All"
    mail["Precedence"] = "auto_reply"
    if original_message_id:
        mail["In-Reply-To"] = original_message_id
        mail["References"] = original_message_id
    mail.set_content(ack_text(receipt, collection))
    return mail


def _subject(receipt: Receipt, original_subject: str) -> str:
    who = f" from {receipt.la_name}" if receipt.la_name else ""
    if receipt.disposition == "accepted" and receipt.submission:
        state = {"valid": "received, valid", "incomplete": "received, letter missing",
                 "invalid": "received, needs fixing"}[receipt.submission.status]
        what = f"Care home support return{who}: {state} (version {receipt.version}, {receipt.ref})"
    elif receipt.disposition == "quarantined":
        what = f"Care home support return{who}: received, held for checking ({receipt.ref})"
    else:
        what = f"Your message to the care home support returns inbox could not be used ({receipt.ref})"
    original = " ".join(original_subject.split())[:120]
    return f"{what} [Re: {original}]" if original else what


def ack_text(receipt: Receipt, collection: Collection) -> str:
    """The acknowledgement's body as plain text."""
    local = collection.local(receipt.received)
    lines = [
        f"This is an automatic acknowledgement from the {collection.short_name} inbox.",
        "",
        f"Reference:  {receipt.ref}",
        f"Received:   {local:%A %d %B %Y, %H:%M} ({collection.time_words})",
    ]
    if receipt.la_name:
        lines.append(f"Council:    {receipt.la_name}")
    if receipt.version:
        lines.append(f"Version:    {receipt.version} (every version is kept; your latest valid "
                     "one counts)")
    submission = receipt.submission
    if receipt.disposition == "accepted" and submission:
        lines.append(f"Result:     {STATUS_WORDS[submission.status]}")
    lines += ["", *_files_section(receipt.files)]
    if receipt.disposition == "accepted" and submission:
        lines += _findings_section(submission)
        lines += _figures_section(submission, collection)
    lines += ["", "WHAT HAPPENS NEXT", *_next_steps(receipt, collection)]
    lines += ["", "Please quote the reference above in any reply. This mailbox is monitored by "
                  "the national team."]
    return "\n".join(lines) + "\n"


def _files_section(files: tuple[FileNote, ...]) -> list[str]:
    if not files:
        return ["FILES: no attachments were found."]
    return ["FILES WE FOUND", *(f"  - {note.filename}: {note.note}" for note in files)]


def _findings_section(submission: NewSubmission) -> list[str]:
    lines = []
    if submission.errors:
        lines += ["", f"WHAT TO FIX ({len(submission.errors)})"]
        lines += [f"  {n}. {_where(f.cell)}{f.text}" for n, f in enumerate(submission.errors, 1)]
    if submission.queries:
        lines += ["", f"PLEASE CHECK ({len(submission.queries)}) - reply to explain, or send a "
                      "corrected return"]
        lines += [f"  {n}. {_where(f.cell)}{f.text}" for n, f in enumerate(submission.queries, 1)]
    return lines


def _where(cell: str | None) -> str:
    return f"[cell {cell}] " if cell else ""


def _figures_section(submission: NewSubmission, collection: Collection) -> list[str]:
    if not submission.answers:
        return []
    total = submission.total_care_homes
    lines = ["", "WHAT WE READ",
             f"  Total CQC registered care homes: {total if total is not None else '(not read)'}",
             f"  {'Action':<58} {'Homes':>6}  Support wanted"]
    for answer in submission.answers:
        label = f"{answer.action} {collection.action(answer.action).label}"
        homes = str(answer.homes_in_place) if answer.homes_in_place is not None else "?"
        if answer.raw_homes_in_place.strip() and answer.raw_homes_in_place.strip() != homes:
            homes = f"{homes} (you wrote \"{answer.raw_homes_in_place.strip()}\")"
        support = {"yes": "Yes", "no": "No"}.get(answer.support_needed or "", "?")
        if answer.support_description:
            support += f": {answer.support_description}"
        lines.append(f"  {_clip(label, 58):<58} {homes:>6}  {support}")
    return lines


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _next_steps(receipt: Receipt, collection: Collection) -> list[str]:
    deadline = collection.local(collection.deadline_at)
    due = f"{deadline:%A %d %B %Y at %H:%M}"
    if receipt.disposition == "quarantined":
        return [f"  Your message is held for a person to check, because: {receipt.reason}",
                "  The national team will look at it; you may also send it again with the "
                "problem fixed."]
    if receipt.disposition != "accepted":
        return [f"  We could not use this message: {receipt.reason}",
                f"  Please send your return (covering letter and template) by {due}."]
    assert receipt.submission is not None
    if receipt.submission.status == "valid":
        return ["  Nothing more is needed. Your regional team will review your return; you can "
                "send a corrected version at any time and the latest valid one will count."]
    return [f"  Please send a corrected return by {due}. Reply to this email with the fixed "
            "files attached; it will be recorded as your next version."]
