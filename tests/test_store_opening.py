"""Opening the store: sqlite-utils migrates it; a command line reads a current one without."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from store.db import MIGRATIONS, PlainDatabase, open_db, open_store
from store.lean_sqlite_utils import Database as SqliteUtilsDatabase
from store.messages import get_by_ref, get_message
from store.outbox import due_mail
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


def reopened_after(tmp_path, migration, subject, insert):
    """A store stopped before `migration`, given a short mail and one of 51 KB holding every
    byte value by `insert(db, number, raw)`, then opened as the service opens it (migrated the
    rest of the way); and the two raw mails."""
    path = tmp_path / "returns.db"
    old = open_db(path, migrate=False)
    migrations.apply(old, stop_before=migration)
    raws = [b"Subject: %s\r\n\r\nthanks" % subject, b"Subject: two\r\n\r\n" + bytes(range(256)) * 200]
    for number, raw in enumerate(raws, 1):
        insert(old, number, raw)
    old.close()
    return open_db(path), raws


def test_messages_stored_before_their_bytes_moved_to_their_own_table_keep_them(tmp_path):
    def stored(db, number, raw):
        db.execute("INSERT INTO messages (id, ref, message_id, sha256, raw, size, mail_from, "
                   "rcpt_to, received_at, collection_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [number, f"CHR-{number:06d}", f"<{number}@x>", f"{number}", raw, len(raw),
                    "jo@leeds.gov.uk", "[]", "2020-05-27T10:00:00", "2020-05-27T11:00:00"])

    db, raws = reopened_after(tmp_path, "m009_raw_messages_apart", b"one", stored)
    assert [get_message(db, number).raw for number in (1, 2)] == raws
    assert get_by_ref(db, "chr-000002").raw == raws[1]
    assert "raw" not in {row[1] for row in db.execute("PRAGMA table_info(messages)")}


def test_mail_queued_before_its_bytes_moved_to_their_own_table_is_sent_as_it_was(tmp_path):
    def queued(db, number, raw):
        db.execute("INSERT INTO outbox (id, kind, dedupe_key, recipients, raw, created_at, "
                   "collection_time, next_attempt_at) VALUES (?, 'ack', ?, '[]', ?, ?, ?, ?)",
                   [number, f"ack:{number}", raw, "2020-05-27T10:00:00+00:00",
                    "2020-05-27T11:00:00+01:00", f"2020-05-27T10:00:0{number}+00:00"])

    db, raws = reopened_after(tmp_path, "m010_outbox_raw_apart", b"ack", queued)
    due = due_mail(db, datetime(2020, 5, 28, tzinfo=UTC), 10)
    assert [(mail.id, mail.raw) for mail in due] == [(1, raws[0]), (2, raws[1])]
    assert "raw" not in {row[1] for row in db.execute("PRAGMA table_info(outbox)")}
