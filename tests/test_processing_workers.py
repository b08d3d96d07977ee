"""Processing runs in the sandbox workers, apart from the SMTP edge: what that means for a
message that cannot be recorded, and for the processes an operator sees."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bench.process_tree import descendants
from intake.dispatch import MAX_ATTEMPTS
from intake.reading.sandbox import WORKER_NAME, WORKER_NICENESS
from intake.service import IntakeService
from store.db import open_db
from tests import hostile_files as hostile
from tests.hostile_files import LEEDS_SENDER, dispositions, query, until
from tests.smtp_helpers import send_message


async def _start(settings, collection) -> IntakeService:
    service = IntakeService(settings.model_copy(update={"smtp_port": 0}), collection,
                            retry_seconds=0.05)
    await service.start()
    return service


async def test_a_return_that_cannot_be_recorded_is_retried_then_kept_for_a_person(
        settings, collection):
    # The store refuses every new submission, as a store with a broken table would.
    open_db(settings.returns_db).execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON submissions "
        "BEGIN SELECT RAISE(ABORT, 'submissions table unavailable'); END")
    service = await _start(settings, collection)
    try:
        sent = await send_message(service.port, hostile.return_mail(), mail_from=LEEDS_SENDER)
        await until(lambda: query(settings.returns_db, "SELECT COUNT(*) FROM messages "
                                  "WHERE disposition IS NOT NULL") == [(1,)], timeout=60)
    finally:
        await service.stop()
    assert sent.data is not None and sent.data.code == 250
    [(disposition, reason)] = dispositions(settings.returns_db).values()
    assert disposition == "quarantined"
    assert "could not be processed automatically" in reason and "kept for a person" in reason
    assert query(settings.returns_db, "SELECT attempts FROM messages") == [(MAX_ATTEMPTS,)]
    assert query(settings.returns_db, "SELECT COUNT(*) FROM submissions") == [(0,)]
    assert query(settings.returns_db, "SELECT COUNT(*) FROM outbox") == [(0,)]


async def test_workers_are_named_and_run_below_the_smtp_edge(settings, collection):
    service = await _start(settings, collection)
    try:
        await send_message(service.port, hostile.return_mail(), mail_from=LEEDS_SENDER)
        await until(lambda: bool(_workers()), timeout=30)
        await asyncio.wait_for(service.idle.wait(), 30)
    finally:
        await service.stop()
    edge = os.getpriority(os.PRIO_PROCESS, 0)
    for pid in _workers():
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(edge + WORKER_NICENESS, 19)


def _workers() -> list[int]:
    """This process's descendants named as processing workers."""
    return [pid for pid in descendants(os.getpid()) if _name(pid) == WORKER_NAME]


def _name(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/comm").read_bytes().strip()
    except OSError:     # gone since it was listed
        return b""
