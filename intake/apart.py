"""The intake as `python -m intake` runs it: the SMTP edge in this process, the processing of
what it stores in a child process of its own.

Why apart: the edge's one job is to commit each message and answer `250`. Processing (waiting
on the sandbox workers, retries, the outbox sender) runs threads and pipes whose share of one
interpreter's lock slowed every `250`; in its own process it costs the edge nothing.

The edge hands each stored message's row id to the child on its standard input, one decimal
line each. The store is the truth, not the pipe: the child starts by queueing every message
left unprocessed, so an id lost with a dead child (or written while none ran) is found again,
and processing an id twice records it once (intake/pipeline.record_message). The edge starts
the child again when it dies; the child stops when the edge does (end of its input).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from typing import IO

from intake.server import SmtpEdge
from store.settings import Settings

log = logging.getLogger(__name__)

RESTART_SECONDS = 1.0   # a child that keeps dying must not spin
STOP_SECONDS = 30.0     # for the child to stop after its input ends, before it is killed
CHILD_NAME = b"returns-process"   # what `ps` and /proc/<pid>/comm show (15 bytes at most)


class SeparateIntake:
    """The SMTP edge, with processing in a child process; `start()` returns once it listens."""

    def __init__(self, settings: Settings) -> None:
        self.edge = SmtpEdge(settings, on_stored=self._hand_over)
        self._child: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return self.edge.port

    async def start(self) -> None:
        self._child = await _start_child()
        self._supervisor = asyncio.create_task(self._supervise())
        await self.edge.start()

    async def stop(self) -> None:
        """Stop listening, then let the child finish: the end of its input tells it to stop."""
        await self.edge.stop()
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.gather(self._supervisor, return_exceptions=True)
        if self._child is not None:
            await _stop_child(self._child)

    def _hand_over(self, row_id: int) -> None:
        child = self._child
        if child is None or child.stdin is None or child.stdin.is_closing():
            return      # no child to tell: the next one finds the message unprocessed
        child.stdin.write(b"%d\n" % row_id)

    async def _supervise(self) -> None:
        while True:
            assert self._child is not None
            code = await self._child.wait()
            log.error("the processing process exited (%s); starting another in %s s",
                      code, RESTART_SECONDS)
            await asyncio.sleep(RESTART_SECONDS)
            self._child = await _start_child()


async def _start_child() -> asyncio.subprocess.Process:
    # Started as its own interpreter (not forked) so it shares nothing with the edge's loop.
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake.apart", stdin=asyncio.subprocess.PIPE)


async def _stop_child(child: asyncio.subprocess.Process) -> None:
    if child.stdin is not None:
        child.stdin.close()
    try:
        await asyncio.wait_for(child.wait(), STOP_SECONDS)
    except TimeoutError:
        log.error("the processing process did not stop in %s s; killed", STOP_SECONDS)
        child.kill()
        await child.wait()


async def process_handed_over(settings: Settings) -> None:
    """The child: process the row ids read from standard input until it ends (or a signal)."""
    from intake.dispatch import Dispatcher
    from store.collection import load_collection

    dispatcher = Dispatcher(settings, load_collection(settings.collection))
    await dispatcher.start()
    loop = asyncio.get_running_loop()
    reading = asyncio.create_task(enqueue_input(dispatcher.enqueue))
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, reading.cancel)
    await asyncio.gather(reading, return_exceptions=True)
    await dispatcher.stop()


async def enqueue_input(enqueue: Callable[[int], None], source: IO[bytes] | IO[str] = sys.stdin
                        ) -> None:
    """Queue each row id read from `source` (the edge's pipe) until it ends."""
    loop = asyncio.get_running_loop()
    transport, row_ids = await loop.connect_read_pipe(lambda: _RowIds(enqueue), source)
    try:
        await row_ids.ended
    finally:
        transport.close()


class _RowIds(asyncio.Protocol):
    """The edge's row ids, one decimal line each, queued as their bytes arrive (a stream
    reader's readline woke a task for each)."""

    def __init__(self, enqueue: Callable[[int], None]) -> None:
        self._enqueue = enqueue
        self._partial = b""
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            self._queue(line)

    def eof_received(self) -> None:
        if self._partial:
            self._queue(self._partial)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ended.done():
            self.ended.set_result(None)

    def _queue(self, line: bytes) -> None:
        try:
            self._enqueue(int(line))
        except ValueError:
            log.error("not a message id from the edge: %r", line[:40])


def _name_process() -> None:
    try:
        with open("/proc/self/comm", "wb") as comm:
            comm.write(CHILD_NAME)
    except OSError:     # not Linux: the name is only a convenience
        pass


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _name_process()
    asyncio.run(process_handed_over(Settings()))


if __name__ == "__main__":
    main()
