"""From a stored message to its one disposition: read, identify, check, validate, record, reply.

Runs after the `250`, from the stored copy. Reading happens in a limited worker process; every
decision about one message (submission, disposition, acknowledgement) is committed in one
transaction, so a crash before the commit just means the message is processed again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from hashlib import sha256

from sqlite_utils import Database

from intake.autoreply import automatic_reason, reply_decision
from intake.identify import authorities_owning, identify_authority
from intake.models import ReadMessage
from intake.reading.choosing import choose_template
from intake.reading.message import BODY_LETTER, read_message_sync
from intake.replies import Receipt, compose_ack
from intake.trust import check_sender
from intake.validation import LaFacts, covering_letter, validate_return
from store.collection import Collection
from store.contacts import RETURN_CONTACT, add_contact
from store.messages import StoredMessage, get_by_ref, get_message, set_disposition, store_raw
from store.outbox import queue_mail, replies_to_sender_since
from store.register import LocalAuthority, authorities_by_code
from store.settings import Settings
from store.submissions import NewSubmission, next_version, record_submission, versions
from store.transactions import immediate

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Decision:
    """How one message ends, before anything is written."""

    disposition: str
    reason: str
    la: LocalAuthority | None = None
    submission: NewSubmission | None = None


def decide(db: Database, settings: Settings, collection: Collection, message: StoredMessage,
           read: ReadMessage, *, released_as: str | None = None,
           sender_vouched: bool = False) -> Decision:
    """Decide a message's disposition from what was read (and, for queries, the store).

    `released_as` names the LA a person chose; `sender_vouched` skips the sender check for
    a file a member of staff imported by hand.
    """
    template = choose_template(read.templates)
    letter = covering_letter(read.letters)
    automatic = None if sender_vouched else automatic_reason(read.headers, message.mail_from)
    # The text of an out-of-office or a bounce can read like a letter: automatic mail is a
    # return only when it carries the files of one.
    if automatic and template is None and (letter is None or letter.filename == BODY_LETTER):
        return _not_a_return(read, automatic)
    if template is None and letter is None:
        return _not_a_return(read, automatic)
    if released_as:
        la = authorities_by_code()[released_as]
    else:
        identification = identify_authority(read, message.mail_from)
        if identification.la_code is None:
            return Decision("quarantined", identification.reason)
        la = authorities_by_code()[identification.la_code]
        trust = None if sender_vouched else check_sender(la, message.mail_from, read.headers,
                             trusted_authserv_ids=settings.trusted_authserv_ids,
                             extra_sender_domains=settings.extra_sender_domains)
        if trust is not None and not trust.trusted:
            return Decision("quarantined", trust.reason, la=la)
    facts = _facts(db, la)
    submission = validate_return(template, letter, facts, collection)
    reason = f"recorded for {la.name}: {submission.status}"
    if automatic:
        reason += f" (marked as automatic mail: {automatic}; not acknowledged)"
    return Decision("accepted", reason, la=la, submission=submission)


def _not_a_return(read: ReadMessage, automatic: str | None) -> Decision:
    if automatic:
        return Decision("ignored", f"automatic mail, not a return: {automatic}")
    unreadable = [note for note in read.files if note.role == "unreadable"]
    if unreadable:
        reasons = "; ".join(f"{note.filename}: {note.note}" for note in unreadable)
        return Decision("rejected", f"the attachments could not be read ({reasons})")
    problems = "; ".join(read.problems)
    if problems:
        return Decision("rejected", f"the message could not be read ({problems})")
    return Decision("rejected", "no return found: no template spreadsheet, no covering letter "
                                "and no message text")


def _facts(db: Database, la: LocalAuthority) -> LaFacts:
    earlier = versions(db, la.code)
    previous = None
    if earlier:
        rows = db.query("SELECT action, homes_in_place FROM answers WHERE submission_id = ?",
                        [earlier[-1]["id"]])
        previous = {r["action"]: r["homes_in_place"] for r in rows
                    if r["homes_in_place"] is not None}
    return LaFacts(la_code=la.code, register_total=la.care_homes, previous_counts=previous)


def commit(db: Database, settings: Settings, collection: Collection, message: StoredMessage,
           read: ReadMessage, decision: Decision) -> None:
    """Record the decision, its submission and its acknowledgement in one transaction.

    Nothing is written when the message's disposition changed meanwhile (a resent copy or
    another process got there first): nothing is recorded or answered twice. The
    acknowledgement is composed before the write lock is taken, so that the SMTP edge, which
    commits through the same lock, does not wait for it.
    """
    expected = next_version(db, decision.la.code) if decision.submission and decision.la else None
    ack = plan_ack(db, settings, collection, message, read, decision, expected)
    with immediate(db):
        if _disposition(db, message.id) != message.disposition:
            return
        version = None
        if decision.submission is not None:
            _, version = record_submission(db, message.id, message.collection_time,
                                           decision.submission)
            _remember_contacts(db, message, decision.submission)
            if version != expected:     # another process recorded a version meanwhile
                ack = plan_ack(db, settings, collection, message, read, decision, version)
        if ack.mail is not None:
            queue_mail(db, kind="ack", dedupe_key=ack.key, recipients=[ack.to], raw=ack.mail,
                       message_id=message.id, la_code=decision.la.code if decision.la else None,
                       collection_time=settings.now())
        set_disposition(db, message.id, decision.disposition, decision.reason,
                        la_code=decision.la.code if decision.la else None,
                        reply_decision=ack.decision)


def _remember_contacts(db: Database, message: StoredMessage, submission: NewSubmission) -> None:
    if submission.contact_email:
        add_contact(db, submission.la_code, submission.contact_email, RETURN_CONTACT, "template",
                    name=submission.contact_name, phone=submission.contact_phone)
    if message.mail_from:
        add_contact(db, submission.la_code, message.mail_from, RETURN_CONTACT, "sender")


@dataclass(frozen=True)
class PlannedAck:
    """Whether to acknowledge (in words), and the mail when so."""

    decision: str
    to: str = ""
    key: str = ""
    mail: bytes | None = None


def plan_ack(db: Database, settings: Settings, collection: Collection, message: StoredMessage,
             read: ReadMessage, decision: Decision, version: int | None) -> PlannedAck:
    """Decide by the loop rules whether to acknowledge, and compose the acknowledgement."""
    if decision.disposition == "ignored":
        return PlannedAck("not acknowledged: automatic mail")
    if decision.disposition == "rejected" and not _from_a_council(message):
        return PlannedAck("not acknowledged: not a return, and not from a council address")
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    recent = replies_to_sender_since(db, message.mail_from, hour_ago) if message.mail_from else 0
    verdict = reply_decision(read.headers, message.mail_from,
                             own_addresses=(*settings.inbox_addresses, settings.mail_from),
                             recent_replies_to_sender=recent)
    if not verdict.send or verdict.to is None:
        return PlannedAck(f"not acknowledged: {verdict.reason}")
    receipt = Receipt(
        ref=message.ref, disposition=decision.disposition, reason=decision.reason,
        received=datetime.fromisoformat(message.collection_time), files=read.files,
        la_name=decision.la.name if decision.la else None, version=version,
        submission=decision.submission,
    )
    mail = compose_ack(receipt, to=verdict.to, mail_from=settings.mail_from,
                       original_message_id=message.message_id,
                       original_subject=read.headers.subject, collection=collection)
    key = f"ack:{message.ref}" + (f":v{version}" if version else f":{decision.disposition}")
    return PlannedAck(f"acknowledged to {verdict.to}", verdict.to, key, mail.as_bytes())


def _from_a_council(message: StoredMessage) -> bool:
    domain = message.mail_from.rpartition("@")[2].lower()
    return bool(domain) and bool(authorities_owning(domain))


def give_up(db: Database, message_id: int, error: str) -> None:
    """A message that failed processing too often is kept for a person, never dropped."""
    with immediate(db):
        if _disposition(db, message_id) is not None:
            return
        set_disposition(db, message_id, "quarantined",
                        f"could not be processed automatically ({error}); kept for a person",
                        reply_decision="not acknowledged: processing failed")


def _disposition(db: Database, message_id: int) -> str | None:
    row = db.execute("SELECT disposition FROM messages WHERE id = ?", [message_id]).fetchone()
    return row[0] if row else None


def count_attempt(db: Database, message_id: int) -> int:
    """Note one more processing attempt; returns the count so far."""
    db.execute("UPDATE messages SET attempts = attempts + 1 WHERE id = ?", [message_id])
    return next(db.query("SELECT attempts FROM messages WHERE id = ?", [message_id]))["attempts"]


def release_message(db: Database, settings: Settings, collection: Collection, ref: str,
                    la_code: str, actor: str) -> str:
    """Record a quarantined message as a return from `la_code` (a national user's decision)."""
    message = get_by_ref(db, ref)
    if message is None:
        return f"There is no message {ref}."
    if message.disposition != "quarantined":
        return f"{message.ref} is not in quarantine (it is {message.disposition or 'not processed yet'})."
    if la_code not in authorities_by_code():
        return f"{la_code} is not an LA code in the register."
    read = read_message_sync(message.raw, collection)
    decision = decide(db, settings, collection, message, read, released_as=la_code)
    if decision.disposition != "accepted":
        return f"{message.ref} cannot be released: {decision.reason}"
    decision = replace(decision, reason=f"released by {actor} as {decision.la.name}; "
                                        f"{decision.reason}")
    commit(db, settings, collection, message, read, decision)
    _audit(db, actor, "release", message.ref, json.dumps({"la_code": la_code}))
    status = decision.submission.status if decision.submission else "?"
    return f"{message.ref} released as {decision.la.name}: recorded, {status}."


def dismiss_message(db: Database, ref: str, actor: str, reason: str) -> str:
    """Close a quarantined message without recording a return (kept, marked rejected)."""
    message = get_by_ref(db, ref)
    if message is None:
        return f"There is no message {ref}."
    if message.disposition != "quarantined":
        return f"{message.ref} is not in quarantine (it is {message.disposition or 'not processed yet'})."
    with immediate(db):
        set_disposition(db, message.id, "rejected", f"dismissed by {actor}: {reason}",
                        la_code=message.la_code, reply_decision="not acknowledged: dismissed")
    _audit(db, actor, "dismiss", message.ref, reason)
    return f"{message.ref} dismissed."


def _audit(db: Database, actor: str, action: str, ref: str, detail: str) -> None:
    db.execute("INSERT INTO audit (at, actor, action, message_ref, detail) VALUES (?, ?, ?, ?, ?)",
               [datetime.now(UTC).isoformat(), actor, action, ref, detail])


def process_stored(db: Database, settings: Settings, collection: Collection, message_id: int,
                   read: ReadMessage) -> str | None:
    """Decide and commit one message already read; returns its disposition (None if gone)."""
    message = get_message(db, message_id)
    if message is None or message.disposition is not None:
        return message.disposition if message else None
    decision = decide(db, settings, collection, message, read)
    commit(db, settings, collection, message, read, decision)
    return decision.disposition


def import_file(db: Database, settings: Settings, collection: Collection, filename: str,
                data: bytes, *, la_code: str | None, actor: str) -> StoredMessage:
    """Ingest a return file by hand: stored as a message like any other, then processed."""
    raw = _wrap_file(filename, data, actor)
    message, _ = store_raw(db, raw, message_id=_header(raw, "Message-ID"), mail_from="",
                           rcpt_to=[], collection_time=settings.now(), peer="import",
                           subject=f"Imported by hand: {filename}")
    if message.disposition is None:
        read = read_message_sync(message.raw, collection)
        decision = decide(db, settings, collection, message, read, released_as=la_code,
                          sender_vouched=True)
        commit(db, settings, collection, message, read, decision)
        _audit(db, actor, "import", message.ref, filename)
    return get_message(db, message.id) or message


def _wrap_file(filename: str, data: bytes, actor: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"{actor} (import) <import@localhost>"
    mail["Subject"] = f"Imported by hand: {filename}"
    # The same file imported twice is the same message: stored once.
    mail["Message-ID"] = f"<import-{sha256(data).hexdigest()[:32]}@import.local>"
    mail.set_content(f"Return file {filename} imported by {actor}.")
    mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return mail.as_bytes()


def _header(raw: bytes, name: str) -> str:
    return str(BytesHeaderParser().parsebytes(raw).get(name, ""))
