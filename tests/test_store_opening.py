"""Opening the store: sqlite-utils migrates it; a command line reads a current one without."""

from __future__ import annotations

import sqlite3

from store.db import MIGRATIONS, PlainDatabase, open_db, open_store
from store.lean_sqlite_utils import Database as SqliteUtilsDatabase
from store.schema import migrations
from tests.bot_helpers import add_return


def test_the_count_of_migrations_is_the_schemas():
    assert MIGRATIONS == len(migrations.pending(SqliteUtilsDatabase(memory=True)))


def test_a_new_store_is_created_and_migrated_through_sqlite_utils(tmp_path):
    db = open_store(tmp_path / "new" / "returns.db")
    assert isinstance(db, SqliteUtilsDatabase)
    assert db.execute("SELECT COUNT(*) FROM authorities").fetchone()[0] == 151


def test_a_store_behind_the_schema_is_migrated_before_it_is_read(tmp_path):
    path = tmp_path / "returns.db"
    open_db(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_outbox_recipients'")
        conn.execute("DROP TABLE outbox_recipients")
    db = open_store(path)
    assert isinstance(db, SqliteUtilsDatabase)
    assert db.execute("SELECT COUNT(*) FROM outbox_recipients").fetchone()[0] == 0


def test_a_current_store_reads_the_same_through_sqlite3(tmp_path):
    path = tmp_path / "returns.db"
    full = open_db(path)
    add_return(full, "E09000003")
    plain = open_store(path)
    assert isinstance(plain, PlainDatabase)
    sql = "SELECT la_code, version, status FROM submissions WHERE la_code = ?"
    assert list(plain.query(sql, ["E09000003"])) == list(full.query(sql, ["E09000003"]))
    assert [row[0] for row in plain.execute("PRAGMA journal_mode")] == ["wal"]
    assert plain.execute("PRAGMA foreign_keys").fetchone()[0] == 1
