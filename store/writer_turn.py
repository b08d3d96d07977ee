"""Whose turn it is to write: writers to one store wait in a lock file, not in SQLite's sleeps.

SQLite makes a writer that finds the store locked sleep and retry, for 1, 2, 5, 10 ... up to
100 ms at a time, so under load (the SMTP edge committing each message while workers record
returns and the sender marks mail sent) a commit that waits at all oversleeps by tens of ms,
and each 250 waits with it. Here each writer first takes an exclusive lock on a file beside
the store, checked every millisecond, so the next writer starts within about a millisecond of
the last one's commit; SQLite's own busy timeout remains for writers outside this code.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

POLL_SECONDS = 0.001


class _TurnFile:
    """One process's handle on a store's lock file; threads of the process queue on a lock."""

    def __init__(self, path: str) -> None:
        self.pid = os.getpid()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.threads = threading.Lock()


_turn_files: dict[str, _TurnFile] = {}
_turn_files_lock = threading.Lock()


@contextmanager
def writer_turn(store_path: str, timeout: float) -> Iterator[None]:
    """Hold the store's writer turn; raises sqlite3.OperationalError after `timeout` s, as a
    locked store does. An in-memory store (empty path) has no other writers to wait for."""
    if not store_path:
        yield
        return
    turn = _turn_file(store_path + "-writer")
    deadline = time.monotonic() + timeout
    if not turn.threads.acquire(timeout=timeout):
        raise sqlite3.OperationalError("database is locked (waited for this process's writer)")
    try:
        while True:
            try:
                fcntl.flock(turn.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked (waited for a writer)") \
                        from None
                time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(turn.fd, fcntl.LOCK_UN)
    finally:
        turn.threads.release()


def _turn_file(path: str) -> _TurnFile:
    with _turn_files_lock:
        turn = _turn_files.get(path)
        # A forked child shares its parent's open file, and with it the parent's lock.
        if turn is None or turn.pid != os.getpid():
            turn = _turn_files[path] = _TurnFile(path)
        return turn
