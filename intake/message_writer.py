"""The SMTP edge's writer: each raw message committed durably before its `250`, messages that
arrive together committed together."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from store.db import Database, open_db
from store.messages import StoredMessage, add_raw
from store.thread import StoreThread
from store.transactions import immediate

Stored = tuple[StoredMessage, bool]      # the message, and whether it was new
StoreRaw = Callable[..., Stored]


class MessageWriter:
    """Commits raw messages from one dedicated store thread, through its own connection.

    Messages that arrive while a commit is under way are committed together in the next one:
    one fsync (synchronous=FULL) for the group, so with many senders at once a `250` waits for
    at most two commits rather than for every earlier message's in turn, and the store's write
    lock is free more of the time for the workers recording decisions. A group that fails,
    fails for each of its messages (451: each sender retries).
    """

    def __init__(
        self,
        db_path: Path,
        *,
        store: StoreRaw = add_raw,
        connect: Callable[[Path], Database] = open_db,
    ) -> None:
        self._store = store
        self._thread = StoreThread(db_path, name="smtp-store", connect=connect)
        self._waiting: list[tuple[bytes, dict[str, Any], asyncio.Future[Stored]]] = []
        self._committing: asyncio.Task[None] | None = None

    async def store(self, raw: bytes, **fields: Any) -> Stored:
        """Commit `raw` (see store.messages.add_raw for `fields`); returns it and whether new."""
        stored: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._waiting.append((raw, fields, stored))
        if self._committing is None:
            self._committing = asyncio.create_task(self._commit_waiting())
        return await stored

    async def close(self) -> None:
        """Finish the commits under way, then close the connection in its own thread."""
        if self._committing is not None:
            await self._committing
        await self._thread.close()

    async def _commit_waiting(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    results = await self._thread.run(
                        self._store_group, [(raw, fields) for raw, fields, _ in group])
                except Exception as error:
                    for *_, stored in group:
                        if not stored.done():
                            stored.set_exception(error)
                else:
                    for (*_, stored), result in zip(group, results, strict=True):
                        if not stored.done():
                            stored.set_result(result)
        finally:
            self._committing = None

    def _store_group(self, db: Database,
                     group: list[tuple[bytes, dict[str, Any]]]) -> list[Stored]:
        with immediate(db):     # one transaction, one fsync, for the group
            return [self._store(db, raw, **fields) for raw, fields in group]
