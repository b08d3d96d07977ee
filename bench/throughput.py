"""One round of the load run: a fresh server process on a fresh store takes the same burst.

The server is `python -m intake` (as the Procfile runs it) or the bare baseline
(`bench.bare_server`). It is started, watched from /proc (`bench.process_tree`), warmed up
with a couple of messages (the intake starts its workers on first use) and, once those are
settled, sent the burst over `SENDERS` connections at once. The clock starts as the first
connection opens. The bare server's rate is messages stored per second (until the last
`250`). The intake's are three: until the last `250`, until every message has a disposition
(`messages.processed_at`), and until every acknowledgement is written (`outbox.sent_at`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.mail import Mail
from bench.process_tree import ProcessTree
from bench.processes import Child, base_env, free_port, running
from bench.smtp_client import send_burst
from bench.stats import rate, spread
from intake.samples.sending import SendReport

SENDERS = 8
SETTLE_SECONDS = 600.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Round:
    """One round's figures (JSON-ready) and its raw latencies in seconds, for pooling."""

    figures: dict[str, Any]
    samples: dict[str, list[float]]


def run_round(server: str, number: int, mails: Sequence[Mail], warmup: Sequence[Mail],
              workdir: Path, inbox: str) -> Round:
    """Start `server` ('bare' or 'intake') afresh in `workdir`, warm it up, time the burst."""
    workdir.mkdir(parents=True)
    db, port = workdir / "returns.db", free_port()
    env = {**base_env(db, workdir / "data"), "SMTP_PORT": str(port)}
    argv = (["-m", "bench.bare_server", "--db", str(db), "--port", str(port)]
            if server == "bare" else ["-m", "intake"])
    with running(server, argv, env, port, workdir) as child, \
            ProcessTree(child.process.pid) as tree:
        _send(child, warmup, inbox, 1)
        before = message_count(db)
        if server == "intake":
            wait_settled(db, before, time.perf_counter())
        mark = tree.cpu_mark()
        wall_start, started = time.time(), time.perf_counter()
        burst = _send(child, mails, inbox, SENDERS)
        if server == "intake":
            wait_settled(db, before + len(mails), started)
        cpu = tree.cpu_since(mark)
        memory = tree.peak_memory_mb()
    figures: dict[str, Any] = {
        "server": server, "round": number, "messages": len(mails),
        "refused": len(mails) - burst.accepted, "seconds_to_last_250": round(burst.seconds, 3),
        "cpu_ms_per_message": {kind: round(seconds * 1000 / len(mails), 2)
                               for kind, seconds in cpu.items()},
        "peak_memory": memory}
    samples = {"dot_to_250": [d.dot_to_reply for d in burst.deliveries if d.dot_to_reply is not None]}
    if server == "bare":
        figures["per_second"] = {"stored": rate(burst.accepted, burst.seconds)}
    else:
        _add_intake_figures(figures, samples, burst, db, before, wall_start)
    figures["dot_to_250"] = spread(samples["dot_to_250"]).to_json()
    return Round(figures, samples)


def _send(child: Child, mails: Sequence[Mail], inbox: str, senders: int) -> SendReport:
    return asyncio.run(send_burst("127.0.0.1", child.port, mails, inbox, senders))


def _add_intake_figures(figures: dict[str, Any], samples: dict[str, list[float]], burst: SendReport,
                        db: Path, before: int, wall_start: float) -> None:
    """Rates to the last 250, disposition and ack; latencies from 250 to each, per message."""
    rows = [(_epoch(received), _epoch(done), _epoch(sent) if sent else None)
            for received, done, sent in _query(db, """
                SELECT m.received_at, m.processed_at, o.sent_at FROM messages m
                LEFT JOIN outbox o ON o.message_id = m.id AND o.kind = 'ack'
                WHERE m.id > ?""", [before])]
    last_done = max(done for _, done, _ in rows)
    last_ack = max((sent for _, _, sent in rows if sent is not None), default=last_done)
    if min(last_done, last_ack) < wall_start:
        raise RuntimeError("processed_at or sent_at is before the burst began: the rates need "
                           "them in real time, not the collection's clock")
    figures["per_second"] = {"250": rate(burst.accepted, burst.seconds),
                             "disposition": rate(len(rows), last_done - wall_start),
                             "ack": rate(len(rows), last_ack - wall_start)}
    samples["to_disposition"] = [done - received for received, done, _ in rows]
    samples["to_ack"] = [sent - received for received, _, sent in rows if sent is not None]
    figures["acks"] = len(samples["to_ack"])
    figures["dispositions"] = _dispositions(db, before)
    figures["to_disposition"] = spread(samples["to_disposition"]).to_json()
    figures["to_ack"] = spread(samples["to_ack"]).to_json()


def wait_settled(db: Path, expected: int, started: float) -> float:
    """Seconds from `started` until `expected` messages are processed and their acks written."""
    deadline = started + SETTLE_SECONDS
    while not _settled(db, expected):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the intake did not settle {expected} messages in time")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def message_count(db: Path) -> int:
    """Messages in the store at `db` (0 before its tables exist)."""
    try:
        return _query(db, "SELECT COUNT(*) FROM messages")[0][0]
    except sqlite3.OperationalError:
        return 0


def _settled(db: Path, expected: int) -> bool:
    try:
        stored, unprocessed, pending = _query(db, """
            SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM messages
                    WHERE disposition IS NULL), (SELECT COUNT(*) FROM outbox
                    WHERE status = 'pending')""")[0]
    except sqlite3.OperationalError:   # the intake has not created its tables yet
        return False
    return stored >= expected and unprocessed == 0 and pending == 0


def _dispositions(db: Path, before: int) -> dict[str, int]:
    rows = _query(db, "SELECT disposition, COUNT(*) FROM messages WHERE id > ? "
                      "GROUP BY disposition", [before])
    return {str(disposition): count for disposition, count in rows}


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def _query(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()
