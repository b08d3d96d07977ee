"""A small SMTP client that times each message from its final dot to the server's reply.

aiosmtplib's `data()` times the whole transfer; to see only what the server does after the
end of data (commit, then `250`), the body is written and flushed first and the clock starts
when `.<CRLF>` goes out. Each sender keeps one connection for all its messages, as a mail
server relaying a queue would.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Sequence

from bench.mail import Mail
from intake.samples.sending import Delivery, SendReport

LINE_END = re.compile(rb"\r?\n")
TIMEOUT_SECONDS = 120.0


class SmtpError(Exception):
    """The server answered a command with something other than the expected code."""


async def send_burst(host: str, port: int, mails: Sequence[Mail], rcpt_to: str,
                     concurrency: int) -> SendReport:
    """Send `mails` over `concurrency` connections at once; waits for every reply."""
    pending = deque(enumerate(mails))
    outcomes: dict[int, Delivery] = {}
    started = time.perf_counter()

    async def sender() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            await _expect(reader, 220)
            await _command(reader, writer, b"EHLO bench.localhost", 250)
            while pending:
                index, mail = pending.popleft()
                outcomes[index] = await _send_one(reader, writer, mail, rcpt_to)
            await _command(reader, writer, b"QUIT", 221)
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(sender() for _ in range(max(1, min(concurrency, len(mails))))))
    seconds = time.perf_counter() - started
    return SendReport(tuple(outcomes[i] for i in range(len(mails))), seconds)


async def _send_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, mail: Mail,
                    rcpt_to: str) -> Delivery:
    await _command(reader, writer, f"MAIL FROM:<{mail.mail_from}>".encode(), 250)
    await _command(reader, writer, f"RCPT TO:<{rcpt_to}>".encode(), 250)
    await _command(reader, writer, b"DATA", 354)
    writer.write(dot_stuffed(mail.raw))
    await writer.drain()
    started = time.perf_counter()
    writer.write(b".\r\n")
    code, text = await _reply(reader)
    took = time.perf_counter() - started
    if code != 250:
        await _command(reader, writer, b"RSET", 250)
    return Delivery(code, text, took)


def dot_stuffed(raw: bytes) -> bytes:
    """The message as DATA content: CRLF line ends, leading dots doubled, ending in CRLF."""
    lines = LINE_END.split(raw.rstrip(b"\r\n"))
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)


async def _command(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: bytes,
                   expected: int) -> None:
    writer.write(line + b"\r\n")
    await _expect(reader, expected)


async def _expect(reader: asyncio.StreamReader, expected: int) -> None:
    code, _text = await _reply(reader)
    if code != expected:
        raise SmtpError(f"expected {expected}, got {code}")


async def _reply(reader: asyncio.StreamReader) -> tuple[int, str]:
    """Read a (possibly multi-line) reply; its code and its text, one line per line."""
    lines: list[str] = []
    while True:
        line = await asyncio.wait_for(reader.readline(), TIMEOUT_SECONDS)
        if not line:
            raise SmtpError("connection closed")
        lines.append(line[4:].rstrip(b"\r\n").decode("utf-8", "replace"))
        if line[3:4] != b"-":
            return int(line[:3]), "\n".join(lines)
