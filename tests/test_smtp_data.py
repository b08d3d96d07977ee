"""DATA read in blocks gives what the sender meant, however the bytes are cut on the wire, and
what a stock aiosmtpd server gives for the same session."""

from __future__ import annotations

import asyncio
import random

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from intake.smtp_data import read_data, unstuff
from tests.smtp_helpers import INBOX, running_intake

NEXT_COMMAND = b"MAIL FROM:<next@leeds.gov.uk>\r\n"
# Lines a message really holds, and the ones that trip a dot-line reader: a lone dot, dots at
# the start or the end, a bare LF or CR inside a line, 8-bit text, long and empty lines.
LINE_KINDS = (b"Dear colleague,", b".", b"..", b".hidden", b"ends with a dot.", b"", b"=2E.",
              b"a bare\nline feed", b"a bare\rreturn", b"caf\xc3\xa9 \xff", b"x" * 3000,
              b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", b"\r", b".\r", b"\n.", b"-- ")


def sent_lines(rng: random.Random) -> list[bytes]:
    return [rng.choice(LINE_KINDS) for _ in range(rng.randint(0, 60))]


def on_the_wire(lines: list[bytes]) -> bytes:
    """What a client writes after `354`: lines dot-stuffed, CRLF after each, then the end."""
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n"
                    for line in lines) + b".\r\n"


def content_of(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\r\n" for line in lines)


async def read_cut(wire: bytes, cuts: list[int], *, limit: int = 64 * 1024,
                   size_limit: int | None = None) -> tuple[bytes | None, bytes]:
    """Feed `wire` to a real StreamReader in pieces cut at `cuts`; what read_data returns, and
    what it left for the next command."""
    reader = asyncio.StreamReader(limit=limit)
    edges = [0, *sorted(cuts), len(wire)]

    async def feed() -> None:
        for start, end in zip(edges, edges[1:], strict=False):
            reader.feed_data(wire[start:end])
            await asyncio.sleep(0)
        reader.feed_data(NEXT_COMMAND)
        reader.feed_eof()

    feeding = asyncio.create_task(feed())
    content = await read_data(reader, size_limit)
    await feeding
    return content, await reader.read()


@pytest.mark.parametrize("limit", [16, 64 * 1024], ids=["reads-past-the-limit", "usual"])
async def test_generated_messages_cut_anywhere_read_as_sent(limit):
    rng = random.Random(2020)
    for _ in range(400):
        lines = sent_lines(rng)
        wire = on_the_wire(lines)
        cuts = rng.sample(range(1, len(wire)), k=min(len(wire) - 1, rng.randint(0, 12)))
        # Cut next to the end too: the closing CRLF.CRLF split across reads is the hard case.
        cuts += [cut for cut in range(len(wire) - 5, len(wire)) if cut > 0 and rng.random() < 0.5]
        content, left = await read_cut(wire, sorted(set(cuts)), limit=limit)
        assert content == content_of(lines), lines
        assert left == NEXT_COMMAND


async def test_an_empty_message_ends_at_its_first_line():
    assert await read_cut(b".\r\n", []) == (b"", NEXT_COMMAND)
    assert await read_cut(b"\r\n.\r\n", [1, 2, 3]) == (b"\r\n", NEXT_COMMAND)


async def test_size_limit_counts_the_bytes_sent_and_reads_to_the_end():
    lines = [b".a", b"bb"]       # sent as "..a\r\nbb\r\n": 9 bytes
    wire = on_the_wire(lines)
    assert await read_cut(wire, [], size_limit=9) == (b".a\r\nbb\r\n", NEXT_COMMAND)
    assert await read_cut(wire, [], size_limit=8) == (None, NEXT_COMMAND)
    big = on_the_wire([b"y" * 100] * 50)
    assert await read_cut(big, [7, 300, 4000], limit=16, size_limit=1000) == (None, NEXT_COMMAND)


def test_unstuff_removes_one_dot_from_each_line_that_starts_with_one():
    assert unstuff(b"..a\r\n.\r\nb.\r\n...\r\n") == b".a\r\n\r\nb.\r\n..\r\n"


class StockSMTP(SMTP):
    """aiosmtpd as shipped, with room for this test's longest line (its default is 1001)."""

    line_length_limit = 1_000_000


class Keep:
    """A stock aiosmtpd handler keeping what arrives."""

    def __init__(self) -> None:
        self.contents: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.contents.append(envelope.original_content or b"")
        return "250 OK"


async def session_replies(port: int, messages: list[bytes]) -> list[bytes]:
    """One SMTP session sending each message as raw DATA bytes; the reply to each DATA end."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    replies = []
    await reader.readline()
    writer.write(b"EHLO test.localhost\r\n")
    while (await reader.readline())[3:4] == b"-":
        pass
    for wire in messages:
        for command in (b"MAIL FROM:<returns@leeds.gov.uk>", f"RCPT TO:<{INBOX}>".encode(), b"DATA"):
            writer.write(command + b"\r\n")
            await reader.readline()
        writer.write(wire)
        replies.append(await reader.readline())
    writer.write(b"QUIT\r\n")
    await reader.readline()
    writer.close()
    await writer.wait_closed()
    return replies


async def test_the_edge_stores_what_stock_aiosmtpd_receives(settings, db):
    rng = random.Random(7)
    messages = [on_the_wire([b"Subject: return %d" % n, b"", *sent_lines(rng)]) for n in range(40)]
    keep = Keep()
    stock = await asyncio.get_running_loop().create_server(
        lambda: StockSMTP(keep, hostname="stock", data_size_limit=settings.max_message_bytes),
        "127.0.0.1", 0)
    try:
        stock_replies = await session_replies(stock.sockets[0].getsockname()[1], messages)
    finally:
        stock.close()
    async with running_intake(settings) as intake:
        replies = await session_replies(intake.port, messages)
    assert all(reply.startswith(b"250") for reply in stock_replies + replies)
    stored = [row[0] for row in db.execute("SELECT raw FROM message_raw ORDER BY id")]
    assert stored == keep.contents
