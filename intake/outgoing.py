"""The sender loop: delivers the outbox to the relay, or as .eml files when no relay is set.

Delivery is at-least-once in two narrow windows, and exactly-once everywhere else:
- relay: a crash after the relay's 250 and before `mark_sent` commits sends that mail again on
  the next run (the row is marked straight after the 250, so the window is one local commit);
- maildir: the file is named by its row and replaced atomically, so a rerun after a crash
  between the write and `mark_sent` rewrites the same file instead of adding a second one.
Two senders on one store never take the same row at once (store.outbox.claim_mail).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosmtplib
from sqlite_utils import Database

from intake.addresses import valid_reply_address
from store.db import open_db
from store.outbox import OutgoingMail, claim_mail, due_mail, mark_failed, mark_sent
from store.settings import Settings

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; the last one repeats until GIVE_UP_AFTER.
BACKOFF_SECONDS = (10, 30, 120, 300, 900, 1800)
GIVE_UP_AFTER = timedelta(hours=24)
RELAY_TIMEOUT_SECONDS = 60
# Longer than one attempt can take, so no other sender takes a row mid-attempt; after a crash
# a claimed row waits this long. Writing an .eml file takes milliseconds, a relay up to its
# timeout.
RELAY_LEASE = timedelta(seconds=2 * RELAY_TIMEOUT_SECONDS)
MAILDIR_LEASE = timedelta(seconds=10)
BATCH_SIZE = 50


class PermanentFailure(Exception):
    """The relay refused the mail for good (a 5xx reply): retrying cannot help."""


async def run_sender(
    settings: Settings, *, stop: asyncio.Event, wake: asyncio.Event | None = None,
    poll_seconds: float = 0.5,
) -> None:
    """Deliver due outbox mail until `stop` is set; the retry clock is real time.

    `wake` is set by whoever queues mail in this process, so acknowledgements leave at once;
    the poll still finds retries that fall due and mail queued by other processes.
    Database work is a few short statements per mail, run inline on this loop.
    """
    db = open_db(settings.returns_db)
    try:
        while not stop.is_set():
            if wake is not None:
                wake.clear()
            try:
                await send_due(settings, db)
            except sqlite3.Error:  # e.g. the store locked past its busy timeout: next poll
                log.exception("outbox unavailable; retrying")
            await _pause(stop, wake, poll_seconds)
    finally:
        db.close()


async def _pause(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    waits = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waits.append(asyncio.ensure_future(wake.wait()))
    _, pending = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiting in pending:
        waiting.cancel()


async def send_due(settings: Settings, db: Database, *, now: datetime | None = None) -> int:
    """Attempt every due mail once; returns how many were delivered.

    `now` (real time by default) decides which retries are due.
    """
    now = now or datetime.now(UTC)
    delivered = 0
    for mail in due_mail(db, now, BATCH_SIZE):
        lease = RELAY_LEASE if settings.relay_host else MAILDIR_LEASE
        if claim_mail(db, mail.id, now, now + lease):
            delivered += await _attempt(settings, db, mail, now)
    return delivered


async def _attempt(settings: Settings, db: Database, mail: OutgoingMail, now: datetime) -> int:
    """One delivery attempt, recorded on the row; 1 when delivered, else 0."""
    # Checked again right before sending: the row may come from any writer of the outbox.
    checked = {address: valid_reply_address(address) for address in mail.recipients}
    unsafe = [address for address, valid in checked.items() if valid is None]
    if not checked or unsafe:
        mark_failed(db, mail.id, now, f"not sent: unsafe recipient address {unsafe!r}", None)
        return 0
    try:
        await _deliver(settings, mail, [valid for valid in checked.values() if valid])
    except PermanentFailure as exc:
        mark_failed(db, mail.id, now, str(exc), None)
        return 0
    except Exception as exc:  # any other failure is retried, so one bad row never stalls the rest
        log.warning("outbox mail %s not delivered: %s", mail.dedupe_key, exc)
        mark_failed(db, mail.id, now, _describe(exc), next_attempt(mail, now))
        return 0
    mark_sent(db, mail.id, datetime.now(UTC))
    return 1


def next_attempt(mail: OutgoingMail, now: datetime) -> datetime | None:
    """When to try again after a failed attempt, or None once the mail is a day old."""
    if now - mail.created_at >= GIVE_UP_AFTER:
        return None
    wait = BACKOFF_SECONDS[min(mail.attempts, len(BACKOFF_SECONDS) - 1)]
    return now + timedelta(seconds=wait)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


async def _deliver(settings: Settings, mail: OutgoingMail, recipients: list[str]) -> None:
    if settings.relay_host:
        await _relay(settings, mail, recipients)
    else:
        await asyncio.to_thread(write_eml, settings.outbox_dir, mail)


async def _relay(settings: Settings, mail: OutgoingMail, recipients: list[str]) -> None:
    try:
        errors, _ = await aiosmtplib.send(
            mail.raw, sender=settings.mail_from, recipients=recipients,
            hostname=settings.relay_host, port=settings.relay_port,
            timeout=RELAY_TIMEOUT_SECONDS,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        if all(refusal.code >= 500 for refusal in exc.recipients):
            raise PermanentFailure(f"relay refused every recipient: {exc}") from exc
        raise
    except aiosmtplib.SMTPResponseException as exc:
        if exc.code >= 500:
            raise PermanentFailure(f"relay refused the mail: {exc.code} {exc.message}") from exc
        raise
    if errors:
        log.warning("relay refused some recipients of %s: %s", mail.dedupe_key, errors)


def eml_name(mail: OutgoingMail) -> str:
    """The file for a row: its id (unique) and its dedupe key made safe (readable)."""
    safe_key = re.sub(r"[^A-Za-z0-9._-]+", "_", mail.dedupe_key).strip("._")[:120]
    return f"{mail.id:06d}-{safe_key}.eml"


def write_eml(outbox_dir: Path, mail: OutgoingMail) -> Path:
    """Write the mail as one .eml file, atomically: a reader never sees half a file."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    final = outbox_dir / eml_name(mail)
    partial = outbox_dir / f".{final.name}.tmp"
    with open(partial, "wb") as file:
        file.write(mail.raw)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, final)
    _sync_directory(outbox_dir)
    return final


def _sync_directory(path: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
