"""The SMTP edge, driven by a real client against the real server on an ephemeral port."""

from __future__ import annotations

import asyncio
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from intake.message_writer import MessageWriter
from intake.server import MAX_RECIPIENTS, header_summary
from store.lean_sqlite_utils import Database
from store.messages import add_raw, get_by_ref, get_message
from tests.conftest import SHARED
from tests.smtp_helpers import INBOX, greeting, running_intake, send_message, wait_for


def make_raw(subject: str = "Care home return - Leeds", *, message_id: str = "<r1@leeds.gov.uk>",
             body: str = "Please find our return attached.") -> bytes:
    lines = ["From: Jo Bloggs <jo.bloggs@leeds.gov.uk>", f"To: {INBOX}", f"Subject: {subject}",
             "Date: Thu, 28 May 2020 11:00:00 +0100"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    return ("\r\n".join([*lines, "", body, ""])).encode()


def stored_count(db: Database) -> int:
    return db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]


async def test_accepts_stores_exact_bytes_and_quotes_the_reference(settings, db):
    stored_ids: list[int] = []
    raw = make_raw("=?utf-8?q?Return_=E2=80=93_Leeds?=")
    async with running_intake(settings, on_stored=stored_ids.append) as intake:
        exchange = await send_message(intake.port, raw)
    assert exchange.data is not None and exchange.data.code == 250
    assert len(stored_ids) == 1
    message = get_message(db, stored_ids[0])
    assert message is not None
    assert message.ref in exchange.data.message and message.ref.startswith("CHR-")
    assert message.raw == raw
    assert message.message_id == "<r1@leeds.gov.uk>"
    assert message.mail_from == "returns@leeds.gov.uk"
    assert message.rcpt_to == (INBOX,)
    row = db.execute("SELECT subject, from_header FROM messages").fetchone()
    assert row == ("Return \u2013 Leeds", "Jo Bloggs <jo.bloggs@leeds.gov.uk>")


async def test_unknown_recipient_is_refused_with_550(settings, db):
    async with running_intake(settings) as intake:
        exchange = await send_message(intake.port, make_raw(), rcpt_to=("someone@else.org",))
    assert exchange.rcpts[0].code == 550
    assert exchange.data is None
    assert stored_count(db) == 0


async def test_inbox_address_matches_whatever_its_case(settings, db):
    async with running_intake(settings) as intake:
        exchange = await send_message(intake.port, make_raw(), rcpt_to=(INBOX.upper(),))
    assert exchange.data is not None and exchange.data.code == 250


async def test_too_many_recipients_get_452(settings, db):
    inboxes = tuple(f"inbox{n}@communities.gov.uk" for n in range(MAX_RECIPIENTS + 1))
    settings = settings.model_copy(update={"inbox_addresses": inboxes})
    async with running_intake(settings) as intake:
        exchange = await send_message(intake.port, make_raw(), rcpt_to=inboxes)
    assert [reply.code for reply in exchange.rcpts] == [250] * MAX_RECIPIENTS + [452]
    assert exchange.data is not None and exchange.data.code == 250


async def test_oversize_message_gets_552_and_server_keeps_serving(settings, db):
    settings = settings.model_copy(update={"max_message_bytes": 20_000})
    big = make_raw(body="x" * 70 + ("\r\n" + "x" * 70) * 400)
    async with running_intake(settings) as intake:
        oversize = await send_message(intake.port, big)
        declared = await send_message(intake.port, big, mail_options=("SIZE=30000",))
        normal = await send_message(intake.port, make_raw())
    assert oversize.data is not None and oversize.data.code == 552
    assert declared.mail.code == 552
    assert normal.data is not None and normal.data.code == 250
    assert stored_count(db) == 1


async def test_duplicate_delivery_is_stored_once_and_handed_on_until_processed(settings, db):
    stored_ids: list[int] = []
    raw = make_raw()
    async with running_intake(settings, on_stored=stored_ids.append) as intake:
        first = await send_message(intake.port, raw)
        again = await send_message(intake.port, raw)
        changed = await send_message(intake.port, make_raw(body="A corrected return."))
    assert first.data is not None and again.data is not None and changed.data is not None
    assert first.data.message == again.data.message
    assert changed.data.message != first.data.message
    assert stored_count(db) == 2
    # The copy of a message not processed yet is handed on again (processing is idempotent):
    # its first hand-over may have died with the sender's session.
    assert stored_ids == [1, 1, 2]


async def test_message_without_message_id_or_with_null_sender_is_stored(settings, db):
    stored_ids: list[int] = []
    async with running_intake(settings, on_stored=stored_ids.append) as intake:
        exchange = await send_message(intake.port, make_raw(message_id=""), mail_from="")
    assert exchange.data is not None and exchange.data.code == 250
    message = get_message(db, stored_ids[0])
    assert message is not None and message.message_id == "" and message.mail_from == ""


async def test_read_only_store_gives_451_without_internals(settings, db):
    def read_only(path: Path) -> Database:
        return Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))

    writer = MessageWriter(settings.returns_db, connect=read_only)
    async with running_intake(settings, writer=writer) as intake:
        exchange = await send_message(intake.port, make_raw())
    assert exchange.data is not None
    assert exchange.data.code == 451
    assert "readonly" not in exchange.data.message.lower()
    assert stored_count(db) == 0


async def test_store_failure_gives_451_then_the_retry_is_accepted(settings, db):
    calls: list[int] = []

    def fails_once(database: Database, raw: bytes, **fields):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device: '/srv/secret/returns.db'")
        return add_raw(database, raw, **fields)

    writer = MessageWriter(settings.returns_db, store=fails_once)
    stored_ids: list[int] = []
    async with running_intake(settings, writer=writer, on_stored=stored_ids.append) as intake:
        failed = await send_message(intake.port, make_raw())
        retried = await send_message(intake.port, make_raw())
    assert failed.data is not None and failed.data.code == 451
    assert "secret" not in failed.data.message and "space" not in failed.data.message
    assert retried.data is not None and retried.data.code == 250
    assert len(stored_ids) == 1


async def test_async_on_stored_runs_after_the_reply(settings, db):
    processed: list[int] = []

    async def process(row_id: int) -> None:
        await asyncio.sleep(0)
        processed.append(row_id)

    async with running_intake(settings, on_stored=process) as intake:
        await send_message(intake.port, make_raw())
        await wait_for(lambda: len(processed) == 1)


async def test_failing_on_stored_does_not_change_the_250(settings, db):
    def broken(row_id: int) -> None:
        raise RuntimeError("processing bug")

    async with running_intake(settings, on_stored=broken) as intake:
        exchange = await send_message(intake.port, make_raw())
    assert exchange.data is not None and exchange.data.code == 250
    assert stored_count(db) == 1


async def test_connections_over_the_cap_get_421(settings, db):
    async with running_intake(settings, max_sessions=2) as intake:
        held = [await asyncio.open_connection("127.0.0.1", intake.port) for _ in range(2)]
        for reader, _ in held:
            assert (await reader.readline()).startswith(b"220")
        assert (await greeting(intake.port)).code == 421
        for _, writer in held:
            writer.close()
            await writer.wait_closed()
        codes = [(await greeting(intake.port)).code]
        while codes[-1] != 220 and len(codes) < 100:  # until the server has seen the hang-ups
            await asyncio.sleep(0.01)
            codes.append((await greeting(intake.port)).code)
        assert codes[-1] == 220


async def test_oversize_data_is_discarded_as_it_arrives(settings, db):
    """aiosmtpd drops the lines past the limit instead of buffering the whole message."""
    settings = settings.model_copy(update={"max_message_bytes": 50_000})
    line = b"z" * 998 + b"\r\n"
    async with running_intake(settings) as intake:
        reader, writer = await asyncio.open_connection("127.0.0.1", intake.port)
        await reader.readline()  # the greeting
        for command in (b"EHLO client.test", b"MAIL FROM:<a@leeds.gov.uk>", f"RCPT TO:<{INBOX}>".encode(), b"DATA"):
            writer.write(command + b"\r\n")
            while (await reader.readline())[3:4] == b"-":
                pass
        tracemalloc.start()
        try:
            for _ in range(4_000):  # 4 MB, 80 times the limit
                writer.write(line)
                await writer.drain()
            writer.write(b".\r\n")
            reply = await reader.readline()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        writer.close()
        await writer.wait_closed()
    assert reply.startswith(b"552")
    assert peak < 1_000_000
    assert stored_count(db) == 0


async def test_long_lines_are_accepted_not_refused(settings, db):
    raw = make_raw(body="y" * 5000)
    async with running_intake(settings) as intake:
        exchange = await send_message(intake.port, raw)
    assert exchange.data is not None and exchange.data.code == 250


async def test_a_large_message_with_bare_lf_line_ends_is_stored_as_sent(settings, db):
    # smtplib sends bytes as given: `sendmail(..., msg.as_bytes())` puts bare LF on the wire,
    # which aiosmtpd sees as one line as long as the whole message.
    raw = make_raw(body="\n".join(["x" * 76] * 4000)).replace(b"\r\n", b"\n")
    assert len(raw) > 300_000 and b"\r" not in raw
    async with running_intake(settings) as intake:
        exchange = await send_message(intake.port, raw)
    assert exchange.data is not None and exchange.data.code == 250
    stored = db.execute("SELECT raw FROM message_raw").fetchone()[0]
    assert stored.rstrip(b"\r\n") == raw.rstrip(b"\n")


def test_header_summary_never_raises_on_broken_headers():
    assert header_summary(b"") == ("", "", "")
    assert header_summary(b"\xff\xfe\x00garbage") == ("", "", "")
    message_id, subject, sender = header_summary(
        b"Subject: =?bogus-charset?q?x?= \xe9t\xe9\r\n folded\r\nFrom: =?utf-8?b?!!!?=\r\n"
        b"Message-ID:\r\n  <a@b>\r\n\r\nbody"
    )
    assert message_id == "<a@b>"
    assert "folded" in subject and "\n" not in subject
    assert isinstance(sender, str)


BOUNCES = SHARED / "corpora" / "bounces"


@pytest.mark.skipif(not BOUNCES.is_dir(), reason="bounce corpus not present")
async def test_real_bounces_replayed_with_null_sender_are_all_stored(settings, db):
    # dos/ and mac/ hold the same messages with other line ends: take different ones of each.
    files = sorted((BOUNCES / "dos").glob("*.eml"))[:20] + sorted((BOUNCES / "mac").glob("*.eml"))[-10:]
    async with running_intake(settings) as intake:
        for path in files:
            # A sending MTA puts every message on the wire with CRLF line ends.
            raw = b"\r\n".join(path.read_bytes().splitlines()) + b"\r\n"
            exchange = await send_message(intake.port, raw, mail_from="")
            assert exchange.data is not None and exchange.data.code == 250, path.name
            # Some files of the corpus are the same message: those are stored once.
            stored = get_by_ref(db, exchange.data.message.rsplit(" ", 1)[-1])
            assert stored is not None and stored.raw == raw and stored.mail_from == ""
