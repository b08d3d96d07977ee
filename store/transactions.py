"""Write transactions that take SQLite's write lock up front, for every process sharing the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from store.db import Database
from store.writer_turn import writer_turn

# Each open store's file (a connection's main database never changes), read at its first
# write transaction rather than at every one: workers open thousands of transactions.
_store_paths: WeakKeyDictionary[Database, str] = WeakKeyDictionary()


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front, after its turn among this
    code's writers (store/writer_turn.py).

    sqlite-utils' `atomic()` opens a plain `BEGIN`, which fails at once (whatever the busy
    timeout) when another process writes between our read and our write.
    """
    store_path = _store_path(db)
    # Read each time: a caller may shorten the connection's timeout (tests of a locked store).
    busy_seconds = db.conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    with writer_turn(store_path, busy_seconds):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")


def _store_path(db: Database) -> str:
    path = _store_paths.get(db)
    if path is None:
        path = _store_paths[db] = db.conn.execute("PRAGMA database_list").fetchone()[2]
    return path
