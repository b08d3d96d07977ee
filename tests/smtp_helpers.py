"""Helpers for tests that talk SMTP: the real intake server on an ephemeral port, in the test's
own loop, and a real client (smtplib in a thread) that returns the server's replies.

    async with running_intake(settings, on_stored=stored_ids.append) as intake:
        reply = await send_message(intake.port, raw)
        assert reply.data.code == 250
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiosmtpd.smtp import SMTP, Envelope, Session
from aiosmtplib import SMTPResponse

from intake.message_writer import MessageWriter
from intake.server import IntakeHandler, start_smtp_server
from store.settings import Settings

INBOX = "careandreform2@communities.gov.uk"


@dataclass(frozen=True)
class Exchange:
    """The server's replies to one message: MAIL, each RCPT, and DATA (None when not reached),
    each as aiosmtplib's (code, message)."""

    mail: SMTPResponse
    rcpts: tuple[SMTPResponse, ...]
    data: SMTPResponse | None


@dataclass
class RunningIntake:
    port: int
    handler: IntakeHandler
    writer: MessageWriter


@asynccontextmanager
async def running_intake(
    settings: Settings,
    *,
    on_stored: Callable[[int], Awaitable[None] | None] = lambda row_id: None,
    writer: MessageWriter | None = None,
    max_sessions: int | None = None,
) -> AsyncIterator[RunningIntake]:
    """The intake's SMTP server on 127.0.0.1 and an ephemeral port, in the running loop."""
    settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 0})
    writer = writer or MessageWriter(settings.returns_db)
    handler = IntakeHandler(settings, writer, on_stored)
    extra = {} if max_sessions is None else {"max_sessions": max_sessions}
    server = await start_smtp_server(settings, handler, **extra)
    try:
        yield RunningIntake(server.sockets[0].getsockname()[1], handler, writer)
    finally:
        server.close()
        await server.wait_closed()
        await handler.drain()
        await writer.close()


async def send_message(
    port: int,
    raw: bytes,
    *,
    mail_from: str = "returns@leeds.gov.uk",
    rcpt_to: tuple[str, ...] = (INBOX,),
    mail_options: tuple[str, ...] = (),
    host: str = "127.0.0.1",
) -> Exchange:
    """Send `raw` as is (bytes are not re-encoded) with smtplib in a thread; never raises on
    an SMTP refusal, so tests can assert on the codes."""
    return await asyncio.to_thread(
        _send_blocking, host, port, raw, mail_from, rcpt_to, mail_options
    )


def _send_blocking(
    host: str, port: int, raw: bytes, mail_from: str, rcpt_to: tuple[str, ...],
    mail_options: tuple[str, ...],
) -> Exchange:
    with smtplib.SMTP(host, port, timeout=30) as client:
        client.ehlo("client.test")
        mail = SMTPResponse(*_decoded(client.mail(mail_from, list(mail_options))))
        if mail.code != 250:
            return Exchange(mail, (), None)
        rcpts = tuple(SMTPResponse(*_decoded(client.rcpt(address))) for address in rcpt_to)
        if not any(reply.code == 250 for reply in rcpts):
            return Exchange(mail, rcpts, None)
        try:
            data = SMTPResponse(*_decoded(client.data(raw)))
        except smtplib.SMTPDataError as exc:
            data = SMTPResponse(exc.smtp_code, exc.smtp_error.decode(errors="replace"))
        return Exchange(mail, rcpts, data)


def _decoded(reply: tuple[int, bytes]) -> tuple[int, str]:
    return reply[0], reply[1].decode(errors="replace")


async def greeting(port: int, host: str = "127.0.0.1") -> SMTPResponse:
    """The first line a new connection gets (220, or 421 when the server is full)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        line = (await asyncio.wait_for(reader.readline(), 5)).decode().strip()
    finally:
        writer.close()
        await writer.wait_closed()
    return SMTPResponse(int(line[:3]), line[4:])


@dataclass
class RecordingRelay:
    """A stand-in mail relay (real aiosmtpd) that records what it received."""

    received: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 2.0.0 Queued"


async def start_relay(relay: RecordingRelay, port: int = 0) -> asyncio.Server:
    """Serve `relay` on 127.0.0.1 (an ephemeral port unless given) in the running loop."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(relay, hostname="relay.test", loop=loop), "127.0.0.1", port
    )


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll `condition` until it holds (instead of sleeping a guessed time)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
