"""Load through the whole intake: a national burst of returns and a flood of mail.

Whatever the volume: nothing lost (every 250 is a stored message), every message ends with a
disposition, and every message the reply rules allow is acknowledged exactly once (the .eml
files in the outbox carry the message reference in their names).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from intake.samples.returns import make_sample_returns
from intake.samples.sending import send_samples
from store.settings import Settings
from tests.hostile_files import (
    assert_nothing_lost_and_answered_once,
    dispositions,
    flood_mail,
    intake_service,
    refs_in,
    settled,
    until,
)
from tests.smtp_helpers import send_message


async def national_burst(settings: Settings, collection, returns: int, connections: int,
                         timeout: float) -> float:
    """Send `returns` sample returns over `connections`; returns the seconds to settle."""
    samples = make_sample_returns(returns, seed=2020, collection=collection)
    started = time.perf_counter()
    async with intake_service(settings, collection) as intake:
        report = await send_samples(samples, "127.0.0.1", intake.port, concurrency=connections)
        await until(lambda: settled(settings.returns_db), timeout, poll=0.2)
    assert report.all_accepted, [d.text for d in report.deliveries if not d.accepted][:3]
    accepted = {refs_in(delivery.text)[0] for delivery in report.deliveries}
    assert len(accepted) == returns
    assert_nothing_lost_and_answered_once(settings.returns_db, settings.outbox_dir, accepted)
    outcome = dispositions(settings.returns_db)
    assert sum(d == "accepted" for d, _ in outcome.values()) == returns
    return time.perf_counter() - started


async def test_a_burst_of_forty_returns_over_four_connections(settings, collection):
    await national_burst(settings, collection, returns=40, connections=4, timeout=60)


@pytest.mark.soak
async def test_the_national_burst_151_returns_and_resubmissions_over_ten_connections(
        settings, collection):
    # make_sample_returns adds corrected resubmissions (8%) to the first submissions.
    seconds = await national_burst(settings, collection, returns=181, connections=10,
                                   timeout=600)
    assert seconds < 600


@pytest.mark.soak
async def test_a_flood_of_2000_messages_from_many_senders(settings, collection, tmp_path: Path):
    mail = [flood_mail(n, senders=700) for n in range(2000)]
    queue = list(enumerate(mail))
    replies: dict[int, str] = {}

    async def connection(port: int) -> None:
        while queue:
            n, (sender, raw) = queue.pop()
            exchange = await send_message(port, raw, mail_from=sender)
            assert exchange.data is not None and exchange.data.code == 250, exchange
            replies[n] = exchange.data.message

    async with intake_service(settings, collection) as intake:
        await asyncio.gather(*(connection(intake.port) for _ in range(20)))
        await until(lambda: settled(settings.returns_db), 1200, poll=0.5)
    accepted = {refs_in(text)[0] for text in replies.values()}
    assert len(accepted) == 2000
    assert_nothing_lost_and_answered_once(settings.returns_db, settings.outbox_dir, accepted)
