"""A relay that takes the connection but never answers costs each batch one timeout, then the
batch's other mails fail at once and are retried later; a relay that answers again delivers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from intake.relay import RelaySession
from store.outbox import OutgoingMail
from tests.smtp_helpers import RecordingRelay, start_relay

TIMEOUT = 0.5


def _mail(number: int) -> OutgoingMail:
    return OutgoingMail(id=number, kind="ack", dedupe_key=f"ack:CHR-{number:06d}",
                        recipients=("jo.bloggs@leeds.gov.uk",),
                        raw=b"Subject: received\r\n\r\nthank you\r\n", attempts=0,
                        created_at=datetime.now(UTC), message_id=number, la_code=None)


@asynccontextmanager
async def _silent_relay() -> AsyncIterator[int]:
    """A port that accepts connections and reads what comes, but never sends a greeting."""
    connections: list[asyncio.StreamWriter] = []

    async def say_nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await reader.read()

    server = await asyncio.start_server(say_nothing, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in connections:
            writer.close()
            await writer.wait_closed()
        await server.wait_closed()


async def test_a_relay_that_never_answers_costs_a_batch_one_timeout(settings):
    async with _silent_relay() as port:
        session = RelaySession(settings.model_copy(update={"relay_host": "127.0.0.1", "relay_port": port}),
                               timeout_seconds=TIMEOUT)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await session.send(_mail(1), ["jo.bloggs@leeds.gov.uk"])
        first = time.monotonic() - started
        with pytest.raises(TimeoutError):       # the rest of the batch: no second wait
            await session.send(_mail(2), ["jo.bloggs@leeds.gov.uk"])
        second = time.monotonic() - started - first
        await session.quit()
    assert TIMEOUT * 0.9 <= first < TIMEOUT * 10
    assert second < TIMEOUT


async def test_a_relay_that_answers_gets_the_mail(settings):
    relay = RecordingRelay()
    server = await start_relay(relay)
    port = server.sockets[0].getsockname()[1]
    session = RelaySession(settings.model_copy(update={"relay_host": "127.0.0.1", "relay_port": port}),
                           timeout_seconds=TIMEOUT * 20)
    try:
        await session.send(_mail(1), ["jo.bloggs@leeds.gov.uk"])
        await session.quit()
    finally:
        server.close()
        await server.wait_closed()
    assert [envelope.rcpt_tos for envelope in relay.received] == [["jo.bloggs@leeds.gov.uk"]]
