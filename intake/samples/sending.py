"""Mailing synthetic returns to a running intake, and the `send-sample` command that does it.

`send_samples` speaks SMTP with aiosmtplib over a few reused connections and records every
reply, so the demo and the load test see exactly what the intake answered.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import aiosmtplib

from intake.samples.returns import SampleReturn, make_sample_returns
from store.collection import load_collection
from store.register import authorities_by_code
from store.settings import DEFAULT_INBOX, Settings


@dataclass(frozen=True)
class Delivery:
    """The intake's answer to one message: the SMTP reply code (0: no reply) and text, and the
    seconds from the message's final dot to that reply when the sender could time it (bench's
    own client does; aiosmtplib's `data()` only times the whole transfer)."""

    code: int
    text: str
    dot_to_reply: float | None = None

    @property
    def accepted(self) -> bool:
        return self.code == 250


@dataclass(frozen=True)
class SendReport:
    """Every message's delivery, in the order given, and the seconds the run took (for
    `send_samples` here and for the load runs' own client, `bench.smtp_client`)."""

    deliveries: tuple[Delivery, ...]
    seconds: float

    @property
    def accepted(self) -> int:
        return sum(delivery.accepted for delivery in self.deliveries)

    @property
    def all_accepted(self) -> bool:
        return self.accepted == len(self.deliveries)


async def send_samples(
    returns: Sequence[SampleReturn], host: str, port: int, *, concurrency: int = 4,
    inbox: str | None = None, timeout: float = 60.0,
) -> SendReport:
    """Mail each sample (MAIL FROM its sender, RCPT TO the inbox) over `concurrency` connections.

    Never raises for a refused message or a lost connection: each gets its reply in the report.
    """
    recipient = inbox or DEFAULT_INBOX
    pending = deque(enumerate(returns))
    replies: dict[int, tuple[int, str]] = {}
    started = time.perf_counter()

    async def worker() -> None:
        client: aiosmtplib.SMTP | None = None
        while pending:
            index, sample = pending.popleft()
            client, replies[index] = await _deliver(client, sample, recipient, host, port, timeout)
        if client is not None:
            await _quit(client)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(returns))))))
    deliveries = tuple(Delivery(*replies[i]) for i in range(len(returns)))
    return SendReport(deliveries, time.perf_counter() - started)


async def _deliver(
    client: aiosmtplib.SMTP | None, sample: SampleReturn, recipient: str, host: str, port: int,
    timeout: float,
) -> tuple[aiosmtplib.SMTP | None, tuple[int, str]]:
    """Send one message; returns the connection to reuse (None after a failure) and the reply."""
    try:
        if client is None:
            client = aiosmtplib.SMTP(hostname=host, port=port, timeout=timeout, start_tls=False,
                                     local_hostname="send-sample.localhost")
            await client.connect()
        await client.mail(sample.mail_from)
        await client.rcpt(recipient)
        reply = await client.data(sample.raw)
        return client, (reply.code, reply.message)
    except aiosmtplib.SMTPResponseException as refusal:
        return await _reset(client), (refusal.code, refusal.message)
    except (aiosmtplib.SMTPException, OSError) as failure:
        if client is not None:
            client.close()
        return None, (0, f"{type(failure).__name__}: {failure}")


async def _reset(client: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP | None:
    if client is None:
        return None
    try:
        await client.rset()
        return client
    except (aiosmtplib.SMTPException, OSError):
        client.close()
        return None


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


# --- command line ----------------------------------------------------------------------------


def send_sample_main(argv: list[str] | None = None) -> int:
    """`python -m intake send-sample`: email synthetic returns; 0 when every one got 250."""
    settings = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m intake send-sample",
        description="Email realistic synthetic returns (varied LAs, formats and mistakes) "
                    "to a running intake: the demo and the load source.",
    )
    parser.add_argument("--count", type=int, default=20, help="messages to send (default 20)")
    parser.add_argument("--seed", type=int, default=2020, help="same seed, same returns (default 2020)")
    parser.add_argument("--host", default=settings.smtp_host, help=f"intake host (default {settings.smtp_host})")
    parser.add_argument("--port", type=int, default=settings.smtp_port, help=f"intake port (default {settings.smtp_port})")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel SMTP connections (default 4)")
    parser.add_argument("--to", default=settings.inbox_addresses[0], help="the inbox address (RCPT TO)")
    args = parser.parse_args(argv)
    if args.count < 1 or args.concurrency < 1:
        parser.error("--count and --concurrency must be at least 1")
    returns = make_sample_returns(args.count, args.seed, load_collection(settings.collection))
    report = asyncio.run(send_samples(returns, args.host, args.port,
                                      concurrency=args.concurrency, inbox=args.to))
    print_report(returns, report)
    return 0 if report.all_accepted else 1


def print_report(returns: Sequence[SampleReturn], report: SendReport) -> None:
    """One line per message (LA, what was sent, the intake's reply) and a summary line."""
    names = {la.code: la.name for la in authorities_by_code().values()}
    for sample, delivery in zip(returns, report.deliveries, strict=True):
        sent = f"{sample.template_format}+{sample.letter_format}"
        reply = " ".join(delivery.text.split())
        print(f"{names[sample.la_code]:<36} {sent:<22} {sample.kinds[0]:<24} {delivery.code} {reply}")
    total = len(report.deliveries)
    rate = total / report.seconds if report.seconds else 0.0
    print(f"{report.accepted} of {total} accepted in {report.seconds:.1f} s ({rate:.1f} messages/s)")
    sys.stdout.flush()
