"""The steps of one message, from its stored copy to its one disposition and acknowledgement.

As in Mailman's pipelines, the steps are small functions named in order in one place
(`DECIDING`, then `RECORDING`, at the end of this module), each taking the message's `Handling`
(what is known so far) and returning it with one more thing known:

    read → find the return → identify → trust → validate → decide → record → reply → dispose

Deciding reads the store but writes nothing; a step that settles how the message ends
(quarantined, rejected, ignored) lets the later deciding steps pass. Recording is one
transaction, so a crash before it just means the message is processed again, and nothing is
recorded or answered twice. The SMTP path (`process_stored`), a national
user's release (intake/quarantine.py) and a hand import (intake/hand_import.py) all run it.
"""

from __future__ import annotations

from intake.acknowledgement import reply
from intake.autoreply import automatic_reason, bounce_reason
from intake.handling import Handling, Step, deciding
from intake.identify import identify_authority
from intake.models import ReadMessage
from intake.reading.choosing import choose_template
from intake.reading.message import BODY_LETTER, read_message_sync
from intake.trust import check_sender
from intake.validation import LaFacts, covering_letter, validate_return
from store.collection import Collection
from store.contacts import RETURN_CONTACT, add_contact, same_address
from store.context import Context
from store.db import Database
from store.messages import StoredMessage, disposition_of, set_disposition
from store.register import LocalAuthority, authorities_by_code
from store.settings import Settings
from store.submissions import latest_counts, record_submission
from store.transactions import immediate


def read(job: Context, handling: Handling) -> Handling:
    """Read the stored bytes in the sandbox, unless the caller already has."""
    if handling.read is not None:
        return handling
    return handling.knowing(read=read_message_sync(handling.message.raw, job.collection))


@deciding
def find_return(job: Context, handling: Handling) -> Handling:
    """The template and letter a return is made of; anything else is not a return."""
    reading = handling.reading
    template = choose_template(reading.templates)
    letter = covering_letter(reading.letters)
    bounce = None if handling.vouched else bounce_reason(reading.headers, handling.message.mail_from)
    if bounce:      # usually our own chaser or receipt coming back, template and all
        return handling.settle("ignored", f"automatic mail, not a return: {bounce}")
    automatic = None if handling.vouched else automatic_reason(reading.headers, handling.message.mail_from)
    handling = handling.knowing(template=template, letter=letter, automatic=automatic)
    # The text of an out-of-office or a bounce can read like a letter: automatic mail is a
    # return only when it carries the files of one.
    if automatic and template is None and (letter is None or letter.filename == BODY_LETTER):
        return handling.settle(*_not_a_return(reading, automatic))
    # A letter that could not be read, alone, is a file that failed, not a return to record.
    if template is None and (letter is None or not letter.readable):
        return handling.settle(*_not_a_return(reading, automatic))
    return handling


def _not_a_return(reading: ReadMessage, automatic: str | None) -> tuple[str, str]:
    if automatic:
        return "ignored", f"automatic mail, not a return: {automatic}"
    unreadable = [note for note in reading.files if note.role == "unreadable"]
    if unreadable:
        reasons = "; ".join(f"{note.filename}: {note.note}" for note in unreadable)
        return "rejected", f"the attachments could not be read ({reasons})"
    problems = "; ".join(reading.problems)
    if problems:
        return "rejected", f"the message could not be read ({problems})"
    return "rejected", ("no return found: no template spreadsheet, no covering letter "
                        "and no message text")


@deciding
def identify(job: Context, handling: Handling) -> Handling:
    """Which LA the return is from: the one a person chose, else from the message itself."""
    code = handling.released_as
    if code is None:
        found = identify_authority(handling.reading, handling.message.mail_from,
                                   every_source=False)
        if found.la_code is None:
            return handling.settle("quarantined", found.reason)
        code = found.la_code
    return handling.knowing(la=authorities_by_code()[code])


@deciding
def trust(job: Context, handling: Handling) -> Handling:
    """Whether the sender may speak for the LA (not asked when a person vouched for it)."""
    if handling.vouched or handling.released_as or handling.la is None:
        return handling
    refusal = check_sender(handling.la, handling.message.mail_from, handling.reading.headers,
                           trusted_authserv_ids=job.settings.trusted_authserv_ids,
                           extra_sender_domains=job.settings.extra_sender_domains)
    return handling if refusal is None else handling.settle("quarantined", refusal)


@deciding
def validate(job: Context, handling: Handling) -> Handling:
    """The return as a submission, checked against the collection's rules and its history."""
    assert handling.la is not None
    submission = validate_return(handling.template, handling.letter,
                                 _facts(job.db, handling.la), job.collection)
    return handling.knowing(submission=submission)


def _facts(db: Database, la: LocalAuthority) -> LaFacts:
    return LaFacts(la_code=la.code, register_total=la.care_homes,
                   previous_counts=latest_counts(db, la.code))


@deciding
def decide(job: Context, handling: Handling) -> Handling:
    """A return that came this far is recorded; the reason says for whom and in what state."""
    assert handling.la is not None and handling.submission is not None
    reason = f"recorded for {handling.la.name}: {handling.submission.status}"
    if handling.automatic:
        reason += f" (marked as automatic mail: {handling.automatic}; not acknowledged)"
    if handling.released_by:
        reason = f"released by {handling.released_by} as {handling.la.name}; {reason}"
    return handling.settle("accepted", reason)


def record(job: Context, handling: Handling) -> Handling:
    """Record the submission (its version is known from here on) and its senders as contacts."""
    submission = handling.submission
    if handling.disposition != "accepted" or submission is None:
        return handling
    _, version = record_submission(job.db, handling.message.id, handling.message.collection_time,
                                   submission)
    if submission.contact_email:
        add_contact(job.db, submission.la_code, submission.contact_email, RETURN_CONTACT,
                    "template", name=submission.contact_name, phone=submission.contact_phone)
    sender = handling.message.mail_from
    # The sender is usually the template's contact, just known in the same role.
    if sender and not same_address(sender, submission.contact_email or ""):
        add_contact(job.db, submission.la_code, sender, RETURN_CONTACT, "sender")
    return handling.knowing(version=version)


def dispose(job: Context, handling: Handling) -> Handling:
    """Write how the message ended, with why it was or was not acknowledged."""
    assert handling.disposition is not None
    set_disposition(job.db, handling.message.id, handling.disposition, handling.reason,
                    la_code=handling.la.code if handling.la else None,
                    reply_decision=handling.reply_decision)
    return handling


DECIDING: tuple[Step, ...] = (read, find_return, identify, trust, validate, decide)
RECORDING: tuple[Step, ...] = (record, reply, dispose)


def run_steps(job: Context, handling: Handling, steps: tuple[Step, ...]) -> Handling:
    """Pass the message through `steps` in order."""
    for step in steps:
        handling = step(job, handling)
    return handling


def decide_message(job: Context, handling: Handling) -> Handling:
    """Run the deciding steps: how the message would end, with nothing written yet."""
    return run_steps(job, handling, DECIDING)


def record_message(job: Context, handling: Handling) -> Handling:
    """Run the recording steps in one transaction; nothing is written when the message's
    disposition changed meanwhile (a resent copy, or another process got there first)."""
    with immediate(job.db):
        if disposition_of(job.db, handling.message.id) != handling.message.disposition:
            return handling
        return run_steps(job, handling, RECORDING)


def handle(job: Context, handling: Handling) -> Handling:
    """The whole pipeline: decide how the message ends, then record it."""
    return record_message(job, decide_message(job, handling))


def process_stored(db: Database, settings: Settings, collection: Collection,
                   message: StoredMessage, reading: ReadMessage) -> str | None:
    """Decide and record one stored message already read (the SMTP path), as the caller has
    it (not read from the store again); returns the disposition decided."""
    if message.disposition is not None:
        return message.disposition
    return handle(Context(db, settings, collection), Handling(message, read=reading)).disposition
