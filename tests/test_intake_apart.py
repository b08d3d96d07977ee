"""`python -m intake` as production runs it: the SMTP edge in one process, processing in a child.

Killing either side loses nothing: a dead child is started again and finds what was stored
meanwhile; a dead edge takes its child with it, so no orphan goes on sending mail.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from bench.process_tree import descendants
from intake.apart import CHILD_NAME, enqueue_input
from tests.hostile_files import (
    LEEDS_SENDER,
    ack_files,
    dispositions,
    free_port,
    listening,
    refs_in,
    return_mail,
    settled,
    start_intake_process,
    until,
)
from tests.smtp_helpers import send_message


async def _send(port: int) -> str:
    exchange = await send_message(port, return_mail(), mail_from=LEEDS_SENDER)
    assert exchange.data is not None and exchange.data.code == 250, exchange
    return refs_in(exchange.data.message)[0]


def _children_named(pid: int, name: bytes) -> list[int]:
    return [child for child in descendants(pid) if _name(child) == name]


def _name(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/comm").read_bytes().strip()
    except OSError:     # gone since it was listed
        return b""


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except OSError:
        return False


async def test_a_killed_processing_process_is_restarted_and_finds_what_came_meanwhile(tmp_path):
    port = free_port()
    intake = start_intake_process(tmp_path, port)
    db_path = tmp_path / "returns.db"
    try:
        await until(lambda: listening(port), 30)
        first = await _send(port)
        await until(lambda: settled(db_path), 60)
        [child] = _children_named(intake.pid, CHILD_NAME)
        os.kill(child, signal.SIGKILL)
        during = await _send(port)        # stored while no processing process runs
        await until(lambda: [c for c in _children_named(intake.pid, CHILD_NAME) if c != child]
                    != [], 30)
        after = await _send(port)
        await until(lambda: settled(db_path) and len(dispositions(db_path)) == 3, 60)
    finally:
        intake.terminate()
        intake.wait(30)
    outcome = dispositions(db_path)
    assert {ref: outcome[ref][0] for ref in (first, during, after)} == {
        first: "accepted", during: "accepted", after: "accepted"}
    assert ack_files(tmp_path / "data" / "outbox") == {first: 1, during: 1, after: 1}


async def test_a_killed_edge_takes_its_processing_process_with_it(tmp_path):
    port = free_port()
    intake = start_intake_process(tmp_path, port)
    try:
        await until(lambda: listening(port), 30)
        await _send(port)
        await until(lambda: settled(tmp_path / "returns.db"), 60)
        family = descendants(intake.pid)
        assert _children_named(intake.pid, CHILD_NAME)
        intake.send_signal(signal.SIGKILL)
        intake.wait(10)
        await until(lambda: not any(_alive(pid) for pid in family), 30)
    finally:
        if intake.poll() is None:
            intake.kill()
            intake.wait(10)


async def test_row_ids_are_queued_whole_however_the_pipe_splits_them(caplog):
    read_end, write_end = os.pipe()
    queued: list[int] = []
    with open(read_end, "rb", buffering=0) as source:
        reading = asyncio.create_task(enqueue_input(queued.append, source))
        for chunk in (b"1\n2", b"3\n\nnot-an-id\n4", b"56\n", b"7"):
            os.write(write_end, chunk)
            await asyncio.sleep(0.01)
        os.close(write_end)
        await asyncio.wait_for(reading, 5)
    assert queued == [1, 23, 456, 7]
    assert [record.getMessage() for record in caplog.records] == [
        "not a message id from the edge: b''", "not a message id from the edge: b'not-an-id'"]
