"""Processing of stored mail: each message handed (by row id) to a sandbox worker that reads,
decides and records it (intake/worker.py), failures retried then kept for a person, and the
outbox sender delivering what was queued.

The `Dispatcher` runs beside the SMTP edge in one event loop (intake/service.py, as the tests
run it) or in a process of its own fed row ids by the edge (intake/apart.py, as production runs
it). Messages stored but not processed (a crash, a restart) are picked up at start.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Coroutine
from typing import Any

from intake.outgoing import run_sender
from intake.reading.sandbox import WORKERS, ReadingFailed, default_sandbox
from intake.worker import (
    Processed,
    ProcessingFailed,
    pack_job,
    process_in_worker,
    record_unreadable,
)
from store.collection import Collection
from store.db import Database
from store.messages import count_attempt, disposition_of, set_disposition, unprocessed_ids
from store.settings import Settings
from store.thread import StoreThread
from store.transactions import immediate

log = logging.getLogger(__name__)

SENDER_POLL_SECONDS = 2.0  # for retries and mail queued by other processes (chasers)
RETRY_SECONDS = 5.0     # times the attempt number: a locked store usually clears in seconds
MAX_ATTEMPTS = 3


class Dispatcher:
    """Processes stored messages and sends the outbox until `stop()`.

    Each sandbox worker has a hand-over thread of its own for the dispatcher's life: it takes
    the next row id, waits on its worker, and hands the outcome to the event loop, one hop a
    message (a thread borrowed from the loop's executor per call cost three).
    """

    def __init__(self, settings: Settings, collection: Collection, *,
                 retry_seconds: float = RETRY_SECONDS) -> None:
        self.settings = settings
        self.collection = collection
        self._retry_seconds = retry_seconds
        # Workers may run from another directory: they get the store's full path.
        self._job = pack_job(settings.model_copy(
            update={"returns_db": settings.returns_db.resolve()}), collection)
        self._rows: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._hands: list[threading.Thread] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._store = StoreThread(settings.returns_db, name="dispatch")
        self._stop = asyncio.Event()
        self._mail_queued = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.idle = asyncio.Event()   # set whenever nothing is queued, processing or waiting
        self._unsettled = 0           # queued, in a worker, or being settled
        self._retrying: set[int] = set()

    async def start(self) -> None:
        """Queue the messages left unprocessed, then start the hand-over threads and the sender."""
        self._loop = asyncio.get_running_loop()
        for row_id in await self._store.run(unprocessed_ids):
            self.enqueue(row_id)
        self._update_idle()
        self._hands = [threading.Thread(target=self._hand_over, name=f"hand-over-{n}",
                                        daemon=True) for n in range(WORKERS)]
        for hand in self._hands:
            hand.start()
        self._keep(run_sender(self.settings, stop=self._stop, wake=self._mail_queued,
                              settled=self.idle, poll_seconds=SENDER_POLL_SECONDS))

    async def stop(self) -> None:
        """Stop at once; a message in hand stays unprocessed (or recorded) for the next start."""
        self._stop.set()
        for _ in self._hands:
            self._rows.put(None)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for hand in self._hands:    # each ends once its worker answers the call in hand
            await asyncio.to_thread(hand.join)
        await self._store.close()

    def enqueue(self, row_id: int) -> None:
        """Queue a stored message for processing (on the event loop)."""
        self.idle.clear()
        self._unsettled += 1
        self._rows.put(row_id)

    def _keep(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _hand_over(self) -> None:
        """A hand-over thread: each row id to a sandbox worker, its outcome to the loop."""
        sandbox = default_sandbox()
        while (row_id := self._rows.get()) is not None and not self._stop.is_set():
            try:
                outcome: Processed | Exception = sandbox.run(process_in_worker, self._job, row_id)
            except Exception as error:      # ReadingFailed: settled on the loop, as any other
                outcome = error
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(self._settle, row_id, outcome)
            except RuntimeError:    # the loop is gone (stopping): the store keeps the truth
                return

    def _settle(self, row_id: int, outcome: Processed | Exception) -> None:
        if self._stop.is_set():
            return
        if isinstance(outcome, Processed) and outcome.error is None:
            self._processed(outcome)
            self._done()
        else:   # the store is needed: settled in a task of its own
            self._keep(self._settle_failure(row_id, outcome))

    async def _settle_failure(self, row_id: int, outcome: Processed | Exception) -> None:
        try:
            await self._after_reading(row_id, outcome)
        finally:
            self._done()

    def _done(self) -> None:
        self._unsettled -= 1
        self._update_idle()

    def _update_idle(self) -> None:
        if not self._unsettled and not self._retrying:
            self.idle.set()
        else:
            self.idle.clear()

    def _processed(self, processed: Processed) -> None:
        if processed.ref:
            self._mail_queued.set()
            log.info("%s from %s: %s", processed.ref, processed.mail_from or "<>",
                     processed.disposition)

    async def _after_reading(self, row_id: int, outcome: Processed | Exception) -> None:
        """A message whose worker failed it: recorded as unreadable when its files killed or
        stalled the worker; otherwise retried after a pause, then kept for a person, so that
        no message waits for a restart."""
        try:
            if isinstance(outcome, ReadingFailed):
                outcome = await self._store.run(record_unreadable, self.settings,
                                                self.collection, row_id, outcome)
            if isinstance(outcome, Exception):
                raise outcome
            if outcome.error is not None:
                raise ProcessingFailed(outcome.error)
        except Exception as error:
            log.exception("processing message %d failed", row_id)
            await self._after_failure(row_id, error)
            return
        self._processed(outcome)

    async def _after_failure(self, row_id: int, error: Exception) -> None:
        # Counted in the store (and only there), so a message that keeps failing is given up
        # on after a few tries, restarts included. With the store out of reach the attempt is
        # not counted: it is the store's failure, not the message's.
        try:
            attempts: int | None = await self._store.run(count_attempt, row_id)
        except Exception:
            log.exception("could not count a failed attempt at message %d", row_id)
            attempts = None
        if attempts is not None and attempts >= MAX_ATTEMPTS:
            try:
                await self._store.run(give_up, row_id, type(error).__name__)
                return
            except Exception:
                log.exception("could not set message %d aside; retrying", row_id)
        self._retrying.add(row_id)
        asyncio.get_running_loop().call_later(self._retry_seconds * (attempts or 1), self._retry,
                                              row_id)

    def _retry(self, row_id: int) -> None:
        self._retrying.discard(row_id)
        self.enqueue(row_id)


def give_up(db: Database, message_id: int, error: str) -> None:
    """A message that failed processing too often is kept for a person, never dropped."""
    with immediate(db):
        if disposition_of(db, message_id) is not None:
            return
        set_disposition(db, message_id, "quarantined",
                        f"could not be processed automatically ({error}); kept for a person",
                        reply_decision="not acknowledged: processing failed")
