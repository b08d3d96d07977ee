"""Running a chase: a slot of the schedule, or the bot's on-demand chasers, queued in the outbox.

Running a slot queues one chaser per LA without a valid return, in the same BEGIN IMMEDIATE
transaction that reads the LA's state: the outbox's unique dedupe key (`chase:<la>:<slot date>`,
or `chase:<la>:manual:<date>` for the bot's on-demand chasers) makes a second run, a restart or a
second process queue nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from intake.chasing.ladder import ladder_roles, no_contact_reason, recipients
from intake.chasing.letter import Chaser, compose_chaser
from intake.chasing.schedule import Slot, due_slot
from intake.chasing.states import LaState, la_states
from store.audit import record_audit
from store.collection import Collection
from store.db import Database
from store.outbox import queue_mail
from store.picture import has_valid_return
from store.schedule_log import chase_run_done, record_chase_run
from store.settings import Settings
from store.transactions import immediate

KIND = "chaser"


@dataclass(frozen=True)
class NoContact:
    """An LA that needs chasing but has no usable address: a person must find one."""

    state: LaState
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


def _chase(db: Database, settings: Settings, collection: Collection, now: datetime,
           la_codes: list[str] | None, *, slot: Slot | None = None, actor: str = "",
           dry_run: bool, once: bool = False) -> ChaseResult | None:
    late = slot.working_days_late if slot else collection.working_days_late(now)
    to_roles, cc_roles = ladder_roles(collection, late)
    queued, already, valid, no_contact = [], [], [], []
    with immediate(db):
        if once and slot is not None and chase_run_done(db, slot.day):
            return None
        for state in la_states(db, la_codes):
            if has_valid_return(state.status):
                valid.append(state.la_code)
                continue
            to, cc = recipients(db, state.la_code, to_roles, cc_roles)
            if not to:
                no_contact.append(NoContact(state, no_contact_reason(db, state.la_code)))
                continue
            key = _dedupe_key(state.la_code, slot, now, collection)
            chaser = Chaser(state, to, cc, key)
            mail = compose_chaser(chaser, settings=settings, collection=collection, now=now)
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
        record_audit(db, actor, "chase", None, ", ".join(c.state.la_code for c in queued))


def _queue(db: Database, chaser: Chaser, mail: EmailMessage, now: datetime,
           dry_run: bool) -> bool:
    if dry_run:
        return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?",
                          [chaser.dedupe_key]).fetchone() is None
    return queue_mail(db, kind=KIND, dedupe_key=chaser.dedupe_key,
                      recipients=[*chaser.to, *chaser.cc], raw=mail.as_bytes(),
                      la_code=chaser.state.la_code, collection_time=now)


def _dedupe_key(la_code: str, slot: Slot | None, now: datetime, collection: Collection) -> str:
    if slot is not None:
        return f"chase:{la_code}:{slot.day.isoformat()}"
    return f"chase:{la_code}:manual:{collection.local(now).date().isoformat()}"
