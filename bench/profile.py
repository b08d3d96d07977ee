"""Where the intake's time goes, message by message, in this process.

Each typical message goes through the intake's stages one after the other, timed apart:
commit at the SMTP edge (`store_raw`), reading in this process (`read_message`) and through
the limited worker (`read_message_limited`: the same read plus the trip to the worker),
deciding and committing (`process_stored`), and writing the acknowledgement (`send_due`).
Then cProfile runs the reading and processing over the same messages and names the
functions that take the time.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bench.mail import Mail
from bench.processes import REPO
from bench.stats import spread
from intake.outgoing import send_due
from intake.pipeline import process_stored
from intake.reading.message import read_message, read_message_limited
from store.collection import Collection
from store.db import open_db
from store.messages import StoredMessage, store_raw
from store.register import load_into
from store.settings import Settings

TOP = 12
# The pipeline's parts, in order: reading (in the worker), then deciding and committing.
PARTS = (("intake/reading/mime.py", "parse_mime"), ("intake/reading/sheets.py", "read_sheets"),
         ("intake/reading/template.py", "find_template"), ("intake/reading/letters.py", "read_letter"),
         ("intake/pipeline.py", "decide_message"), ("intake/identify.py", "identify_authority"),
         ("intake/validation.py", "validate_return"), ("intake/pipeline.py", "record_message"),
         ("intake/replies.py", "compose_ack"))


def stage_times(mails: Sequence[Mail], settings: Settings, collection: Collection) -> dict[str, Any]:
    """Per stage, the spread of its time per message."""
    return asyncio.run(_stage_times(mails, settings, collection))


async def _stage_times(mails: Sequence[Mail], settings: Settings,
                       collection: Collection) -> dict[str, Any]:
    db = open_db(settings.returns_db)
    load_into(db)
    for _ in range(2):      # the sandbox starts each of its two workers on first use
        await read_message_limited(mails[0].raw, collection)
    stages: dict[str, list[float]] = {name: [] for name in
                                      ("store_raw", "read_message", "read_message_limited",
                                       "process_stored", "send_due")}
    try:
        for mail in mails:
            stored = _timed(stages["store_raw"], _store, db, mail, settings)
            _timed(stages["read_message"], read_message, stored.raw, collection)
            started = time.perf_counter()
            read = await read_message_limited(stored.raw, collection)
            stages["read_message_limited"].append(time.perf_counter() - started)
            _timed(stages["process_stored"], process_stored, db, settings, collection, stored,
                   read)
            started = time.perf_counter()
            await send_due(settings, db)
            stages["send_due"].append(time.perf_counter() - started)
    finally:
        db.close()
    return {name: spread(took).to_json() for name, took in stages.items()}


def hot_functions(mails: Sequence[Mail], settings: Settings,
                  collection: Collection) -> dict[str, Any]:
    """cProfile of reading and processing `mails` (a fresh store): the pipeline's parts and
    the functions with the most time of their own. Times are inflated by the profiler: read
    them as shares."""
    db = open_db(settings.returns_db)
    load_into(db)
    stored = [_store(db, mail, settings) for mail in mails]
    profiler = cProfile.Profile()
    profiler.enable()
    for message in stored:
        process_stored(db, settings, collection, message, read_message(message.raw, collection))
    profiler.disable()
    db.close()
    stats = pstats.Stats(profiler)
    rows = [_row(key, value, len(mails)) for key, value in stats.stats.items()]  # type: ignore[attr-defined]
    parts = {f"{path}:{name}": row["cumulative_ms_per_message"] for path, name in PARTS
             for row in rows if row["function"].startswith(path) and
             row["function"].endswith(f"({name})")}
    return {"parts_ms_per_message": parts,
            "by_own_time": sorted(rows, key=lambda r: -r["own_ms_per_message"])[:TOP]}


def _row(key: tuple[str, int, str], value: tuple, messages: int) -> dict[str, Any]:
    filename, line, name = key
    _, calls, own, cumulative, _ = value
    where = _short(filename)
    return {"function": f"{where}:{line}({name})", "calls_per_message": round(calls / messages, 1),
            "own_ms_per_message": round(own * 1000 / messages, 3),
            "cumulative_ms_per_message": round(cumulative * 1000 / messages, 3)}


def _short(filename: str) -> str:
    """A library file as `package/module.py`, ours as `intake/module.py`, the stdlib's by name."""
    for marker in ("site-packages/", f"{REPO}/"):
        if marker in filename:
            return filename.split(marker)[-1]
    return re.sub(r"^.*/lib/python3\.\d+/", "", filename)


def _store(db: Any, mail: Mail, settings: Settings) -> StoredMessage:
    message_id = mail.raw.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
    stored, _ = store_raw(db, mail.raw, message_id=message_id, mail_from=mail.mail_from,
                          rcpt_to=list(settings.inbox_addresses),
                          collection_time=settings.returns_now or datetime.now().astimezone())
    return stored


def _timed(into: list[float], call: Callable[..., Any], *args: Any) -> Any:
    started = time.perf_counter()
    result = call(*args)
    into.append(time.perf_counter() - started)
    return result
