"""A store connection for async code: used from one thread of its own, never from the loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from store.db import Database, open_db

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class StoreThread:
    """One connection to the store at `path`, opened on first use in the thread that uses it
    (SQLite connections belong to their thread); calls run there one at a time, so a write
    that waits for the lock (up to the busy timeout) never holds up the event loop."""

    def __init__(self, path: Path, *, name: str = "store",
                 connect: Callable[[Path], Database] = open_db) -> None:
        self._path = path
        self._connect = connect
        self._db: Database | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, fn: Callable[Concatenate[Database, P], T], *args: P.args,
                  **kwargs: P.kwargs) -> T:
        """`fn(db, *args, **kwargs)` in the store's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(self._call, fn, *args, **kwargs))

    def _call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        if self._db is None:
            self._db = self._connect(self._path)
        try:
            return fn(self._db, *args, **kwargs)
        except BaseException:
            # After a failed statement or commit (locked, disk full, I/O error) the
            # connection's state is unknown: the next call starts on a fresh one.
            self._close_now()
            raise

    async def close(self) -> None:
        """Close the connection in its thread, then stop the thread."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close_now)
        self._executor.shutdown(wait=True)

    def _close_now(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            try:
                db.close()
            except Exception:  # closing a broken connection may fail too; nothing to keep
                log.warning("could not close a store connection", exc_info=True)
