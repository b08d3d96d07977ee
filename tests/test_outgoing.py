"""The outbox and its sender: each mail delivered once, to a real local relay or as a file."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aiosmtpd.smtp import SMTP, Envelope, Session

from intake.maildir import eml_name, write_emls
from intake.outgoing import (
    BACKOFF_SECONDS,
    RELAY_LEASE,
    next_attempt,
    run_sender,
    send_due,
)
from store.outbox import (
    Outcome,
    claim_due,
    due_mail,
    pending_count,
    queue_mail,
    replies_to_sender_since,
)
from store.thread import StoreThread
from store.transactions import immediate
from tests.smtp_helpers import RecordingRelay, start_relay, wait_for

COLLECTION_TIME = datetime(2020, 5, 28, 12, 0, tzinfo=UTC)


def ack_bytes(ref: str, to: str = "jo.bloggs@leeds.gov.uk") -> bytes:
    return (f"From: careandreform2@communities.gov.uk\r\nTo: {to}\r\n"
            f"Subject: Received: your return {ref}\r\nAuto-Submitted: auto-replied\r\n\r\n"
            f"We received your return {ref}.\r\n").encode()


def queue_ack(db, ref: str, to: str = "jo.bloggs@leeds.gov.uk", kind: str = "ack") -> bool:
    with immediate(db):
        return queue_mail(db, kind=kind, dedupe_key=f"{kind}:{ref}", recipients=[to],
                          raw=ack_bytes(ref, to), collection_time=COLLECTION_TIME)


def outbox_rows(db) -> list[dict]:
    return list(db.query("SELECT id, status, attempts, last_error, next_attempt_at FROM outbox"
                         " ORDER BY id"))


def with_relay(settings, port: int):
    return settings.model_copy(update={"relay_host": "127.0.0.1", "relay_port": port})


@asynccontextmanager
async def relaying(settings, relay) -> AsyncIterator:
    """`relay` served on an ephemeral port; yields `settings` that send through it."""
    server = await start_relay(relay)
    try:
        yield with_relay(settings, server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def test_queue_is_idempotent_per_decision(db):
    assert queue_ack(db, "CHR-000001")
    assert not queue_ack(db, "CHR-000001")
    assert pending_count(db) == 1
    assert [mail.dedupe_key for mail in due_mail(db, later(1), 10)] == ["ack:CHR-000001"]


async def test_replies_to_a_sender_are_counted_in_real_time(db):
    queue_ack(db, "CHR-000001", to="Jo.Bloggs@leeds.gov.uk")
    queue_ack(db, "CHR-000002")
    queue_ack(db, "CHR-000003", kind="chaser")
    queue_ack(db, "CHR-000004", to="someone.else@leeds.gov.uk")
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    assert replies_to_sender_since(db, "jo.bloggs@leeds.gov.uk", an_hour_ago) == 2
    assert replies_to_sender_since(db, "jo.bloggs@leeds.gov.uk", later(60)) == 0


async def test_without_relay_each_mail_is_one_eml_file(settings, db):
    queue_ack(db, "CHR-000001")
    queue_ack(db, "CHR-000002")
    assert await send_due(settings, db) == 2
    assert await send_due(settings, db, now=later(3600)) == 0
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert [path.read_bytes() for path in files] == [ack_bytes("CHR-000001"), ack_bytes("CHR-000002")]
    assert sorted(p.name for p in settings.outbox_dir.iterdir()) == [p.name for p in files]
    assert pending_count(db) == 0


async def test_rewriting_after_a_crash_before_marking_gives_no_second_file(settings, db):
    queue_ack(db, "CHR-000001")
    mail = due_mail(db, later(1), 10)[0]
    # Written, then the process died before mark_sent.
    write_emls(settings.outbox_dir, [mail], last_start=time.monotonic() + 60)
    assert await send_due(settings, db) == 1
    assert len(list(settings.outbox_dir.glob("*.eml"))) == 1


async def test_a_file_that_cannot_be_written_costs_only_its_mail(settings, db):
    for n in (1, 2, 3):
        queue_ack(db, f"CHR-00000{n}")
    blocked = due_mail(db, later(1), 10)[1]
    # Where the second mail's file would be written aside, something that is not a file.
    (settings.outbox_dir / f".{eml_name(blocked)}.tmp").mkdir(parents=True)
    assert await send_due(settings, db) == 2
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert [path.read_bytes() for path in files] == [ack_bytes("CHR-000001"), ack_bytes("CHR-000003")]
    [(status, attempts, error)] = [(row["status"], row["attempts"], row["last_error"])
                                   for row in outbox_rows(db) if row["id"] == blocked.id]
    assert (status, attempts) == ("pending", 1) and "IsADirectoryError" in error
    (settings.outbox_dir / f".{eml_name(blocked)}.tmp").rmdir()
    assert await send_due(settings, db, now=later(BACKOFF_SECONDS[0] + 1)) == 1
    assert len(list(settings.outbox_dir.glob("*.eml"))) == 3
    assert pending_count(db) == 0


async def test_relay_gets_each_mail_once_from_the_service_address(settings, db):
    relay = RecordingRelay()
    async with relaying(settings, relay) as settings:
        queue_ack(db, "CHR-000001")
        queue_ack(db, "CHR-000002", to="other@kent.gov.uk")
        assert await send_due(settings, db) == 2
        assert await send_due(settings, db, now=later(3600)) == 0
    assert [(e.mail_from, e.rcpt_tos) for e in relay.received] == [
        (settings.mail_from, ["jo.bloggs@leeds.gov.uk"]), (settings.mail_from, ["other@kent.gov.uk"])]
    assert relay.received[0].original_content == ack_bytes("CHR-000001")
    assert [row["status"] for row in outbox_rows(db)] == ["sent", "sent"]


async def test_relay_down_then_up_retries_with_backoff_and_delivers_once(settings, db):
    relay = RecordingRelay()
    server = await start_relay(relay)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    settings = with_relay(settings, port)
    queue_ack(db, "CHR-000001")
    queue_ack(db, "CHR-000002")

    assert await send_due(settings, db) == 0
    rows = outbox_rows(db)
    assert [(row["status"], row["attempts"]) for row in rows] == [("pending", 1)] * 2
    assert all(row["last_error"] for row in rows)
    assert await send_due(settings, db) == 0  # not before the backoff
    second_try = BACKOFF_SECONDS[0] + 1
    assert await send_due(settings, db, now=later(second_try)) == 0  # still down

    server = await start_relay(relay, port)
    try:
        # The second wait is longer than the first.
        assert await send_due(settings, db, now=later(second_try + BACKOFF_SECONDS[0] + 1)) == 0
        assert await send_due(settings, db, now=later(second_try + BACKOFF_SECONDS[1] + 1)) == 2
        assert await send_due(settings, db, now=later(7200)) == 0
    finally:
        server.close()
        await server.wait_closed()
    assert sorted(e.original_content for e in relay.received) == [
        ack_bytes("CHR-000001"), ack_bytes("CHR-000002")]
    assert [(row["status"], row["attempts"]) for row in outbox_rows(db)] == [("sent", 3)] * 2


async def test_an_address_with_a_line_break_never_reaches_the_relay(settings, db):
    relay = RecordingRelay()
    async with relaying(settings, relay) as settings:
        queue_ack(db, "CHR-000001", to="jo@leeds.gov.uk\r\nRCPT TO:<victim@example.org>")
        queue_ack(db, "CHR-000002")
        assert await send_due(settings, db) == 1
    assert [e.rcpt_tos for e in relay.received] == [["jo.bloggs@leeds.gov.uk"]]
    bad, good = outbox_rows(db)
    assert bad["status"] == "failed" and "unsafe recipient" in bad["last_error"]
    assert good["status"] == "sent"


class RefusingRelay:
    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        return "550 5.1.1 No such user"


async def test_a_permanent_refusal_is_not_retried(settings, db):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(RefusingRelay(), hostname="relay.test"),
                                      "127.0.0.1", 0)
    settings = with_relay(settings, server.sockets[0].getsockname()[1])
    try:
        queue_ack(db, "CHR-000001")
        assert await send_due(settings, db) == 0
    finally:
        server.close()
        await server.wait_closed()
    (row,) = outbox_rows(db)
    assert row["status"] == "failed" and "550" in row["last_error"]


async def test_backoff_grows_then_gives_up_after_a_day(db):
    queue_ack(db, "CHR-000001")
    mail = due_mail(db, later(1), 1)[0]
    now = datetime.now(UTC)
    waits = [(next_attempt(replace(mail, attempts=n), now) - now).total_seconds() for n in range(8)]
    assert waits == sorted(waits) and waits[0] == BACKOFF_SECONDS[0] and waits[-1] == 1800
    assert next_attempt(mail, now + timedelta(hours=24, seconds=1)) is None


async def test_a_row_is_claimed_by_one_sender_only(db):
    queue_ack(db, "CHR-000001")
    now = later(1)
    assert [mail.dedupe_key for mail in claim_due(db, now, now + RELAY_LEASE, 10)] == [
        "ack:CHR-000001"]
    assert claim_due(db, now, now + RELAY_LEASE, 10) == []
    assert due_mail(db, later(2), 10) == []


async def test_sender_loop_delivers_what_is_queued_and_stops(settings, db):
    stop = asyncio.Event()
    sender = asyncio.create_task(run_sender(settings, stop=stop, poll_seconds=0.02))
    queue_ack(db, "CHR-000001")
    await wait_for(lambda: len(list(settings.outbox_dir.glob("*.eml"))) == 1)
    stop.set()
    await asyncio.wait_for(sender, 2)
    assert pending_count(db) == 0


class SessionRelay(RecordingRelay):
    """Records which connection each mail came over; drops the connection, unanswered, on
    the mails whose numbers (from 1) are in `drop`."""

    def __init__(self, drop: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.peers: list[object] = []
        self.drop = drop
        self.seen = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.seen += 1
        if self.seen in self.drop:
            server.transport.close()
            return "421 4.4.2 closing"
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


async def test_a_batch_goes_over_one_relay_connection(settings, db):
    relay = SessionRelay()
    async with relaying(settings, relay) as settings:
        for n in range(1, 6):
            queue_ack(db, f"CHR-00000{n}")
        assert await send_due(settings, db) == 5
    assert [e.original_content for e in relay.received] == [
        ack_bytes(f"CHR-00000{n}") for n in range(1, 6)]
    assert len(set(relay.peers)) == 1
    assert [row["status"] for row in outbox_rows(db)] == ["sent"] * 5


async def test_a_dropped_relay_connection_is_reopened_and_nothing_is_sent_twice(settings, db):
    relay = SessionRelay(drop=(2,))
    async with relaying(settings, relay) as settings:
        for n in range(1, 4):
            queue_ack(db, f"CHR-00000{n}")
        assert await send_due(settings, db) == 2
        assert [(row["status"], row["attempts"]) for row in outbox_rows(db)] == [
            ("sent", 1), ("pending", 1), ("sent", 1)]
        assert await send_due(settings, db, now=later(BACKOFF_SECONDS[0] + 1)) == 1
    assert [e.original_content for e in relay.received] == [
        ack_bytes(f"CHR-00000{n}") for n in (1, 3, 2)]
    assert len(set(relay.peers)) == 3      # 1; 3 after the drop; 2 in the next batch


async def test_a_batch_is_claimed_and_recorded_in_two_transactions(settings, db):
    for n in range(1, 6):
        queue_ack(db, f"CHR-00000{n}")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        assert await send_due(settings, db) == 5
    finally:
        db.conn.set_trace_callback(None)
    assert write_transactions(statements) == 2
    assert len(list(settings.outbox_dir.glob("*.eml"))) == 5


async def test_a_claim_records_the_last_batch_in_the_same_transaction(db):
    queue_ack(db, "CHR-000001")
    now = later(1)
    [first] = claim_due(db, now, now + RELAY_LEASE, 10)
    queue_ack(db, "CHR-000002")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        claimed = claim_due(db, later(2), later(2) + RELAY_LEASE, 10, [Outcome(first.id, now)])
    finally:
        db.conn.set_trace_callback(None)
    assert [mail.dedupe_key for mail in claimed] == ["ack:CHR-000002"]
    assert write_transactions(statements) == 1
    assert [(row["status"], row["attempts"]) for row in outbox_rows(db)] == [
        ("sent", 1), ("pending", 0)]


async def test_the_sender_loop_sends_a_burst_once_each_and_records_it_all(settings, db):
    stop, wake = asyncio.Event(), asyncio.Event()
    sender = asyncio.create_task(run_sender(settings, stop=stop, wake=wake, poll_seconds=5))
    for n in range(1, 41):      # queued while batches go out, as a burst's acknowledgements
        queue_ack(db, f"CHR-{n:06d}")
        wake.set()
        await asyncio.sleep(0.002)
    await wait_for(lambda: len(list(settings.outbox_dir.glob("*.eml"))) == 40)
    stop.set()
    await asyncio.wait_for(sender, 5)
    assert [(row["status"], row["attempts"]) for row in outbox_rows(db)] == [("sent", 1)] * 40


def write_transactions(statements: list[str]) -> int:
    """How many transactions wrote: each BEGIN, and each write run on its own (autocommit)."""
    count, inside = 0, False
    for sql in statements:
        word = sql.split(None, 1)[0].upper()
        if word == "BEGIN":
            count, inside = count + 1, True
        elif word in ("COMMIT", "ROLLBACK"):
            inside = False
        elif word in ("INSERT", "UPDATE", "DELETE") and not inside:
            count += 1
    return count


async def test_the_sender_waits_for_a_locked_store_off_the_event_loop(settings, db):
    queue_ack(db, "CHR-000001")
    store = StoreThread(settings.returns_db)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    db.execute("BEGIN IMMEDIATE")       # another process holds the write lock
    try:
        sending = asyncio.create_task(send_due(settings, store))
        await asyncio.sleep(0.3)
        assert not sending.done() and ticks >= 5    # the loop kept running meanwhile
    finally:
        db.execute("COMMIT")
    try:
        assert await sending == 1
    finally:
        ticker.cancel()
        await store.close()
    assert len(list(settings.outbox_dir.glob("*.eml"))) == 1
