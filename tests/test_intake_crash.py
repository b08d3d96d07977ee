"""A real intake process killed with SIGKILL mid-burst loses nothing and answers each once."""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter

from intake.samples.returns import make_sample_returns
from intake.samples.sending import send_samples
from tests.hostile_files import (
    free_port,
    listening,
    query,
    settled,
    start_intake_process,
    until,
)

# Large enough that the kill lands mid-burst however fast the edge stores (it takes a few
# hundred a second).
BURST = 120


async def test_sigkill_mid_burst_loses_nothing_and_acknowledges_once(tmp_path, collection):
    samples = make_sample_returns(BURST, seed=11, collection=collection)
    db_path = tmp_path / "returns.db"
    port = free_port()
    intake = start_intake_process(tmp_path, port)
    try:
        await until(lambda: listening(port))
        burst = asyncio.create_task(send_samples(samples, "127.0.0.1", port, concurrency=4,
                                                 timeout=10))
        await until(lambda: (query(db_path, "SELECT COUNT(*) FROM messages") or [(0,)])[0][0]
                    >= BURST // 4, poll=0.01)
        intake.send_signal(signal.SIGKILL)
        intake.wait(10)
        report = await burst
        accepted_refs = {re.search(r"CHR-\d+", d.text).group() for d in report.deliveries
                         if d.accepted}
        assert 0 < len(accepted_refs) < BURST

        intake = start_intake_process(tmp_path, port)
        await until(lambda: listening(port))
        await until(lambda: settled(db_path))
    finally:
        intake.terminate()
        intake.wait(10)

    refs = dict(query(db_path, "SELECT ref, disposition FROM messages"))
    assert accepted_refs <= set(refs)
    assert all(refs.values()), "every stored message has a disposition"
    ack_files = Counter(re.search(r"CHR-\d+", p.name).group()
                        for p in (tmp_path / "data" / "outbox").glob("*.eml"))
    answered = {ref for ref, disposition in refs.items()
                if disposition in ("accepted", "quarantined")}
    assert accepted_refs <= answered, "every return that got 250 was recorded and answered"
    assert ack_files == Counter(answered), "exactly one acknowledgement each"
