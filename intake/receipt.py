"""What a receipt says, once: the plain text and the HTML part are two renderings of this view,
so they cannot disagree on a figure or a finding.

Pure: a Receipt (what happened to one message) and the collection in, a ReceiptView out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from intake.models import FileNote
from store.collection import Collection
from store.picture import LETTER_MISSING, NEEDS_FIXING, VALID, status_words
from store.submissions import Answer, Finding, NewSubmission

RESULTS = {
    VALID: "nothing to fix",
    NEEDS_FIXING: "please fix the points below and send the return again",
    LETTER_MISSING: "please send your covering letter",
}

TONES = {VALID: "good", NEEDS_FIXING: "fix"}
SUPPORT_WORDS = {"yes": "Yes", "no": "No"}


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


class Figure(NamedTuple):
    """One action's row as read: the parsed count beside what was written (a named tuple: a
    receipt makes one a row, and a frozen dataclass's init cost ten times as much)."""

    action: str                      # '1.1 Support for cohorting ...'
    homes: str                       # the number read, or 'not read'
    written: str                     # the cell as written, when it differs from `homes`
    support: str                     # 'Yes', 'No', 'Not chosen', or the words written
    description: str
    flag: str = ""                   # 'to fix' or 'to check' when a finding is on this row


@dataclass(frozen=True)
class ReceiptView:
    """A receipt's content, ready for either rendering."""

    title: str
    tone: str                        # 'good' (valid), 'fix' (errors) or 'info'
    result: str                      # one line: the outcome in words ('' when not recorded)
    facts: tuple[tuple[str, str], ...]
    to_fix: tuple[Finding, ...]      # each told with `where_words` and its text
    to_check: tuple[Finding, ...]
    total: str                       # how the total was read ('' when no template)
    chosen: str                      # why this template was read, when several were sent
    figures: tuple[Figure, ...]
    files: tuple[tuple[str, str], ...]
    next_steps: tuple[str, ...]
    footer: str


def view_of(receipt: Receipt, collection: Collection) -> ReceiptView:
    """The receipt's content: facts, what to fix and check, the figures as read, next steps."""
    submission = receipt.submission if receipt.disposition == "accepted" else None
    local = collection.local(receipt.received)
    facts = [("Reference", receipt.ref),
             ("Received", f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({collection.time_words})")]
    if receipt.la_name:
        facts.append(("Council", receipt.la_name))
    if receipt.version:
        facts.append(("Version", f"{receipt.version} (every version is kept; your latest "
                                 "valid one counts)"))
    return ReceiptView(
        title=title_of(receipt),
        tone=TONES.get(submission.status, "info") if submission else "info",
        result=_result(submission.status) if submission else "",
        facts=tuple(facts),
        to_fix=submission.errors if submission else (),
        to_check=submission.queries if submission else (),
        total=_total(submission) if submission and submission.template_file else "",
        chosen=submission.chosen_because if submission else "",
        figures=_figures(submission, collection) if submission else (),
        files=tuple((note.filename, note.note) for note in receipt.files),
        next_steps=_next_steps(receipt, collection),
        footer=("Please quote the reference above in any reply. This mailbox is monitored by "
                "the national team."),
    )


def title_of(receipt: Receipt, *, name_council: bool = True) -> str:
    """A short headline, also the subject: what happened, in a few words."""
    who = f" from {receipt.la_name}" if receipt.la_name and name_council else ""
    if receipt.disposition == "accepted" and receipt.submission:
        return f"Return{who} received: {status_words(receipt.submission.status)}"
    if receipt.disposition == "quarantined":
        return f"Return{who} received: held for checking"
    return "Your message could not be used as a return"


def _result(status: str) -> str:
    return f"{status_words(status).capitalize()}: {RESULTS[status]}"


def where_words(finding: Finding) -> str:
    """Where a finding is, as an officer reads it: 'action 1.1, cell B9 of sheet
    “Implementation Status”' ('' when it is tied to no row or cell)."""
    return ", ".join(part for part in (finding.action and f"action {finding.action}",
                                       finding.cell and cell_words(finding.cell)) if part)


def cell_words(cell: str) -> str:
    """"'Implementation Status'!B9" as an officer reads it: 'cell B9 of sheet “Implementation
    Status”' (a reference without a sheet is just 'cell B9')."""
    sheet, _, ref = cell.rpartition("!")
    if not sheet:
        return f"cell {ref}"
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return f"cell {ref} of sheet “{sheet}”"


def _total(submission: NewSubmission) -> str:
    total = submission.total_care_homes
    written = (submission.raw_total or "").strip()
    shown = str(total) if total is not None else (f"not read (you wrote “{written}”)" if written
                                                  else "not read")
    label = submission.total_label
    cell = cell_words(submission.total_cell) if submission.total_cell else ""
    if label and cell:
        return f"{shown}, read from “{label}” ({cell})"
    if label or cell:
        return f"{shown}, read from {f'“{label}”' if label else cell}"
    return shown


def _figures(submission: NewSubmission, collection: Collection) -> tuple[Figure, ...]:
    flags = {f.action: "to check" for f in submission.queries if f.action}
    flags.update({f.action: "to fix" for f in submission.errors if f.action})
    # '1.1 Support for cohorting ...' (the code alone for an action the collection lacks).
    labels = collection.action_titles
    return tuple(_figure(answer, labels.get(answer.action, answer.action),
                         flags.get(answer.action, ""))
                 for answer in submission.answers)


def _figure(answer: Answer, action: str, flag: str) -> Figure:
    homes = str(answer.homes_in_place) if answer.homes_in_place is not None else "not read"
    written = " ".join(answer.raw_homes_in_place.split())
    support = SUPPORT_WORDS.get(answer.support_needed or "", "")
    if not support:
        raw = " ".join(answer.raw_support.split())
        support = raw if raw and not raw.startswith("<") else "Not chosen"
    return Figure(action, homes,
                  "" if written == homes else written, support,
                  " ".join(answer.support_description.split()), flag)


def _next_steps(receipt: Receipt, collection: Collection) -> tuple[str, ...]:
    due = _due(receipt, collection)
    if receipt.disposition == "quarantined":
        return (f"Your message is held for a person to check, because: {receipt.reason}",
                "The national team will look at it; you may also send it again with the "
                "problem fixed.")
    if receipt.disposition != "accepted" or receipt.submission is None:
        return (f"We could not use this message: {receipt.reason}",
                f"Please send your return (covering letter and template) {due}.")
    if receipt.submission.status == VALID:
        steps = ["Nothing more is needed. Your regional team will review your return; you can "
                 "send a corrected version at any time and the latest valid one will count."]
    else:
        steps = [f"Please send a corrected return {due}. Reply to this email with the "
                 "fixed files attached; it will be recorded as your next version."]
    if receipt.submission.queries:
        steps.append("The points to check do not stop your return counting: reply to this "
                     "email to explain them, or send a corrected return.")
    return tuple(steps)


def _due(receipt: Receipt, collection: Collection) -> str:
    """'by Friday 29 May 2020 at 23:59', or 'as soon as you can' once that has passed."""
    words = collection.deadline_words
    if receipt.received > collection.deadline_at:
        return f"as soon as you can (the deadline was {words})"
    return f"by {words}"
