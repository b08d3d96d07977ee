"""Write transactions that take SQLite's write lock up front, for every process sharing the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front.

    sqlite-utils' `atomic()` opens a plain `BEGIN`, which fails at once (whatever the busy
    timeout) when another process writes between our read and our write.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")
