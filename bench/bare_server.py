"""The baseline: a bare aiosmtpd server that only commits each raw message, then answers 250.

Same durability as the intake's edge (SQLite in WAL mode, synchronous=FULL, one commit per
message from one writer thread), nothing else: no header reading, no duplicate check, no
processing. `python -m bench.bare_server --db FILE --port N` runs it until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

ACCEPTED = "250 2.0.0 Stored"


class StoreOnly:
    """aiosmtpd handler: commit the raw bytes in the writer thread, then 250."""

    def __init__(self, db_path: Path) -> None:
        self._writer = ThreadPoolExecutor(max_workers=1)
        self._conn = self._writer.submit(_connect, db_path).result()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        await asyncio.get_running_loop().run_in_executor(self._writer, self._commit, raw)
        return ACCEPTED

    def _commit(self, raw: bytes) -> None:
        with self._conn:
            self._conn.execute("INSERT INTO messages (raw) VALUES (?)", [raw])


def _connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, raw BLOB NOT NULL)")
    return conn


async def serve(db_path: Path, host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    handler = StoreOnly(db_path)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="bare.localhost", data_size_limit=26_214_400, loop=loop),
        host, port)
    stopping = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    server.close()
    await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_server", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.db, args.host, args.port))


if __name__ == "__main__":
    main()
