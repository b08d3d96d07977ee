"""Writers to one store take turns through its lock file, across processes and forks."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from store.db import open_db
from store.lean_sqlite_utils import Database
from store.transactions import immediate
from store.writer_turn import writer_turn


def _hold_turn(path: str, taken, release) -> None:
    with writer_turn(path, timeout=10):
        taken.set()
        release.wait(30)


def _write(db_path: Path, busy_ms: int) -> None:
    db = open_db(db_path, migrate=False)
    db.execute(f"PRAGMA busy_timeout = {busy_ms}")
    with immediate(db):
        db.execute("INSERT INTO notes (text) VALUES ('written')")


@pytest.mark.parametrize("start", ["spawn", "fork"])
def test_a_writer_waits_for_another_process_turn_then_times_out_as_a_locked_store(tmp_path, start):
    db_path = tmp_path / "returns.db"
    open_db(db_path, migrate=False).execute("CREATE TABLE notes (text TEXT)")
    context = multiprocessing.get_context(start)
    taken, release = context.Event(), context.Event()
    if start == "fork":     # the parent's own handle on the lock file exists before the fork
        _write(db_path, 1000)
    holder = context.Process(target=_hold_turn, args=(str(db_path), taken, release))
    holder.start()
    try:
        assert taken.wait(30)
        # SQLite itself is not locked: only the turn is taken.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _write(db_path, busy_ms=200)
    finally:
        release.set()
        holder.join(30)
    _write(db_path, busy_ms=1000)
    rows = sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM notes").fetchone()
    assert rows == ((2,) if start == "fork" else (1,))


def test_an_in_memory_store_writes_without_a_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = Database(memory=True)
    db.execute("CREATE TABLE notes (text TEXT)")
    with immediate(db):
        db.execute("INSERT INTO notes (text) VALUES ('written')")
    assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (1,)
    assert list(tmp_path.iterdir()) == []
