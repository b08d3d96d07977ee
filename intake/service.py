"""The intake in one process: the SMTP edge and the processing of what it stores, in one event
loop (the tests run it so, and wait on `idle`). Production runs the two apart
(intake/apart.py), so that processing never takes the edge's interpreter.

Storing happens in the SMTP handler's writer thread; each stored message is handed (by row id)
to the `Dispatcher` (intake/dispatch.py), which has a sandbox worker read, decide and record it
and sends the acknowledgement.
"""

from __future__ import annotations

import asyncio

from intake.dispatch import RETRY_SECONDS, Dispatcher
from intake.server import SmtpEdge
from store.collection import Collection
from store.settings import Settings


class IntakeService:
    """Runs the intake until `stop()`; `start()` returns once the server listens."""

    def __init__(self, settings: Settings, collection: Collection, *,
                 retry_seconds: float = RETRY_SECONDS) -> None:
        self.settings = settings
        self.dispatcher = Dispatcher(settings, collection, retry_seconds=retry_seconds)
        self.edge = SmtpEdge(settings, on_stored=self.dispatcher.enqueue)

    @property
    def port(self) -> int:
        return self.edge.port

    @property
    def idle(self) -> asyncio.Event:
        """Set whenever nothing is queued, processing or waiting for a retry."""
        return self.dispatcher.idle

    async def start(self) -> None:
        await self.dispatcher.start()
        await self.edge.start()

    async def stop(self) -> None:
        await self.edge.stop()
        await self.dispatcher.stop()
