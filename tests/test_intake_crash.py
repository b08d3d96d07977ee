"""A real intake process killed with SIGKILL mid-burst loses nothing and answers each once."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from intake.sample_sending import send_samples
from intake.samples import make_sample_returns

REPO = Path(__file__).resolve().parents[1]
BURST = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_intake(tmp_path: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "RETURNS_DB": str(tmp_path / "returns.db"),
           "RETURNS_DATA_DIR": str(tmp_path / "data"), "SMTP_PORT": str(port),
           "RETURNS_NOW": "2020-05-28T12:00:00", "PYTHONPATH": str(REPO)}
    with (tmp_path / "intake.log").open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "intake"], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=log)


async def until(condition, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def query(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "returns.db", timeout=10) as conn:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:   # not created yet
            return []


def stored(tmp_path: Path) -> int:
    rows = query(tmp_path, "SELECT COUNT(*) FROM messages")
    return rows[0][0] if rows else 0


def settled(tmp_path: Path) -> bool:
    unprocessed = query(tmp_path, "SELECT COUNT(*) FROM messages WHERE disposition IS NULL")
    pending = query(tmp_path, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
    return bool(unprocessed and pending) and unprocessed[0][0] == 0 and pending[0][0] == 0


async def test_sigkill_mid_burst_loses_nothing_and_acknowledges_once(tmp_path, collection):
    samples = make_sample_returns(BURST, seed=11, collection=collection)
    port = free_port()
    intake = start_intake(tmp_path, port)
    try:
        await until(lambda: listening(port))
        burst = asyncio.create_task(send_samples(samples, "127.0.0.1", port, concurrency=4,
                                                 timeout=10))
        await until(lambda: stored(tmp_path) >= BURST // 3)
        intake.send_signal(signal.SIGKILL)
        intake.wait(10)
        report = await burst
        accepted_refs = {re.search(r"CHR-\d+", d.text).group() for d in report.deliveries
                         if d.accepted}
        assert 0 < len(accepted_refs) < BURST

        intake = start_intake(tmp_path, port)
        await until(lambda: listening(port))
        await until(lambda: settled(tmp_path))
    finally:
        intake.terminate()
        intake.wait(10)

    refs = dict(query(tmp_path, "SELECT ref, disposition FROM messages"))
    assert accepted_refs <= set(refs)
    assert all(refs.values()), "every stored message has a disposition"
    ack_files = Counter(re.search(r"CHR-\d+", p.name).group()
                        for p in (tmp_path / "data" / "outbox").glob("*.eml"))
    answered = {ref for ref, disposition in refs.items()
                if disposition in ("accepted", "quarantined")}
    assert accepted_refs <= answered, "every return that got 250 was recorded and answered"
    assert ack_files == Counter(answered), "exactly one acknowledgement each"
