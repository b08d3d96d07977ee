"""Hostile input through the whole intake: real SMTP in, dispositions and acknowledgements out.

SMTP abuse (oversize, too many recipients, long lines, slow and idle sessions), a corpus of
hostile attachments read by a real `python -m intake` process (memory read from /proc),
automatic mail and reply loops, forged Authentication-Results, and addresses with line breaks.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from intake.server import MAX_RECIPIENTS, MAX_SESSIONS
from tests import hostile_files as hostile
from tests.hostile_files import (
    LEEDS_SENDER,
    ack_files,
    dispositions,
    intake_service,
    peak_memory_mb,
    refs_in,
    return_mail,
    settled,
    until,
)
from tests.smtp_helpers import INBOX, RecordingRelay, greeting, send_message, start_relay

CORPUS_SECONDS = 30
LINE_BREAKS = ("\r", "\n", "\u0085", "\u2028", "\u2029")


async def send(port: int, raw: bytes, mail_from: str = LEEDS_SENDER, **options) -> str:
    """Send one message that must be accepted; returns its reference."""
    exchange = await send_message(port, raw, mail_from=mail_from, **options)
    assert exchange.data is not None and exchange.data.code == 250, exchange
    return refs_in(exchange.data.message)[0]


async def open_idle(port: int, count: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """`count` sessions that read the greeting and then send nothing."""
    sessions = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sessions.append((reader, writer))
        assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"220")
    return sessions


async def close_all(sessions) -> None:
    for _, writer in sessions:
        writer.close()
    await asyncio.gather(*(writer.wait_closed() for _, writer in sessions), return_exceptions=True)


async def greeted_again(port: int) -> None:
    """Return once a new session is greeted with 220: the server has noticed closed ones."""
    while (await greeting(port)).code != 220:
        pass


async def command(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: bytes) -> bytes:
    """Send one SMTP command line; returns the last line of the reply."""
    writer.write(line + b"\r\n")
    await writer.drain()
    while (reply := await asyncio.wait_for(reader.readline(), 10))[3:4] == b"-":
        pass
    return reply


# --- SMTP limits ------------------------------------------------------------------------------


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.mark.parametrize("line_ends", [
    pytest.param(crlf, id="CRLF"),
    pytest.param(lambda raw: raw, id="bare LF"),
])
async def test_oversize_mail_gets_552_and_the_next_return_is_answered(settings, collection,
                                                                      line_ends):
    async with intake_service(settings, collection, max_message_bytes=1_000_000) as intake:
        big = line_ends(return_mail(attachments=[("scan.pdf", b"%PDF-1.4 " + bytes(3_000_000))]))
        refused = await send_message(intake.port, big, mail_from=LEEDS_SENDER)
        ref = await send(intake.port, return_mail())
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    assert refused.data is not None and refused.data.code == 552
    assert list(dispositions(settings.returns_db)) == [ref]
    assert ack_files(settings.outbox_dir) == {ref: 1}


async def test_too_many_recipients_are_refused_and_the_message_is_answered_once(settings,
                                                                              collection):
    inboxes = tuple(f"inbox{n}@communities.gov.uk" for n in range(MAX_RECIPIENTS + 5))
    async with intake_service(settings, collection, inbox_addresses=inboxes) as intake:
        exchange = await send_message(intake.port, return_mail(), mail_from=LEEDS_SENDER,
                                      rcpt_to=inboxes)
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    assert [reply.code for reply in exchange.rcpts] == [250] * MAX_RECIPIENTS + [452] * 5
    assert exchange.data is not None and exchange.data.code == 250
    [ref] = refs_in(exchange.data.message)
    assert dispositions(settings.returns_db)[ref][0] == "accepted"
    assert ack_files(settings.outbox_dir) == {ref: 1}


async def test_over_long_lines_are_read_and_an_over_long_command_costs_only_its_session(
        settings, collection):
    one_long_line = return_mail(body="Please find our return attached. " + "x" * 200_000)
    async with intake_service(settings, collection) as intake:
        ref = await send(intake.port, one_long_line)
        reader, writer = await asyncio.open_connection("127.0.0.1", intake.port)
        await reader.readline()
        await command(reader, writer, b"EHLO client.test")
        long_command = await command(reader, writer, b"MAIL FROM:<" + b"a" * 5000 + b"@leeds.gov.uk>")
        writer.close()
        after = await send(intake.port, return_mail())
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    assert long_command[:1] == b"5"
    assert dispositions(settings.returns_db)[ref][0] == "accepted"
    assert ack_files(settings.outbox_dir) == {ref: 1, after: 1}


async def test_a_slow_sender_does_not_hold_up_a_normal_one(settings, collection):
    raw = return_mail()
    async with intake_service(settings, collection) as intake:
        reader, writer = await asyncio.open_connection("127.0.0.1", intake.port)
        await reader.readline()
        for line in (b"EHLO slow.test", f"MAIL FROM:<{LEEDS_SENDER}>".encode(),
                     f"RCPT TO:<{INBOX}>".encode(), b"DATA"):
            await command(reader, writer, line)
        pieces = [raw[i:i + len(raw) // 10 + 1] for i in range(0, len(raw), len(raw) // 10 + 1)]

        async def trickle() -> bytes:
            for piece in pieces:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.3)
            return await command(reader, writer, b"\r\n.")

        slow = asyncio.create_task(trickle())
        started = time.perf_counter()
        quick = await send(intake.port, return_mail(sender="jo.bloggs@leeds.gov.uk"),
                           mail_from="jo.bloggs@leeds.gov.uk")
        quick_seconds = time.perf_counter() - started
        slow_reply = await slow
        writer.close()
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    assert quick_seconds < 2 and not slow.cancelled()
    assert slow_reply.startswith(b"250")
    assert set(ack_files(settings.outbox_dir)) == {quick, *refs_in(slow_reply.decode())}


async def test_a_sender_is_answered_promptly_while_twenty_sessions_sit_idle(settings,
                                                                             collection):
    async with intake_service(settings, collection) as intake:
        idle = await open_idle(intake.port, 20)
        started = time.perf_counter()
        ref = await send(intake.port, return_mail())
        seconds = time.perf_counter() - started
        await close_all(idle)
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    assert seconds < 2
    assert ack_files(settings.outbox_dir) == {ref: 1}


async def test_idle_sessions_keep_their_slots_up_to_the_cap_then_421(settings, collection):
    async with intake_service(settings, collection) as intake:
        idle = await open_idle(intake.port, MAX_SESSIONS)
        reader, writer = await asyncio.open_connection("127.0.0.1", intake.port)
        over_cap = await asyncio.wait_for(reader.readline(), 5)
        writer.close()
        await close_all(idle[:10])
        await asyncio.wait_for(greeted_again(intake.port), 5)
        ref = await send(intake.port, return_mail())
        await close_all(idle[10:])
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    assert over_cap.startswith(b"421")
    assert ack_files(settings.outbox_dir) == {ref: 1}


# --- hostile attachments, read by a real intake process -----------------------------------------


CORPUS = {
    "zip bomb .xlsx": ([("return.xlsx", hostile.zip_bomb_xlsx)], {"rejected"}, "zip bomb"),
    "zip bomb .zip": ([("return.zip", hostile.zip_bomb_zip)], {"rejected"}, "unpack to 200 MB"),
    "XML bomb": ([("return.xlsx", hostile.xml_bomb_xlsx)], {"rejected"}, "XML entity"),
    "huge range": ([("return.xlsx", hostile.huge_dimension_xlsx)], {"rejected"},
                   "17 billion cells"),
    "encrypted": ([("return.xlsx", hostile.encrypted_xlsx)], {"rejected"}, "password"),
    "corrupt": ([("return.xlsx", hostile.corrupt_xlsx)], {"rejected"}, "damaged"),
    "macro": ([("return.xlsm", hostile.xlsm_with_macro)], {"accepted"}, "recorded for Leeds"),
    "PDF bomb": ([("letter.pdf", hostile.pdf_compression_bomb)], {"rejected"}, "too large"),
    "20 MB CSV": ([("return.csv", lambda: hostile.big_csv(14))], {"rejected"}, "no return"),
}


async def test_hostile_attachments_each_end_with_a_reason_and_the_process_survives(tmp_path):
    port = hostile.free_port()
    intake = hostile.start_intake_process(tmp_path, port)
    db_path = tmp_path / "returns.db"
    try:
        await until(lambda: hostile.listening(port), 30)
        sent: dict[str, tuple[str, float]] = {}
        for name, (files, _, _) in CORPUS.items():
            raw = return_mail(attachments=[(filename, build()) for filename, build in files])
            sent[name] = (await send(port, raw), time.monotonic())
        await until(lambda: settled(db_path), CORPUS_SECONDS)
        assert intake.poll() is None, "the intake process survived"
        peak = peak_memory_mb(intake.pid)
        ref = await send(port, return_mail())
        await until(lambda: settled(db_path), CORPUS_SECONDS)
    finally:
        intake.terminate()
        intake.wait(10)
    outcome = dispositions(db_path)
    for name, (_, expected, words) in CORPUS.items():
        disposition, reason = outcome[sent[name][0]]
        assert disposition in expected and words in reason, (name, disposition, reason)
    assert outcome[ref][0] == "accepted"
    assert peak < 400, f"intake peaked at {peak:.0f} MB"


async def test_an_oversize_stream_is_refused_with_memory_bounded(tmp_path):
    port = hostile.free_port()
    intake = hostile.start_intake_process(tmp_path, port, MAX_MESSAGE_BYTES="1000000")
    try:
        await until(lambda: hostile.listening(port), 30)
        ref = await send(port, return_mail())
        before = peak_memory_mb(intake.pid)
        big = crlf(return_mail(attachments=[("scan.pdf", b"%PDF-1.4 " + bytes(20_000_000))]))
        refused = await send_message(port, big, mail_from=LEEDS_SENDER)
        growth = peak_memory_mb(intake.pid) - before
        await until(lambda: settled(tmp_path / "returns.db"), CORPUS_SECONDS)
    finally:
        intake.terminate()
        intake.wait(10)
    assert refused.data is not None and refused.data.code == 552
    assert growth < 20, f"a 27 MB message grew the intake by {growth:.0f} MB"
    assert list(dispositions(tmp_path / "returns.db")) == [ref]


@pytest.mark.soak
async def test_a_200_mb_csv_ends_with_a_reason_and_bounded_memory(tmp_path):
    port = hostile.free_port()
    intake = hostile.start_intake_process(tmp_path, port, MAX_MESSAGE_BYTES=str(400 << 20))
    try:
        await until(lambda: hostile.listening(port), 30)
        raw = return_mail(attachments=[("return.csv", hostile.big_csv(200))])
        ref = await send(port, raw)
        await until(lambda: settled(tmp_path / "returns.db"), CORPUS_SECONDS + 30)
        assert intake.poll() is None
        peak = peak_memory_mb(intake.pid)
        after = await send(port, return_mail())
        await until(lambda: settled(tmp_path / "returns.db"), CORPUS_SECONDS)
    finally:
        intake.terminate()
        intake.wait(10)
    outcome = dispositions(tmp_path / "returns.db")
    disposition, reason = outcome[ref]
    assert disposition == "rejected" and reason
    assert outcome[after][0] == "accepted"
    assert peak < 2048, f"intake peaked at {peak:.0f} MB for a {len(raw) >> 20} MB message"


# --- automatic mail, loops and trust ------------------------------------------------------------


async def test_automatic_mail_is_never_answered_and_a_loop_gets_at_most_three(settings,
                                                                              collection):
    automatic = {
        "out of office, Auto-Submitted": hostile.out_of_office(auto_submitted=True),
        "out of office, no Auto-Submitted": hostile.out_of_office(auto_submitted=False),
        "list mail with a template": hostile.list_mail(),
        "bulk mail": hostile.bulk_mail(),
    }
    async with intake_service(settings, collection) as intake:
        refs = {name: await send(intake.port, raw, mail_from=hostile.address_of(raw))
                for name, raw in automatic.items()}
        loop_refs = [await send(intake.port, hostile.peer_auto_reply(n),
                                mail_from="helpdesk@leeds.gov.uk") for n in range(20)]
        returns = [await send(intake.port, return_mail(sender=sender), mail_from=sender)
                   for sender in (LEEDS_SENDER, "jo.bloggs@leeds.gov.uk")]
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    acks = ack_files(settings.outbox_dir)
    outcome = dispositions(settings.returns_db)
    for name, ref in refs.items():
        assert acks[ref] == 0, name
        assert outcome[ref][0] in ("ignored", "accepted"), (name, outcome[ref])
    assert outcome[refs["list mail with a template"]][0] == "accepted", "read, just not answered"
    assert sum(acks[ref] for ref in loop_refs) <= 3
    assert all(outcome[ref][0] for ref in loop_refs)
    assert [acks[ref] for ref in returns] == [1, 1]


async def test_forged_authentication_results_are_ignored_and_our_relays_believed(settings,
                                                                               collection):
    forged = return_mail(sender="asha.patel@gmail.com", headers={
        "Authentication-Results": "evil.example; dmarc=pass header.from=leeds.gov.uk"})
    relayed = return_mail(sender="asha.patel@gmail.com", headers={
        "Authentication-Results": "mx.communities.gov.uk; dmarc=pass header.from=leeds.gov.uk"})
    async with intake_service(settings, collection,
                              trusted_authserv_ids=("mx.communities.gov.uk",)) as intake:
        forged_ref = await send(intake.port, forged, mail_from="asha.patel@gmail.com")
        relayed_ref = await send(intake.port, relayed, mail_from="asha.patel@gmail.com")
        await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    outcome = dispositions(settings.returns_db)
    assert outcome[forged_ref][0] == "quarantined" and "gmail.com" in outcome[forged_ref][1]
    assert outcome[relayed_ref][0] == "accepted"


async def test_addresses_with_line_breaks_never_reach_the_relay(settings, collection):
    relay = RecordingRelay()
    relay_server = await start_relay(relay)
    relay_port = relay_server.sockets[0].getsockname()[1]
    # aiosmtpd splits commands at LF and refuses spaces, but passes CR and Unicode line breaks.
    injected = ["asha@leeds.gov.uk\rRCPT", "asha\r@leeds.gov.uk", '"asha\rx"@leeds.gov.uk',
                '"a\\\rb"@leeds.gov.uk', "asha@leeds.gov.uk\u2028x", "asha@leeds\u0085.gov.uk"]
    try:
        async with intake_service(settings, collection, relay_host="127.0.0.1",
                                  relay_port=relay_port) as intake:
            answers = [await raw_mail_from(intake.port, sender, return_mail()) for sender in injected]
            ref = await send(intake.port, return_mail(message_id="<clean@leeds.gov.uk>"))
            await until(lambda: settled(settings.returns_db), CORPUS_SECONDS)
    finally:
        relay_server.close()
        await relay_server.wait_closed()
    assert all(answer[:3] in (b"250", b"501") for answer in answers), answers
    assert all(disposition for disposition, _ in dispositions(settings.returns_db).values())
    recipients = [address for envelope in relay.received for address in envelope.rcpt_tos]
    assert not any(ch in address for address in recipients for ch in LINE_BREAKS), recipients
    assert not any("evil" in address for address in recipients)
    clean = [e for e in relay.received if refs_in(e.original_content.decode(errors="replace"))[0] == ref]
    assert [envelope.rcpt_tos for envelope in clean] == [[LEEDS_SENDER]]


async def raw_mail_from(port: int, sender: str, raw: bytes) -> bytes:
    """Send with MAIL FROM exactly as given (bare CR, LF or U+2028 included); the DATA reply."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await reader.readline()
        await command(reader, writer, b"EHLO client.test")
        mail = await command(reader, writer, b"MAIL FROM:<" + sender.encode() + b"> SMTPUTF8")
        if not mail.startswith(b"250"):
            return mail
        await command(reader, writer, f"RCPT TO:<{INBOX}>".encode())
        await command(reader, writer, b"DATA")
        return await command(reader, writer, raw.replace(b"\n", b"\r\n").replace(b"\r\r", b"\r")
                             + b"\r\n.")
    finally:
        writer.close()

