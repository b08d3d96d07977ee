"""One stored message processed inside a sandbox worker: read, decide and record in one call.

The intake process hands a worker only the message's row id and gets back how it ended, so the
interpreter that answers SMTP never parses a message and nothing large crosses the pipe. The
worker reads the raw message from the store itself, on a connection it keeps for its life.

A worker that dies or runs out of time on a message (a hostile file) is the reader's failure:
the caller records the message as unreadable (intake/dispatch.py). Anything that fails after
reading (the store locked past its timeout, a bug in a step) comes back as `Processed.error`
and the message stays unprocessed, to be tried again.

The pipeline and the readers are imported where they run, not at the top: the processing
process (intake/apart.py) imports this module only to name `process_in_worker` to the workers,
and would otherwise carry every step's code for nothing (the workers' forkserver preloads it).
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from intake.reading.sandbox import ReadingFailed
from store.collection import Collection
from store.db import Database, open_db
from store.messages import StoredMessage, get_message
from store.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Processed:
    """How one message ended (`disposition`), or why it could not be processed (`error`)."""

    disposition: str | None = None
    ref: str = ""
    mail_from: str = ""
    error: str | None = None


class ProcessingFailed(Exception):
    """Processing a message failed after it was read; it stays unprocessed, to be retried."""


class _Connection:
    """The worker's one store connection, reopened when a call names another store."""

    path: Path | None = None
    db: Database | None = None

    @classmethod
    def to(cls, path: Path) -> Database:
        if cls.db is None or cls.path != path:
            cls.close()
            # The intake migrated the store before it handed out any message.
            cls.db, cls.path = open_db(path, migrate=False), path
            # A worker's commit stands behind no `250` (the raw message is already durable),
            # so it need not wait for its own fsync: if power fails first, the message is
            # simply processed again. Its acknowledgement cannot have left by then: the
            # sender's claim is a synchronous=FULL commit to the same WAL file, and its fsync
            # makes this commit durable before any mail goes out.
            cls.db.execute("PRAGMA synchronous = NORMAL")
        return cls.db

    @classmethod
    def close(cls) -> None:
        db, cls.db, cls.path = cls.db, None, None
        if db is not None:
            db.close()


def pack_job(settings: Settings, collection: Collection) -> bytes:
    """The settings and collection, pickled once for every call to `process_in_worker`
    (pickling them for each message cost the SMTP edge's process a fraction of a ms each)."""
    return pickle.dumps((settings, collection))


@lru_cache(maxsize=4)
def _unpacked(job: bytes) -> tuple[Settings, Collection]:
    return pickle.loads(job)    # our own bytes, from the intake that started this worker


def process_in_worker(job: bytes, row_id: int) -> Processed:
    """Read, decide and record stored message `row_id` (`job` from `pack_job`); run in a
    sandbox worker."""
    from intake.handling import Handling
    from intake.pipeline import handle
    from intake.reading.message import read_message
    from store.context import Context

    settings, collection = _unpacked(job)
    try:
        db = _Connection.to(settings.returns_db)
        message = get_message(db, row_id)
    except Exception as error:      # the store, not the message: tried again later
        return _failed(error)
    if message is None or message.disposition is not None:
        return _already(message)
    reading = read_message(message.raw, collection)
    try:
        handled = handle(Context(db, settings, collection), Handling(message, read=reading))
    except Exception as error:      # kept for a retry: the reading itself went well
        log.exception("processing %s failed after reading", message.ref)
        return _failed(error, message.ref)
    return Processed(handled.disposition, message.ref, message.mail_from)


def _already(message: StoredMessage | None) -> Processed:
    """A message gone, or given its disposition meanwhile (a resent copy, a restart)."""
    return Processed(message.disposition if message else None)


def _failed(error: Exception, ref: str = "") -> Processed:
    _Connection.close()     # its state after a failed statement is unknown
    return Processed(ref=ref, error=f"{type(error).__name__}: {error}")


def record_unreadable(db: Database, settings: Settings, collection: Collection, row_id: int,
                      failure: ReadingFailed) -> Processed:
    """Record a message whose reading killed or stalled its worker, as the files' failure;
    run by the intake itself, on its own connection."""
    from intake.pipeline import process_stored
    from intake.reading.message import failed_reading

    message = get_message(db, row_id)
    if message is None or message.disposition is not None:
        return _already(message)
    disposition = process_stored(db, settings, collection, message,
                                 failed_reading(message.raw, failure))
    return Processed(disposition, message.ref, message.mail_from)
