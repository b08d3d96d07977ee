"""The outgoing relay: one SMTP connection kept for a batch of mails, reopened after a failure.

A failure is sorted for the sender loop: `PermanentFailure` (the relay refused the mail for
good, a 5xx) is never retried; anything else is, later, with backoff.
"""

from __future__ import annotations

import asyncio
import logging

import aiosmtplib

from store.outbox import OutgoingMail
from store.settings import Settings

log = logging.getLogger(__name__)

# The most one attempt may take, connecting included: the sender's lease is cut to fit it.
RELAY_TIMEOUT_SECONDS = 60
QUIT_TIMEOUT_SECONDS = 5


class PermanentFailure(Exception):
    """The relay refused the mail for good (a 5xx reply): retrying cannot help."""


class RelaySession:
    """A batch's connection to `RELAY_HOST`: opened for the first mail, kept for the next ones,
    dropped after any failure and opened again for the mail after it. When the relay cannot
    be reached at all, the rest of the batch fails with the same error at once instead of
    waiting on the relay once per mail."""

    def __init__(self, settings: Settings, *,
                 timeout_seconds: float = RELAY_TIMEOUT_SECONDS) -> None:
        self._settings = settings
        self._timeout = timeout_seconds
        self._smtp: aiosmtplib.SMTP | None = None
        self._unreachable: Exception | None = None

    async def send(self, mail: OutgoingMail, recipients: list[str]) -> None:
        """Deliver `mail` to `recipients`, or raise (PermanentFailure when retrying cannot help)."""
        try:
            async with asyncio.timeout(self._timeout):
                smtp = await self._connected()
                errors, _ = await smtp.sendmail(self._settings.mail_from, recipients, mail.raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            self.close()
            if all(refusal.code >= 500 for refusal in exc.recipients):
                raise PermanentFailure(f"relay refused every recipient: {exc}") from exc
            raise
        except aiosmtplib.SMTPResponseException as exc:
            self.close()
            if exc.code >= 500:
                raise PermanentFailure(f"relay refused the mail: {exc.code} {exc.message}") from exc
            raise
        except BaseException:
            self.close()
            raise
        if errors:
            log.warning("relay refused some recipients of %s: %s", mail.dedupe_key, errors)

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._unreachable is not None:
            raise self._unreachable
        if self._smtp is None:
            host, port = self._settings.relay_host, self._settings.relay_port
            smtp = aiosmtplib.SMTP(hostname=host, port=port, timeout=self._timeout)
            try:
                await smtp.connect()
            except BaseException as exc:    # the attempt's time limit included
                self._unreachable = (exc if isinstance(exc, Exception)
                                     else TimeoutError(f"relay {host}:{port} did not answer"))
                raise
            self._smtp = smtp
        return self._smtp

    async def quit(self) -> None:
        """End the batch politely (QUIT), or just drop the connection if the relay is slow."""
        smtp = self._smtp
        if smtp is None:
            return
        try:
            await smtp.quit(timeout=QUIT_TIMEOUT_SECONDS)
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            pass    # delivered or not, every mail's outcome is already known
        self.close()

    def close(self) -> None:
        """Drop the connection at once."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()
