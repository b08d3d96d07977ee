"""The edge's writer commits messages that arrive together in one transaction (one fsync): all
of them are stored, each as itself, or none is and each sender gets the failure (a 451)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from intake.message_writer import MessageWriter
from store.db import Database
from store.messages import add_raw, get_message

TOGETHER = 8


def _raw(number: int) -> bytes:
    return (f"From: officer{number}@leeds.gov.uk\r\nSubject: return {number}\r\n"
            f"Message-ID: <{number}@leeds.gov.uk>\r\n\r\nour return\r\n").encode()


def _fields(number: int) -> dict:
    return {"message_id": f"<{number}@leeds.gov.uk>", "mail_from": f"officer{number}@leeds.gov.uk",
            "rcpt_to": ["returns@example.gov.uk"], "collection_time": datetime(2020, 5, 28, 12)}


async def _store_together(writer: MessageWriter, numbers: range) -> list:
    return await asyncio.gather(*(writer.store(_raw(n), **_fields(n)) for n in numbers),
                                return_exceptions=True)


async def test_messages_arriving_together_are_each_stored_once_in_order(settings, db):
    writer = MessageWriter(settings.returns_db)
    try:
        results = await _store_together(writer, range(TOGETHER))
        again = await _store_together(writer, range(2))     # the same two, delivered twice
    finally:
        await writer.close()
    ids = [stored.id for stored, is_new in results]
    assert all(is_new for _, is_new in results) and ids == sorted(set(ids))
    for number, (stored, _) in enumerate(results):
        kept = get_message(db, stored.id)
        assert kept is not None and kept.raw == _raw(number) and kept.ref == stored.ref
    assert [(stored.id, is_new) for stored, is_new in again] == [(ids[0], False), (ids[1], False)]


async def test_a_failure_in_a_group_fails_every_message_in_it_and_stores_none(settings,
                                                                             db: Database):
    def fails_on_the_third(database: Database, raw: bytes, **fields) -> object:
        if b"return 2\r\n" in raw:
            raise OSError(28, "No space left on device")
        return add_raw(database, raw, **fields)

    writer = MessageWriter(settings.returns_db, store=fails_on_the_third)
    try:
        results = await _store_together(writer, range(TOGETHER))
        [(later, is_new)] = await _store_together(writer, range(TOGETHER, TOGETHER + 1))
    finally:
        await writer.close()
    assert all(isinstance(result, OSError) for result in results)
    assert is_new and db.execute("SELECT id FROM messages").fetchall() == [(later.id,)]


@pytest.mark.parametrize("senders", [1, TOGETHER])
async def test_close_waits_for_the_commit_under_way(settings, db, senders):
    writer = MessageWriter(settings.returns_db)
    storing = asyncio.ensure_future(_store_together(writer, range(senders)))
    await asyncio.sleep(0)      # the stores are waiting for their commit
    await writer.close()
    assert len(await storing) == senders
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == senders
