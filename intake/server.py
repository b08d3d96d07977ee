"""The SMTP edge: accept mail for the inbox, commit the raw bytes durably, then answer 250.

Everything else (parsing, identifying the LA, validating, acknowledging) happens after, from
the stored copy, through the `on_stored` callback. The handler is a plain aiosmtpd handler
with only the hooks it needs.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
from collections.abc import Awaitable, Callable
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session

from intake.message_writer import MessageWriter
from intake.reading.headers import decode_header_value, header_block
from intake.smtp_data import READ_BYTES, read_data
from store.settings import Settings

log = logging.getLogger(__name__)

RECIPIENT_OK = "250 2.1.5 Recipient OK"
UNKNOWN_RECIPIENT = "550 5.1.1 No such mailbox here: this server only accepts returns for the inbox"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"
ACCEPTED = "250 2.0.0 Message accepted as {ref}"
TRY_LATER = "451 4.3.0 Temporary failure, please try again later"
TOO_BUSY = "421 4.3.2 Too many connections, please try again later"
MESSAGE_TOO_BIG = "552 5.3.4 Message too big for this inbox"

MAX_RECIPIENTS = 20
MAX_SESSIONS = 100
# aiosmtpd's timeout covers a whole command, DATA transfer and handler included: long enough
# for a message at the size limit over a slow link.
SESSION_TIMEOUT_SECONDS = 300
MAX_HEADER_TEXT = 998

OnStored = Callable[[int], Awaitable[None] | None]


class IntakeHandler:
    """aiosmtpd handler: inbox recipients only, and `250` only once the message is committed."""

    def __init__(self, settings: Settings, writer: MessageWriter, on_stored: OnStored) -> None:
        self._inbox = {address.lower() for address in settings.inbox_addresses}
        self._clock = settings.now
        self._writer = writer
        self._on_stored = on_stored
        self._tasks: set[asyncio.Future[None]] = set()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() not in self._inbox:
            return UNKNOWN_RECIPIENT
        if any(address.lower() == known.lower() for known in envelope.rcpt_tos):
            return RECIPIENT_OK
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return TOO_MANY_RECIPIENTS
        envelope.rcpt_tos.append(address)
        return RECIPIENT_OK

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # Shielded: a client that hangs up after the final dot cancels this coroutine, but the
        # commit already under way must still be followed by its processing.
        return await asyncio.shield(self._store_and_notify(session, envelope))

    async def _store_and_notify(self, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message_id, subject, from_header = header_summary(raw)
        mail_from = envelope.mail_from or ""
        try:
            stored, is_new = await self._writer.store(
                raw, message_id=message_id, mail_from="" if mail_from == "<>" else mail_from,
                rcpt_to=list(envelope.rcpt_tos), collection_time=self._clock(),
                peer=_peer_text(session.peer), subject=subject, from_header=from_header,
            )
        except Exception:
            # Any failure to commit is temporary for the sender, who retries; the details stay
            # in our log (aiosmtpd would otherwise answer 500 with the exception's text).
            log.exception("could not store a message from %s; answered 451", session.peer)
            return TRY_LATER
        if is_new or stored.disposition is None:
            # A resent copy of a message not yet processed is handed on again: processing
            # is idempotent, and the first hand-over may have been lost with its session.
            self._notify(stored.id)
        return ACCEPTED.format(ref=stored.ref)

    def _notify(self, row_id: int) -> None:
        """Hand the stored message on; its processing never changes the 250 already decided."""
        try:
            result = self._on_stored(row_id)
        except Exception:
            log.exception("on_stored failed for message %s; it stays unprocessed", row_id)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("processing after storage failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for the on_stored work started so far (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def header_summary(raw: bytes) -> tuple[str, str, str]:
    """Message-ID, Subject and From as text, read cheaply from the headers; never raises."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(header_block(raw))
        # The raw values: compat32's own objects turn raw 8-bit bytes into replacement marks.
        values = {name.lower(): value for name, value in reversed(list(headers.raw_items()))}
        return (
            _one_line(values.get("message-id", "")),
            _one_line(decode_header_value(values.get("subject", ""))),
            _one_line(decode_header_value(values.get("from", ""))),
        )
    except Exception:  # a header summary is a convenience; a broken header must not cost a 451
        log.warning("could not read the headers of a message", exc_info=True)
        return "", "", ""


def _one_line(value: Any) -> str:
    # Undecodable 8-bit bytes arrive as surrogates; keep them visible but storable.
    text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.split())[:MAX_HEADER_TEXT]


def _peer_text(peer: Any) -> str | None:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return None if peer is None else str(peer)


class _CountedSMTP(SMTP):
    """An aiosmtpd session that keeps the server's count of open sessions and reads DATA in
    blocks (intake/smtp_data.py)."""

    # DATA is read up to each line ending in a dot, not line by line, so this bounds one read
    # and what the stream buffers, not a line of a message: a message sent with bare LF line
    # ends is one long "line" and is still taken, up to the size limit.
    line_length_limit = READ_BYTES

    def __init__(self, handler: IntakeHandler, sessions: set[SMTP], **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sessions = sessions

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._sessions.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._sessions.discard(self)
        super().connection_lost(error)

    async def smtp_DATA(self, arg: str) -> None:
        # aiosmtpd's own smtp_DATA (1.4), with the transfer read by `read_data`: the same
        # checks and replies before it, the same hook and state after it.
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            content = await read_data(self._reader, self.data_size_limit)
        except asyncio.CancelledError:  # the client hung up during the transfer
            self._writer.close()
            raise
        if content is None:
            await self.push(MESSAGE_TOO_BIG)
            self._set_post_data_state()
            return
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)


class _TooBusy(asyncio.Protocol):
    """Answers a connection over the cap with 421 and hangs up."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(f"{TOO_BUSY}\r\n".encode())
        transport.close()


async def start_smtp_server(
    settings: Settings, handler: IntakeHandler, *, max_sessions: int = MAX_SESSIONS
) -> asyncio.Server:
    """Listen on SMTP_HOST:SMTP_PORT in the running loop (port 0: an ephemeral port)."""
    loop = asyncio.get_running_loop()
    # aiosmtpd looks the host name up for every session unless given one.
    hostname = await asyncio.to_thread(socket.getfqdn)
    sessions: set[SMTP] = set()

    def new_session() -> asyncio.BaseProtocol:
        if len(sessions) >= max_sessions:
            return _TooBusy()
        return _CountedSMTP(
            handler, sessions, data_size_limit=settings.max_message_bytes,
            enable_SMTPUTF8=True, hostname=hostname, timeout=SESSION_TIMEOUT_SECONDS, loop=loop,
        )

    return await loop.create_server(new_session, settings.smtp_host, settings.smtp_port)


class SmtpEdge:
    """The edge as one part: the writer, the handler and the listening server; each stored
    message's row id goes to `on_stored`."""

    def __init__(self, settings: Settings, on_stored: OnStored) -> None:
        self._settings = settings
        self._writer = MessageWriter(settings.returns_db)
        self._on_stored = on_stored
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        handler = IntakeHandler(self._settings, self._writer, on_stored=self._on_stored)
        self._server = await start_smtp_server(self._settings, handler)

    async def stop(self) -> None:
        """Stop listening and close the writer (a commit under way finishes first)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self._writer.close()
