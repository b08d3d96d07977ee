"""Intake throughput against the bare store-only server, each a real process, same bursts.

Each server is started once on a fresh store and warmed up (the intake starts its reader
workers on first use); then a burst from 1 sender and a burst of other messages from 8
senders, the second sent once the first is settled. The bare server's rate
is messages stored per second (every 250 received). The intake's is messages stored *and
acknowledged* per second: from the first connection until every message has a disposition
and every acknowledgement is written to the outbox directory.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.mail import Mail
from bench.processes import Child, base_env, free_port, running
from bench.smtp_client import Burst, send_burst
from bench.stats import rate, spread

SETTLE_SECONDS = 600.0
POLL_SECONDS = 0.02


def measure_server(server: str, bursts: Sequence[tuple[int, Sequence[Mail]]],
                   warmup: Sequence[Mail], workdir: Path, inbox: str) -> list[dict[str, Any]]:
    """Start `server` ('bare' or 'intake') once, warm it up, then time each (senders, mails)
    burst in turn, each settled before the next; one result per burst."""
    run_dir = workdir / server
    run_dir.mkdir(parents=True)
    db, port = run_dir / "returns.db", free_port()
    env = {**base_env(db, run_dir / "data"), "SMTP_PORT": str(port)}
    argv = (["-m", "bench.bare_server", "--db", str(db), "--port", str(port)]
            if server == "bare" else ["-m", "intake"])
    results = []
    with running(server, argv, env, port, run_dir) as child:
        _burst(child, server, db, warmup, 1, inbox, before=0)
        done = len(warmup)
        for senders, mails in bursts:
            result = _burst(child, server, db, mails, senders, inbox, before=done)
            done += len(mails)
            results.append({"server": server, "senders": senders, **result})
        memory = child.peak_memory_mb()
    return [{**result, "peak_memory": memory} for result in results]


def _burst(child: Child, server: str, db: Path, mails: Sequence[Mail], senders: int,
           inbox: str, *, before: int) -> dict[str, Any]:
    """Send one burst; for the intake, wait until it is settled. `before`: messages already in."""
    cpu_before = child.cpu_seconds()
    started = time.perf_counter()
    burst = asyncio.run(send_burst("127.0.0.1", child.port, mails, inbox, senders))
    if server == "bare":
        result = _bare_result(burst)
    else:
        result = _intake_result(burst, db, before,
                                wait_settled(db, before + len(mails), started))
    used = [after - earlier for after, earlier in zip(child.cpu_seconds(), cpu_before, strict=True)]
    result["cpu_ms_per_message"] = {"process": round(used[0] * 1000 / len(mails), 2),
                                    "children": round(used[1] * 1000 / len(mails), 2)}
    return result


def _bare_result(burst: Burst) -> dict[str, Any]:
    return {"messages": len(burst.sent), "refused": len(burst.sent) - burst.accepted,
            "seconds": round(burst.seconds, 3),
            "stored_per_second": rate(burst.accepted, burst.seconds),
            "dot_to_250": spread([s.dot_to_reply for s in burst.sent]).to_json()}


def _intake_result(burst: Burst, db: Path, before: int, settled_seconds: float) -> dict[str, Any]:
    to_processed, to_ack = _latencies(db, before)
    return {**_bare_result(burst), "settled_seconds": round(settled_seconds, 3),
            "acknowledged_per_second": rate(burst.accepted, settled_seconds),
            "to_processed": spread(to_processed).to_json(),
            "to_ack_written": spread(to_ack).to_json(),
            "dispositions": _dispositions(db, before)}


def wait_settled(db: Path, expected: int, started: float) -> float:
    """Seconds from `started` until `expected` messages are processed and their acks written."""
    deadline = started + SETTLE_SECONDS
    while not _settled(db, expected):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the intake did not settle {expected} messages in time")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def message_count(db: Path) -> int:
    """Messages in the store at `db`."""
    return _query(db, "SELECT COUNT(*) FROM messages")[0][0]


def _settled(db: Path, expected: int) -> bool:
    try:
        stored, unprocessed, pending = _query(db, """
            SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM messages
                    WHERE disposition IS NULL), (SELECT COUNT(*) FROM outbox
                    WHERE status = 'pending')""")[0]
    except sqlite3.OperationalError:   # the intake has not created its tables yet
        return False
    return stored >= expected and unprocessed == 0 and pending == 0


def _latencies(db: Path, before: int) -> tuple[list[float], list[float]]:
    """Per message after the first `before`: 250 to disposition, and 250 to its ack written."""
    rows = _query(db, """SELECT m.received_at, m.processed_at, o.sent_at FROM messages m
                         LEFT JOIN outbox o ON o.message_id = m.id AND o.kind = 'ack'
                         WHERE m.id > ?""", [before])
    processed = [_between(received, done) for received, done, _ in rows]
    acked = [_between(received, sent) for received, _, sent in rows if sent]
    return processed, acked


def _dispositions(db: Path, before: int) -> dict[str, int]:
    rows = _query(db, "SELECT disposition, COUNT(*) FROM messages WHERE id > ? "
                      "GROUP BY disposition", [before])
    return {str(disposition): count for disposition, count in rows}


def _between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _query(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def ratios(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Intake acknowledged/s over bare stored/s, per number of senders."""
    bare = {run["senders"]: run["stored_per_second"] for run in runs if run["server"] == "bare"}
    return {str(run["senders"]): round(run["acknowledged_per_second"] / bare[run["senders"]], 4)
            for run in runs if run["server"] == "intake" and bare.get(run["senders"])}
