"""Chasers: reminders to the LAs with no valid return, on the collection's schedule or on demand.

A slot is a day the schedule chases (10:00 on the 3rd and 1st working day before the deadline,
on the deadline day, then each working day after). Running a slot queues one chaser per LA
without a valid return, in the outbox, in the same BEGIN IMMEDIATE transaction that reads the
LA's state: the outbox's unique dedupe key (`chase:<la>:<slot date>`, or
`chase:<la>:manual:<date>` for the bot's on-demand chasers) makes a second run, a restart or a
second process queue nothing more. Skipped slots are never caught up: only the latest slot due
at a moment is run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlite_utils import Database

from intake.addresses import valid_reply_address
from store.collection import Collection
from store.db import immediate
from store.outbox import queue_mail
from store.picture import (
    LETTER_MISSING,
    NOT_RECEIVED,
    has_valid_return,
    status_words,
    with_counting,
)
from store.schedule_log import chase_run_done, record_chase_run
from store.settings import Settings

KIND = "chaser"


@dataclass(frozen=True)
class Slot:
    """One scheduled chase: its day, its moment, and how many working days late that is."""

    day: date
    at: datetime
    working_days_late: int


@dataclass(frozen=True)
class Chaser:
    """One chaser to one LA: who it goes to and what it says is wrong."""

    la_code: str
    la_name: str
    region: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    problem: str                    # e.g. 'no return received', 'version 2 is invalid (3 errors)'
    dedupe_key: str


@dataclass(frozen=True)
class NoContact:
    """An LA that needs chasing but has no usable address: a person must find one."""

    la_code: str
    la_name: str
    region: str
    reason: str


@dataclass(frozen=True)
class ChaseResult:
    """What a chase run did (or, dry, would do)."""

    slot: Slot | None               # None for an on-demand chase
    queued: tuple[Chaser, ...] = ()
    already: tuple[Chaser, ...] = ()   # queued before by this slot (or today's manual chase)
    valid: tuple[str, ...] = ()        # LA codes asked about that have a valid return
    no_contact: tuple[NoContact, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class LaState:
    """An LA's counting state, with the errors of that version, as a chaser reports it."""

    la_code: str
    la_name: str
    region: str
    status: str
    version: int | None
    ref: str | None
    received_at: str | None
    problems: str
    errors: tuple[str, ...]


def slot_days(collection: Collection, until: date) -> list[date]:
    """Every slot day up to and including `until`, oldest first."""
    plan = collection.chase
    deadline_day = collection.deadline_at.date()
    days = {collection.add_working_days(deadline_day, -n) for n in plan.working_days_before}
    if plan.on_deadline_day:
        days.add(deadline_day)
    if plan.each_working_day_after:
        day = collection.add_working_days(deadline_day, 1)
        while day <= until:
            days.add(day)
            day = collection.add_working_days(day, 1)
    return sorted(day for day in days if day <= until)


def slot_on(collection: Collection, day: date) -> Slot:
    """The slot of `day` (which should be a slot day) at the plan's time."""
    at = datetime.combine(day, collection.chase.time, tzinfo=collection.zone)
    return Slot(day, at, collection.working_days_late(at))


def due_slot(collection: Collection, now: datetime) -> Slot | None:
    """The latest slot at or before `now`, or None before the first one."""
    for day in reversed(slot_days(collection, collection.local(now).date())[-2:]):
        slot = slot_on(collection, day)
        if slot.at <= now:
            return slot
    return None


def ladder_roles(collection: Collection, working_days_late: int) -> tuple[set[str], set[str]]:
    """(To roles, Cc roles) on a day this late: the first step's roles go in To; roles a later
    step adds (senior contacts) go in Cc."""
    steps = collection.chase.ladder
    first = {role.lower() for role in steps[0].roles}
    current = set(first)
    for step in steps:
        if step.from_working_days_after is None or working_days_late >= step.from_working_days_after:
            current = {role.lower() for role in step.roles}
    return first & current, current - first


def run_slot(db: Database, settings: Settings, collection: Collection, now: datetime,
             *, dry_run: bool = False, once: bool = False) -> ChaseResult | None:
    """Queue the chasers of the slot due at `now`; None when no slot is due yet, or (`once`,
    for the scheduler) when that slot has already been run by anyone."""
    slot = due_slot(collection, now)
    if slot is None:
        return None
    return _chase(db, settings, collection, now, None, slot=slot, dry_run=dry_run, once=once)


def chase_now(db: Database, settings: Settings, collection: Collection,
              la_codes: list[str], actor: str, *, dry_run: bool = False) -> ChaseResult:
    """On-demand chasers (from the bot) to those of `la_codes` without a valid return: at most
    one per LA per day; the request is written to the audit log."""
    result = _chase(db, settings, collection, settings.now(), list(la_codes), actor=actor,
                    dry_run=dry_run)
    assert result is not None          # only a slot run can be skipped
    return result


def contact_problems(db: Database, collection: Collection, now: datetime,
                     la_codes: list[str]) -> dict[str, str]:
    """The LAs among `la_codes` a chaser at `now` could not reach, with the reason in words."""
    to_roles, cc_roles = ladder_roles(collection, collection.working_days_late(now))
    return {code: _no_contact_reason(db, code) for code in la_codes
            if not _recipients(db, code, to_roles, cc_roles)[0]}


def _chase(db: Database, settings: Settings, collection: Collection, now: datetime,
           la_codes: list[str] | None, *, slot: Slot | None = None, actor: str = "",
           dry_run: bool, once: bool = False) -> ChaseResult | None:
    late = slot.working_days_late if slot else collection.working_days_late(now)
    to_roles, cc_roles = ladder_roles(collection, late)
    queued, already, valid, no_contact = [], [], [], []
    with immediate(db):
        if once and slot is not None and chase_run_done(db, slot.day):
            return None
        for state in _states(db, la_codes):
            if has_valid_return(state.status):
                valid.append(state.la_code)
                continue
            to, cc = _recipients(db, state.la_code, to_roles, cc_roles)
            if not to:
                no_contact.append(NoContact(state.la_code, state.la_name, state.region,
                                            _no_contact_reason(db, state.la_code)))
                continue
            key = _dedupe_key(state.la_code, slot, now, collection)
            chaser = Chaser(state.la_code, state.la_name, state.region, to, cc,
                            _problem(state), key)
            mail = compose_chaser(state, chaser, settings=settings, collection=collection,
                                  now=now)
            if _queue(db, chaser, mail, now, dry_run):
                queued.append(chaser)
            else:
                already.append(chaser)
        if not dry_run:
            _log_run(db, slot, now, actor, queued)
    return ChaseResult(slot, tuple(queued), tuple(already), tuple(valid), tuple(no_contact),
                       dry_run)


def _log_run(db: Database, slot: Slot | None, now: datetime, actor: str,
             queued: list[Chaser]) -> None:
    if slot is not None:
        record_chase_run(db, slot.day, now, len(queued))
    elif queued:
        db.execute("INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, 'chase', ?)",
                   [now.isoformat(), actor, ", ".join(c.la_code for c in queued)])


def _queue(db: Database, chaser: Chaser, mail: EmailMessage, now: datetime,
           dry_run: bool) -> bool:
    if dry_run:
        return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?",
                          [chaser.dedupe_key]).fetchone() is None
    return queue_mail(db, kind=KIND, dedupe_key=chaser.dedupe_key,
                      recipients=[*chaser.to, *chaser.cc], raw=mail.as_bytes(),
                      la_code=chaser.la_code, collection_time=now)


def _dedupe_key(la_code: str, slot: Slot | None, now: datetime, collection: Collection) -> str:
    if slot is not None:
        return f"chase:{la_code}:{slot.day.isoformat()}"
    return f"chase:{la_code}:manual:{collection.local(now).date().isoformat()}"


STATES = with_counting("""
SELECT s.la_code, s.la_name, s.region, s.status, s.version, s.received_at, s.submission_id,
       m.ref, COALESCE(c.problems, '') AS problems
FROM standing s
LEFT JOIN submissions c ON c.id = s.submission_id
LEFT JOIN messages m ON m.id = c.message_id
ORDER BY s.region, s.la_name
""")


def _states(db: Database, la_codes: list[str] | None) -> list[LaState]:
    """Each LA's counting state with the errors of that version (its latest, when none is valid)."""
    wanted = None if la_codes is None else set(la_codes)
    rows = [row for row in db.query(STATES) if wanted is None or row["la_code"] in wanted]
    errors: dict[int, list[str]] = {}
    for finding in db.query("SELECT submission_id, action, cell, text FROM findings "
                            "WHERE severity = 'error' ORDER BY id"):
        errors.setdefault(finding["submission_id"], []).append(_finding_line(finding))
    return [LaState(row["la_code"], row["la_name"], row["region"], row["status"], row["version"],
                   row["ref"], row["received_at"], row["problems"],
                   tuple(errors.get(row["submission_id"], ())))
            for row in rows]


def _finding_line(finding: dict) -> str:
    where = ", ".join(part for part in (finding["action"] and f"action {finding['action']}",
                                        finding["cell"] and f"cell {finding['cell']}") if part)
    return f"[{where}] {finding['text']}" if where else finding["text"]


def _recipients(db: Database, la_code: str, to_roles: set[str],
                cc_roles: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Safe addresses for To and Cc; senior contacts move to To when there is no return contact."""
    to: dict[str, None] = {}
    cc: dict[str, None] = {}
    for row in db.query("SELECT email, role FROM contacts WHERE la_code = ? ORDER BY id",
                        [la_code]):
        address = valid_reply_address(row["email"])
        role = row["role"].lower()
        if address is None:
            continue
        if role in to_roles:
            to[address] = None
        elif role in cc_roles:
            cc[address] = None
    for address in to:
        cc.pop(address, None)
    if not to:
        return tuple(cc), ()
    return tuple(to), tuple(cc)


def _no_contact_reason(db: Database, la_code: str) -> str:
    rows = list(db.query("SELECT email, role FROM contacts WHERE la_code = ?", [la_code]))
    if not rows:
        return "no contact on file"
    if all(valid_reply_address(row["email"]) is None for row in rows):
        return "no usable address (" + ", ".join(row["email"] for row in rows) + ")"
    return ("no contact in a role chased today (on file: "
            + ", ".join(sorted({row["role"] for row in rows})) + ")")


def _problem(state: LaState) -> str:
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


def compose_chaser(state: LaState, chaser: Chaser, *, settings: Settings,
                   collection: Collection, now: datetime) -> EmailMessage:
    """The chaser email: To/Cc, never Bcc, marked as automatic mail."""
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
        f"due {_deadline(collection)}")
    return f"Reminder: {collection.short_name} from {state.la_name}: {what} ({when})"


def _deadline(collection: Collection) -> str:
    deadline = collection.deadline_at
    return f"{deadline:%A} {deadline.day} {deadline:%B %Y at %H:%M}"


def chaser_text(state: LaState, *, settings: Settings, collection: Collection,
                now: datetime) -> str:
    """The chaser's body: what is missing or wrong, the deadline, how late, where to send."""
    lines = ["Dear colleague,", "",
             f"This is a reminder about {state.la_name}'s {collection.name}.", ""]
    lines += _what_we_have(state, collection)
    lines += ["", f"DEADLINE: {_deadline(collection)} (UK time). {_lateness(collection, now)}",
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
    late = collection.working_days_late(now)
    if late:
        return f"Your return is now {late} working day{'s' if late != 1 else ''} late."
    days = collection.days_to_deadline(now)
    if days <= 0:
        return "The deadline is today."
    return f"The deadline is in {days} day{'s' if days != 1 else ''}."
