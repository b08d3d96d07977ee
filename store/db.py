"""Opening the SQLite database the way every process must: WAL, busy timeout, durable commits.

A process that serves or writes the store opens it through sqlite-utils (`open_db`), which
keeps its schema. A command line opens it with `open_store`: when the schema is already
current, a plain `sqlite3` connection does all such a command asks (`execute` and `query`),
and importing sqlite-utils would cost it more CPU than its own work (about 70 ms: click,
pluggy, dateutil).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000
MIGRATION_SET = "care_home_returns"
# How many migrations store/schema.py has (a test checks): a store with fewer is migrated
# through sqlite-utils before a command reads it.
MIGRATIONS = 10

Parameters = Sequence[Any] | dict[str, Any] | None


class Database(Protocol):
    """An open store as our code uses it: sqlite-utils' `Database` is one, `PlainDatabase` another."""

    conn: sqlite3.Connection

    def execute(self, sql: str, parameters: Parameters = None) -> sqlite3.Cursor: ...

    def executescript(self, sql: str) -> sqlite3.Cursor: ...

    def query(self, sql: str, params: Parameters = None) -> Iterator[dict]: ...

    def close(self) -> None: ...


class PlainDatabase:
    """A store whose schema is current, through `sqlite3` alone.

    The connection is in autocommit mode (as `open_db`'s), so each statement outside an
    explicit transaction commits on its own, as sqlite-utils' `execute` does.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Parameters = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, () if parameters is None else parameters)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        return self.conn.executescript(sql)

    def query(self, sql: str, params: Parameters = None) -> Iterator[dict]:
        """The rows of `sql` as dicts by column name."""
        cursor = self.execute(sql, params)
        if cursor.description is None:
            raise ValueError("query() is for SQL that returns rows: use execute() for the rest")
        columns = [column[0] for column in cursor.description]
        return (dict(zip(columns, row, strict=True)) for row in cursor)

    def close(self) -> None:
        self.conn.close()


def rows_of(db: Database, sql: str, params: Parameters = None) -> list[dict]:
    """The rows of a read as dicts by column name, straight from the connection.

    For the reads on a worker's path: sqlite-utils' `query` wraps every statement in a
    SAVEPOINT and RELEASE, which a plain SELECT does not need.
    """
    cursor = db.conn.execute(sql, () if params is None else params)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor]


def open_db(path: Path | str, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and by default create or migrate) the store at `path` through sqlite-utils.

    `synchronous=FULL` because a commit here stands behind an SMTP `250`: WAL's default NORMAL
    may lose the last transactions on power loss.
    """
    from store.lean_sqlite_utils import Database as SqliteUtilsDatabase

    # No sqlite-utils plugins here: loading them would scan every installed package's entry
    # points (~15 ms of CPU) on each open, which every command line pays.
    db = SqliteUtilsDatabase(_connect(Path(path)), execute_plugins=False)
    if migrate:
        from store.schema import migrate as apply_migrations

        apply_migrations(db)
    return db


def open_store(path: Path | str) -> Database:
    """The store for a command line: plain `sqlite3` when its schema is current, else
    `open_db`'s, which creates or migrates it first."""
    path = Path(path)
    conn = _connect(path)
    if _migrations_applied(conn) >= MIGRATIONS:
        # sqlite-utils turns these on for its connections; ours behave the same.
        conn.execute("PRAGMA recursive_triggers = ON")
        return PlainDatabase(conn)
    conn.close()
    return open_db(path)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _migrations_applied(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT COUNT(*) FROM _sqlite_migrations WHERE migration_set = ?",
                            [MIGRATION_SET]).fetchone()[0]
    except sqlite3.OperationalError:       # a new store: no migrations table yet
        return 0
