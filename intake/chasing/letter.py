"""The chaser email: what is missing or wrong, the deadline, how late, where to send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from intake.chasing.states import LaState
from store.collection import Collection
from store.picture import LETTER_MISSING, NOT_RECEIVED, lateness, status_words
from store.settings import Settings


@dataclass(frozen=True)
class Chaser:
    """One chaser to one LA: the LA's state it is about, and who it goes to."""

    state: LaState
    to: tuple[str, ...]
    cc: tuple[str, ...]
    dedupe_key: str

    @property
    def problem(self) -> str:
        """What it says is wrong, e.g. 'no return received', 'version 2 is invalid (3 errors)'."""
        return problem_in_words(self.state)



def problem_in_words(state: LaState) -> str:
    """What a chaser says is wrong, e.g. 'version 2 is invalid (3 errors)'."""
    if state.status == NOT_RECEIVED:
        return "no return received"
    if state.status == LETTER_MISSING:
        return f"version {state.version}: {status_words(state.status)}"
    count = len(state.errors)
    errors = "1 error" if count == 1 else f"{count or 'some'} errors"
    return f"version {state.version} {status_words(state.status)} ({errors})"


def inbox_address(settings: Settings, collection: Collection) -> str:
    """Where returns are to be sent: the collection's inbox when the intake accepts it."""
    if collection.inbox.lower() in settings.inbox_addresses:
        return collection.inbox
    return settings.inbox_addresses[0]


def compose_chaser(chaser: Chaser, *, settings: Settings, collection: Collection,
                   now: datetime) -> EmailMessage:
    """The chaser email: To/Cc, never Bcc, marked as automatic mail."""
    state = chaser.state
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = ", ".join(chaser.to)
    if chaser.cc:
        mail["Cc"] = ", ".join(chaser.cc)
    mail["Reply-To"] = inbox_address(settings, collection)
    mail["Subject"] = _subject(state, collection, now)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(chaser_text(state, settings=settings, collection=collection, now=now))
    return mail


def _subject(state: LaState, collection: Collection, now: datetime) -> str:
    what = status_words(state.status)
    late = collection.working_days_late(now)
    when = f"{late} working day{'s' if late != 1 else ''} overdue" if late else (
        f"due {collection.deadline_words}")
    return f"Reminder: {collection.short_name} from {state.la_name}: {what} ({when})"


def chaser_text(state: LaState, *, settings: Settings, collection: Collection,
                now: datetime) -> str:
    """The chaser's body: what is missing or wrong, the deadline, how late, where to send."""
    lines = ["Dear colleague,", "",
             f"This is a reminder about {state.la_name}'s {collection.name}.", ""]
    lines += _what_we_have(state, collection)
    lines += ["", f"DEADLINE: {collection.deadline_words} ({collection.time_words}). {_lateness(collection, now)}",
              "", f"Please email the completed template and covering letter to "
                  f"{inbox_address(settings, collection)}. Every version is kept; your latest "
                  "valid one counts.",
              "", "If you have sent it in the last few hours, thank you, and please ignore "
                  "this reminder.", "",
              "This reminder was sent automatically by the national returns team's service."]
    return "\n".join(lines) + "\n"


def _what_we_have(state: LaState, collection: Collection) -> list[str]:
    if state.status == NOT_RECEIVED:
        return ["WHAT IS MISSING: we have not received a return from you."]
    received = collection.local(datetime.fromisoformat(state.received_at or ""))
    head = (f"We received version {state.version} of your return on "
            f"{received:%A} {received.day} {received:%B at %H:%M} (reference {state.ref}).")
    if state.status == LETTER_MISSING and not state.errors:
        return [head, "WHAT IS MISSING: the covering letter."]
    errors = state.errors or tuple(line for line in state.problems.splitlines() if line.strip())
    return [head, f"WHAT TO FIX ({len(errors)}):",
            *(f"  {number}. {text}" for number, text in enumerate(errors, 1))]


def _lateness(collection: Collection, now: datetime) -> str:
    words = lateness(collection, now)    # 'N working days late', 'due today', 'due in N days'
    if collection.working_days_late(now):
        return f"Your return is now {words}."
    return f"The deadline is {words.removeprefix('due ')}."
