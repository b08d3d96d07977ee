"""A store connection for async code: used from one thread of its own, never from the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlite_utils import Database

from store.db import open_db

P = ParamSpec("P")
T = TypeVar("T")


class StoreThread:
    """One connection to the store at `path`, opened on first use in the thread that uses it
    (SQLite connections belong to their thread); calls run there one at a time, so a write
    that waits for the lock (up to the busy timeout) never holds up the event loop."""

    def __init__(self, path: Path, *, name: str = "store") -> None:
        self._path = path
        self._db: Database | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, fn: Callable[Concatenate[Database, P], T], *args: P.args,
                  **kwargs: P.kwargs) -> T:
        """`fn(db, *args, **kwargs)` in the store's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(self._call, fn, *args, **kwargs))

    def _call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        if self._db is None:
            self._db = open_db(self._path)
        return fn(self._db, *args, **kwargs)

    async def close(self) -> None:
        """Close the connection in its thread, then stop the thread."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close_now)
        self._executor.shutdown(wait=True)

    def _close_now(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()
