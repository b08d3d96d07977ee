"""Opening the SQLite database the way every process must: WAL, busy timeout, durable commits."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from store.schema import migrate as apply_migrations

BUSY_TIMEOUT_MS = 10_000


def open_db(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (and by default create or migrate) the store at `path`.

    `synchronous=FULL` because a commit here stands behind an SMTP `250`: WAL's default NORMAL
    may lose the last transactions on power loss.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    # No sqlite-utils plugins here: loading them would scan every installed package's entry
    # points (~15 ms of CPU) on each open, which every command line pays.
    db = Database(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    if migrate:
        apply_migrations(db)
    return db
