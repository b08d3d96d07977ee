"""The sender loop: delivers the outbox to the relay, or as .eml files when no relay is set.

Delivery is at-least-once in two narrow windows, and exactly-once everywhere else:
- relay: a crash after the relay's 250 and before that mail's outcome commits sends it again
  on the next run. Relayed outcomes are committed in the background while the next mails go
  out, each commit taking every outcome that came in since the one before, so the window is
  the commit under way and the next one, not the rest of the batch;
- maildir: the file is named by its row and replaced atomically, so a rerun after a crash
  between the write and the commit of its outcome rewrites the same file instead of adding a
  second one; a batch's files are written in one go, their directory synced once after the
  last, and their outcomes committed together after that.
Two senders on one store never take the same row at once: a batch is claimed in one
transaction with a lease (store.outbox.claim_due), and no attempt starts that could outlast it.

All database work runs in the sender's own store thread (store.thread.StoreThread), never on the
event loop, and so do a batch's .eml files, right after its claim; a batch goes to the relay
over one connection (intake.relay.RelaySession).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from intake.addresses import valid_reply_address
from intake.maildir import write_emls
from intake.relay import RELAY_TIMEOUT_SECONDS, PermanentFailure, RelaySession
from store.db import Database
from store.outbox import Outcome, OutgoingMail, claim_due, hand_back, record_outcomes
from store.settings import Settings
from store.thread import StoreThread

log = logging.getLogger(__name__)
T = TypeVar("T")
InStore = Callable[..., Awaitable[Any]]

# Waits after the 1st, 2nd, ... failed attempt; the last one repeats until GIVE_UP_AFTER.
BACKOFF_SECONDS = (10, 30, 120, 300, 900, 1800)
GIVE_UP_AFTER = timedelta(hours=24)
# A batch's lease: attempts start only while one more fits in it (relay: its timeout; an .eml
# file takes milliseconds). After a crash, a claimed row waits this long.
RELAY_LEASE = timedelta(seconds=2 * RELAY_TIMEOUT_SECONDS)
MAILDIR_LEASE = timedelta(seconds=10)
MAILDIR_ATTEMPT = timedelta(seconds=5)
BATCH_SIZE = 50
GATHER_SECONDS = 0.03   # enough to batch a burst's acknowledgements; nothing beside a person's wait


async def run_sender(
    settings: Settings, *, stop: asyncio.Event, wake: asyncio.Event | None = None,
    settled: asyncio.Event | None = None, poll_seconds: float = 0.5,
) -> None:
    """Deliver due outbox mail until `stop` is set; the retry clock is real time.

    `wake` is set by whoever queues mail in this process, so acknowledgements leave at once;
    the poll still finds retries that fall due and mail queued by other processes. `settled`,
    set while nothing more is being processed, ends a gather early: no more mail is coming.
    """
    store = StoreThread(settings.returns_db, name="outbox")
    # Outcomes of .eml files kept for the next batch's claim when more mail is queued within a
    # gather (a burst): one commit then records a batch and claims the next. Losing them (a
    # crash) only writes the same files again.
    unrecorded: list[Outcome] = []
    try:
        while not stop.is_set():
            if wake is not None:
                wake.clear()
            try:
                _, unrecorded = await _send_batch(settings, store.run, datetime.now(UTC),
                                                  recording=unrecorded)
                if unrecorded and not await _woken(stop, wake, GATHER_SECONDS):
                    await store.run(record_outcomes, unrecorded)
                    unrecorded = []
            except sqlite3.Error:  # e.g. the store locked past its busy timeout: next poll
                log.exception("outbox unavailable; retrying")
            await _pause(stop, wake, poll_seconds)
            # Acknowledgements queued in the same moment (a burst) go out as one batch: a
            # batch costs a fraction of a mail each, a lone mail several times that. A short
            # gather, over as soon as processing has settled: the last of a burst, or a
            # lone acknowledgement, does not wait for mail that is not coming.
            await _pause(stop, settled, GATHER_SECONDS)
    finally:
        try:
            if unrecorded:
                await store.run(record_outcomes, unrecorded)
        finally:
            await store.close()


async def _woken(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> bool:
    """Whether `wake` is set within `seconds` (False at once without one)."""
    if wake is None:
        return False
    await _pause(stop, wake, seconds)
    return wake.is_set()


async def _pause(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    if stop.is_set() or (wake is not None and wake.is_set()):
        return      # in a burst the wake is mostly set already: no tasks to start and cancel
    waits = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waits.append(asyncio.ensure_future(wake.wait()))
    _, pending = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiting in pending:
        waiting.cancel()


async def send_due(settings: Settings, store: StoreThread | Database, *,
                   now: datetime | None = None) -> int:
    """Attempt one batch of due mail, each mail once; returns how many were delivered.

    `now` (real time by default) decides which retries are due. `store` is the sender's
    StoreThread, or a Database used inline (tests and tools calling this once).
    """
    delivered, _ = await _send_batch(settings, _in_store(store), now or datetime.now(UTC))
    return delivered


async def _send_batch(settings: Settings, in_store: InStore, now: datetime, *,
                      recording: list[Outcome] | None = None) -> tuple[int, list[Outcome]]:
    """As `send_due`, with `recording` (the last batch's outcomes) recorded by the claim; when
    given, a whole batch of .eml files returns its outcomes unrecorded, for the next claim:
    (mails delivered, outcomes left to record)."""
    unrecorded: list[Outcome] = []
    if settings.relay_host:
        lease = RELAY_LEASE
        batch = await in_store(claim_due, now, now + lease, BATCH_SIZE, recording or ())
        if not batch:
            return 0, []
        last_start = time.monotonic() + (lease - timedelta(seconds=RELAY_TIMEOUT_SECONDS)
                                         ).total_seconds()
        tried, delivered = await _relay_batch(settings, in_store, batch, now, last_start)
    else:
        lease = MAILDIR_LEASE
        batch, outcomes = await in_store(_claim_and_write, settings.outbox_dir, now,
                                         recording or ())
        if not batch:
            return 0, []
        tried, delivered = len(outcomes), sum(outcome.error is None for outcome in outcomes)
        if recording is not None and tried == len(batch):
            unrecorded = outcomes
        else:
            await in_store(record_outcomes, outcomes)
    # Claimed but not tried: the lease would have run out during the attempt.
    if tried < len(batch):
        await in_store(hand_back, batch[tried:], now, now + lease)
    return delivered, unrecorded


def _claim_and_write(db: Database, outbox_dir: Path, now: datetime,
                     recording: Sequence[Outcome]) -> tuple[list[OutgoingMail], list[Outcome]]:
    """Claim a batch, then write it as .eml files (`write_batch`), in one trip to the store's
    thread: one hop a batch, not two. The claim commits before the first file is written."""
    batch = claim_due(db, now, now + MAILDIR_LEASE, BATCH_SIZE, recording)
    if not batch:
        return batch, []
    last_start = time.monotonic() + (MAILDIR_LEASE - MAILDIR_ATTEMPT).total_seconds()
    return batch, write_batch(outbox_dir, batch, now, last_start)


async def _relay_batch(settings: Settings, in_store: InStore, batch: list[OutgoingMail],
                       now: datetime, last_start: float) -> tuple[int, int]:
    """Send the batch over one relay connection until `last_start`; (mails tried, delivered)."""
    relay = RelaySession(settings)
    # A late commit can send a relayed mail twice (after a crash): outcomes are committed as
    # they come in.
    outcomes = _Outcomes(in_store)
    tried = 0
    try:
        for mail in batch:
            if time.monotonic() > last_start:
                break
            tried += 1
            outcomes.add(await _relay_one(relay, mail, now))
    finally:
        await relay.quit()
        await outcomes.flush()
    return tried, outcomes.delivered


def _in_store(store: StoreThread | Database) -> InStore:
    if isinstance(store, StoreThread):
        return store.run

    async def inline(fn: Callable[..., T], *args: Any) -> T:
        return fn(store, *args)
    return inline


class _Outcomes:
    """A relayed batch's outcomes, committed in the background while the next mails go out:
    each commit takes every outcome that came in since the one before, so a burst still costs
    a few transactions, and a relayed mail is marked one commit after its 250, not at the end
    of the batch."""

    def __init__(self, in_store: InStore) -> None:
        self._in_store = in_store
        self._waiting: list[Outcome] = []
        self._commit: asyncio.Future[None] | None = None
        self.delivered = 0

    def add(self, outcome: Outcome) -> None:
        """Queue `outcome` for a commit; raises if an earlier commit failed, so a batch stops
        sending what it could not record."""
        self._waiting.append(outcome)
        self.delivered += outcome.error is None
        if self._commit is None or self._commit.done():
            if self._commit is not None:
                self._commit.result()
            self._start()

    def _start(self) -> None:
        batch, self._waiting = self._waiting, []
        self._commit = asyncio.ensure_future(self._in_store(record_outcomes, batch))

    async def flush(self) -> None:
        """Commit what is waiting; returns once every outcome is committed."""
        if self._commit is None and self._waiting:
            self._start()
        while self._commit is not None:
            await self._commit
            self._commit = None
            if self._waiting:
                self._start()


def _safe_recipients(mail: OutgoingMail, now: datetime) -> list[str] | Outcome:
    """The mail's recipients checked again right before sending (the row may come from any
    writer of the outbox), or the outcome that refuses it."""
    checked = {address: valid_reply_address(address) for address in mail.recipients}
    unsafe = [address for address, valid in checked.items() if valid is None]
    if not checked or unsafe:
        return Outcome(mail.id, now, f"not sent: unsafe recipient address {unsafe!r}")
    return [valid for valid in checked.values() if valid]


async def _relay_one(relay: RelaySession, mail: OutgoingMail, now: datetime) -> Outcome:
    """One delivery attempt through the relay, and what it came to."""
    recipients = _safe_recipients(mail, now)
    if isinstance(recipients, Outcome):
        return recipients
    try:
        await relay.send(mail, recipients)
    except PermanentFailure as exc:
        return Outcome(mail.id, now, str(exc))
    except Exception as exc:  # any other failure is retried, so one bad row never stalls the rest
        return _will_retry(mail, now, exc)
    return Outcome(mail.id, datetime.now(UTC))


def write_batch(outbox_dir: Path, batch: list[OutgoingMail], now: datetime,
                last_start: float) -> list[Outcome]:
    """Write the batch's mails as .eml files (intake/maildir.py), each put in place before
    `last_start` (monotonic time); returns the outcomes of the mails tried, in order (a prefix
    of the batch). Blocking: run in a thread, before the outcomes are committed."""
    checked = [(mail, _safe_recipients(mail, now)) for mail in batch]
    to_write = [mail for mail, safe in checked if not isinstance(safe, Outcome)]
    written = dict(zip((mail.id for mail in to_write),
                       write_emls(outbox_dir, to_write, last_start=last_start), strict=False))
    outcomes: list[Outcome] = []
    for mail, safe in checked:
        if isinstance(safe, Outcome):
            outcomes.append(safe)
        elif mail.id not in written:
            break   # not tried: handed back
        elif (error := written[mail.id]) is not None:
            outcomes.append(_will_retry(mail, now, error))
        else:
            outcomes.append(Outcome(mail.id, datetime.now(UTC)))
    return outcomes


def _will_retry(mail: OutgoingMail, now: datetime, exc: Exception) -> Outcome:
    log.warning("outbox mail %s not delivered: %s", mail.dedupe_key, exc)
    return Outcome(mail.id, now, _describe(exc), next_attempt(mail, now))


def next_attempt(mail: OutgoingMail, now: datetime) -> datetime | None:
    """When to try again after a failed attempt, or None once the mail is a day old."""
    if now - mail.created_at >= GIVE_UP_AFTER:
        return None
    wait = BACKOFF_SECONDS[min(mail.attempts, len(BACKOFF_SECONDS) - 1)]
    return now + timedelta(seconds=wait)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
