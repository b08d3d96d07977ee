"""Faults, each ending with nothing lost and the service working: storage failures at the SMTP
edge, a client that hangs up after the final dot, the relay down and back up, a transient lock
while a message is processed, and SIGKILL of the intake process mid-burst, again and again.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sqlite3
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intake.message_writer import MessageWriter
from intake.outgoing import BACKOFF_SECONDS, send_due
from intake.samples.returns import make_sample_returns
from intake.samples.sending import send_samples
from store.db import open_db
from store.lean_sqlite_utils import Database
from tests import hostile_files as hostile
from tests.hostile_files import (
    LEEDS_SENDER,
    ack_files,
    dispositions,
    intake_service,
    query,
    refs_in,
    return_mail,
    settled,
    until,
)
from tests.smtp_helpers import INBOX, RecordingRelay, running_intake, send_message, start_relay

INTERNALS = re.compile(r"sqlite|database|disk|locked|readonly|Error|Traceback|\.py", re.I)


# --- storage faults at the SMTP edge ----------------------------------------------------------


class FaultySwitch:
    """Opens the store as the intake does, with a fault while `on` is set."""

    def __init__(self, fault: str) -> None:
        self.fault = fault
        self.on = True

    def connect(self, path: Path) -> Database:
        if not self.on:
            return open_db(path)
        if self.fault == "read-only file":
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            return Database(conn)
        db = open_db(path)
        if self.fault == "disk full":
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages + 2}")
        elif self.fault == "locked past the busy timeout":
            db.execute("PRAGMA busy_timeout = 200")
            db.conn.execute("PRAGMA busy_timeout = 200")
        return db


def hold_exclusive_lock(path: Path, release: threading.Event, taken: threading.Event) -> None:
    """Another process's writer: hold the store's write lock until `release`."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    taken.set()
    release.wait(60)
    conn.execute("ROLLBACK")
    conn.close()


@pytest.mark.parametrize("fault", ["disk full", "locked past the busy timeout", "read-only file"])
async def test_a_storage_fault_is_answered_451_and_the_retry_succeeds(settings, db, fault):
    switch = FaultySwitch(fault)
    writer = MessageWriter(settings.returns_db, connect=switch.connect)
    release, taken = threading.Event(), threading.Event()
    raw = return_mail(attachments=[("template.xlsx", hostile.template_xlsx()),
                                   ("scan.pdf", b"%PDF-1.4 " + bytes(200_000))])
    async with running_intake(settings, writer=writer) as intake:
        if fault == "locked past the busy timeout":
            threading.Thread(target=hold_exclusive_lock, args=(settings.returns_db, release,
                                                             taken)).start()
            assert await asyncio.to_thread(taken.wait, 10)
        during = await send_message(intake.port, raw, mail_from=LEEDS_SENDER)
        switch.on = False
        release.set()
        after = await send_message(intake.port, raw, mail_from=LEEDS_SENDER)
    assert during.data is not None and during.data.code == 451
    assert not INTERNALS.search(during.data.message), during.data.message
    assert after.data is not None and after.data.code == 250
    assert list(dispositions(settings.returns_db)) == refs_in(after.data.message)


# --- the client, the relay and the store misbehave around a running service -------------------


async def test_a_client_that_hangs_up_after_the_dot_and_sends_again_gets_one_submission(
        settings, collection):
    raw = return_mail().replace(b"\n", b"\r\n")
    async with intake_service(settings, collection) as intake:
        reader, writer = await asyncio.open_connection("127.0.0.1", intake.port)
        await reader.readline()
        for line in (b"EHLO client.test", f"MAIL FROM:<{LEEDS_SENDER}>".encode(),
                     f"RCPT TO:<{INBOX}>".encode(), b"DATA"):
            writer.write(line + b"\r\n")
            while (await reader.readline())[3:4] == b"-":
                pass
        writer.write(raw + b".\r\n")
        await writer.drain()
        writer.transport.abort()  # gone before the 250
        await until(lambda: bool(dispositions(settings.returns_db)), 10)
        again = await send_message(intake.port, raw, mail_from=LEEDS_SENDER)
        await until(lambda: settled(settings.returns_db), 8)
    assert again.data is not None and again.data.code == 250
    [ref] = refs_in(again.data.message)
    outcome = dispositions(settings.returns_db)
    assert list(outcome) == [ref] and outcome[ref][0] == "accepted"
    assert ack_files(settings.outbox_dir) == {ref: 1}
    assert query(settings.returns_db, "SELECT COUNT(*) FROM submissions") == [(1,)]


async def test_relay_down_then_up_delivers_each_acknowledgement_once(settings, collection):
    relay, relay_port = RecordingRelay(), hostile.free_port()
    async with intake_service(settings, collection, relay_host="127.0.0.1",
                              relay_port=relay_port) as intake:
        refs = [await send_to(intake.port, sender) for sender in
                (LEEDS_SENDER, "jo.bloggs@leeds.gov.uk", "sam.jones@leeds.gov.uk")]
        await until(lambda: tried_once(settings.returns_db, 3), 30)
        db = open_db(settings.returns_db)
        try:
            later = datetime.now(UTC) + timedelta(seconds=BACKOFF_SECONDS[0] + 1)
            assert await send_due(intake.settings, db, now=later) == 0  # still down
            server = await start_relay(relay, relay_port)
            try:
                assert await send_due(intake.settings, db, now=later) == 0  # backing off
                even_later = later + timedelta(seconds=BACKOFF_SECONDS[1] + 1)
                assert await send_due(intake.settings, db, now=even_later) == 3
                # A poll now, as the service's own sender loop (running all along) makes.
                assert await send_due(intake.settings, db) == 0
                assert await send_due(intake.settings, db, now=even_later + timedelta(hours=1)) == 0
            finally:
                server.close()
                await server.wait_closed()
        finally:
            db.close()
    delivered = Counter(refs_in(e.original_content.decode(errors="replace"))[0]
                        for e in relay.received)
    assert delivered == dict.fromkeys(refs, 1)
    assert query(settings.returns_db, "SELECT DISTINCT status FROM outbox") == [("sent",)]


async def send_to(port: int, sender: str) -> str:
    exchange = await send_message(port, return_mail(sender=sender), mail_from=sender)
    assert exchange.data is not None and exchange.data.code == 250
    return refs_in(exchange.data.message)[0]


def tried_once(db_path: Path, count: int) -> bool:
    rows = query(db_path, "SELECT COUNT(*) FROM outbox WHERE attempts >= 1 AND status = 'pending'")
    return bool(rows) and rows[0][0] == count


@pytest.mark.soak
async def test_a_store_locked_while_processing_delays_but_does_not_strand_a_message(
        settings, collection):
    release, taken = threading.Event(), threading.Event()
    slow_to_read = return_mail(attachments=[("return.xlsx", hostile.zip_bomb_xlsx())])
    async with intake_service(settings, collection) as intake:
        ref = await send_to_raw(intake.port, slow_to_read)
        locker = threading.Thread(target=hold_exclusive_lock,
                                  args=(settings.returns_db, release, taken))
        locker.start()
        assert await asyncio.to_thread(taken.wait, 10)
        await asyncio.sleep(12)  # past the store's 10 s busy timeout
        release.set()
        await until(lambda: settled(settings.returns_db), 30)
        second = await send_to(intake.port, "jo.bloggs@leeds.gov.uk")
        await until(lambda: settled(settings.returns_db), 30)
    outcome = dispositions(settings.returns_db)
    assert outcome[ref][0] and outcome[second][0] == "accepted"


async def send_to_raw(port: int, raw: bytes) -> str:
    exchange = await send_message(port, raw, mail_from=LEEDS_SENDER)
    assert exchange.data is not None and exchange.data.code == 250
    return refs_in(exchange.data.message)[0]


# --- SIGKILL of the intake process mid-burst, repeated ------------------------------------------

BURST = 500
TRIALS = 10


@pytest.mark.soak
async def test_sigkill_at_random_moments_in_a_500_message_burst(tmp_path, collection):
    samples = hostile.renumbered(make_sample_returns(60, seed=5, collection=collection), BURST)
    rng = random.Random(2020)
    for trial in range(TRIALS):
        await one_kill(tmp_path / f"trial{trial}", samples, kill_after=rng.randrange(1, BURST - 50))


async def one_kill(tmp_path: Path, samples, kill_after: int) -> None:
    """Kill the intake once `kill_after` messages are stored; restart; check every 250."""
    tmp_path.mkdir()
    port = hostile.free_port()
    intake = hostile.start_intake_process(tmp_path, port)
    try:
        await until(lambda: hostile.listening(port), 30)
        burst = asyncio.create_task(send_samples(samples, "127.0.0.1", port, concurrency=8,
                                                 timeout=10))
        await until(lambda: stored(tmp_path) >= kill_after, 300)
        intake.send_signal(signal.SIGKILL)
        intake.wait(10)
        report = await burst
        accepted = {refs_in(d.text)[0] for d in report.deliveries if d.accepted}
        intake = hostile.start_intake_process(tmp_path, port)
        await until(lambda: hostile.listening(port), 30)
        await until(lambda: settled(tmp_path / "returns.db"), 600, poll=0.2)
    finally:
        intake.terminate()
        intake.wait(10)
    assert 0 < len(accepted) < BURST, f"kill after {kill_after} interrupted nothing"
    hostile.assert_nothing_lost_and_answered_once(tmp_path / "returns.db",
                                                  tmp_path / "data" / "outbox", accepted)


def stored(tmp_path: Path) -> int:
    rows = query(tmp_path / "returns.db", "SELECT COUNT(*) FROM messages")
    return rows[0][0] if rows else 0
