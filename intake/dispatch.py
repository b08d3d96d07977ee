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

from intake.outgoing import run_sender
from intake.reading.sandbox import WORKERS, ReadingFailed, run_limited
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
    """Processes stored messages and sends the outbox until `stop()`."""

    def __init__(self, settings: Settings, collection: Collection, *,
                 retry_seconds: float = RETRY_SECONDS) -> None:
        self.settings = settings
        self.collection = collection
        self._retry_seconds = retry_seconds
        # Workers may run from another directory: they get the store's full path.
        self._job = pack_job(settings.model_copy(
            update={"returns_db": settings.returns_db.resolve()}), collection)
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._store = StoreThread(settings.returns_db, name="dispatch")
        self._stop = asyncio.Event()
        self._mail_queued = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.idle = asyncio.Event()   # set whenever nothing is queued, processing or waiting
        self._busy = 0
        self._retrying: set[int] = set()

    async def start(self) -> None:
        """Queue the messages left unprocessed, then start the workers' tasks and the sender."""
        for row_id in await self._store.run(unprocessed_ids):
            self.enqueue(row_id)
        self._update_idle()
        self._tasks = [asyncio.create_task(self._work()) for _ in range(WORKERS)]
        self._tasks.append(asyncio.create_task(
            run_sender(self.settings, stop=self._stop, wake=self._mail_queued,
                       poll_seconds=SENDER_POLL_SECONDS)))

    async def stop(self) -> None:
        """Stop at once; a message in hand stays unprocessed (or recorded) for the next start."""
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._store.close()

    def enqueue(self, row_id: int) -> None:
        """Queue a stored message for processing."""
        self.idle.clear()
        self._queue.put_nowait(row_id)

    async def _work(self) -> None:
        while True:
            row_id = await self._queue.get()
            self._busy += 1
            try:
                await self.process(row_id)
            finally:
                self._busy -= 1
                self._queue.task_done()
                self._update_idle()

    def _update_idle(self) -> None:
        if self._queue.empty() and not self._busy and not self._retrying:
            self.idle.set()
        else:
            self.idle.clear()

    async def process(self, row_id: int) -> None:
        """Process one stored message; a failure is retried after a pause, then kept for a
        person, so that no message waits for a restart."""
        try:
            processed = await self._process(row_id)
            if processed.error is not None:
                raise ProcessingFailed(processed.error)
        except Exception as error:
            log.exception("processing message %d failed", row_id)
            await self._after_failure(row_id, error)
            return
        if processed.ref:
            self._mail_queued.set()
            log.info("%s from %s: %s", processed.ref, processed.mail_from or "<>",
                     processed.disposition)

    async def _process(self, row_id: int) -> Processed:
        try:
            return await run_limited(process_in_worker, self._job, row_id)
        except ReadingFailed as failure:    # the message's files killed or stalled the worker
            return await self._store.run(record_unreadable, self.settings, self.collection,
                                         row_id, failure)

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
