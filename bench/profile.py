"""Where the intake's time goes, message by message, in this process.

`python -m bench.profile` runs the bench's realistic returns (bench/mixed_returns.py, 200 by
default) through a worker's steps in this process and prints the CPU per message of each
(`worker_cpu`: the stored row fetched, read, decided, recorded), then the hot functions.

Each typical message goes through the intake's stages one after the other, timed apart:
commit at the SMTP edge (`store_raw`), reading in this process (`read_message`) and through
the limited worker (`read_message_limited`: the same read plus the trip to the worker),
deciding and committing (`process_stored`), and writing the acknowledgement (`send_due`).
Then cProfile runs the reading and processing over the same messages and names the
functions that take the time.

`--dump FILE` writes instead every row that deciding and recording the returns leaves in a
fresh store, and each acknowledgement's bytes (clocks left out, random parts masked): a change
that must not change behaviour gives the same file before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.mail import Mail
from bench.mixed_returns import realistic_returns
from bench.processes import NOW, REPO
from bench.stats import spread
from intake.handling import Handling
from intake.outgoing import send_due
from intake.pipeline import decide_message, process_stored, record_message
from intake.reading.message import read_message, read_message_limited
from store.collection import Collection, load_collection
from store.context import Context
from store.db import open_db
from store.messages import StoredMessage, get_message, store_raw
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


def worker_cpu(mails: Sequence[Mail], settings: Settings,
               collection: Collection) -> dict[str, float]:
    """CPU ms per message (mean over `mails`, this thread's CPU, not wall time) of each step a
    sandbox worker takes (intake/worker.py): fetch the stored row, read, decide, record."""
    db = open_db(settings.returns_db)
    load_into(db)
    rows = [_store(db, mail, settings).id for mail in mails]
    # A worker's connection commits as intake/worker.py explains (no fsync of its own).
    db.execute("PRAGMA synchronous = NORMAL")
    job = Context(db, settings, collection)
    spent = dict.fromkeys(("get_message", "read_message", "decide", "record"), 0.0)
    # A worker lives for many messages: its imports and the register's indexes are built once.
    decide_message(job, Handling(get_message(db, rows[0]), read=read_message(mails[0].raw,
                                                                             collection)))
    for row_id in rows:
        message = _cpu(spent, "get_message", get_message, db, row_id)
        reading = _cpu(spent, "read_message", read_message, message.raw, collection)
        handling = _cpu(spent, "decide", decide_message, job, Handling(message, read=reading))
        _cpu(spent, "record", record_message, job, handling)
    db.close()
    per_message = {name: round(took * 1000 / len(rows), 3) for name, took in spent.items()}
    return {**per_message, "total": round(sum(per_message.values()), 3)}


def recorded(mails: Sequence[Mail], settings: Settings, collection: Collection) -> str:
    """Every row that deciding and recording `mails` leaves in a fresh store, as text, with
    each acknowledgement's bytes: the same text before and after a change that must not
    change what is stored or sent (diff two runs' `--dump`)."""
    db = open_db(settings.returns_db)
    load_into(db)
    job = Context(db, settings, collection)
    for row_id in [_store(db, mail, settings).id for mail in mails]:
        message = get_message(db, row_id)
        record_message(job, decide_message(job, Handling(
            message, read=read_message(message.raw, collection))))
    lines = []
    for table in sorted(set(db.table_names()) - {"_sqlite_migrations", "authorities"}):
        columns = [name for name in db[table].columns_dict if name not in _UNSTABLE]
        if table == "message_raw":      # generated, so unstable, and what was read anyway
            columns.remove("raw")
        lines.append(f"== {table}")
        lines += sorted(repr([_masked(value) for value in row]) for row in
                        db.conn.execute(f"SELECT {', '.join(columns)} FROM [{table}]"))
    db.close()
    return "\n".join(lines) + "\n"


# Columns that differ between runs whatever the code: clocks, and the generated mail's own
# size and hash (a generated attachment carries the time it was written).
_UNSTABLE = frozenset({"sha256", "size", "added_at", "received_at", "processed_at",
                       "created_at", "applied_at", "at", "seen_at", "posted_at", "ran_at",
                       "announced_at", "next_attempt_at", "sent_at"})


def _masked(value: Any) -> Any:
    """An acknowledgement with its random boundary and Message-ID masked."""
    if not isinstance(value, bytes) or b"\nAuto-Submitted: auto-replied\n" not in value:
        return value
    text = value.decode("ascii")
    boundary = re.search(r'boundary="([^"]+)"', text)
    text = text.replace(boundary.group(1), "BOUNDARY") if boundary else text
    return re.sub(r"(?m)^Message-ID: .*$", "Message-ID: MASKED", text)


def _cpu(into: dict[str, float], stage: str, call: Callable[..., Any], *args: Any) -> Any:
    started = time.thread_time()
    result = call(*args)
    into[stage] += time.thread_time() - started
    return result


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


def main(argv: list[str] | None = None) -> int:
    """Print a worker's CPU per message by step, then the hot functions, over the bench's mix."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--messages", type=int, default=200, help="returns (default 200)")
    parser.add_argument("--seed", type=int, default=2020, help="of the mix (the bench's: 2020)")
    parser.add_argument("--no-profile", action="store_true", help="the CPU figures only")
    parser.add_argument("--dump", type=Path, help="write every row stored and acknowledgement "
                                                  "sent to this file instead")
    args = parser.parse_args(argv)
    collection = load_collection()
    mails = realistic_returns(args.messages, args.seed, collection)
    with tempfile.TemporaryDirectory(prefix="profile-") as workdir:
        if args.dump:
            args.dump.write_text(recorded(mails, _settings(Path(workdir), "dump"), collection))
            return 0
        results: dict[str, Any] = {"messages": len(mails), "worker_cpu_ms": worker_cpu(
            mails, _settings(Path(workdir), "cpu"), collection)}
        if not args.no_profile:
            results["hot_functions"] = hot_functions(mails, _settings(Path(workdir), "profile"),
                                                     collection)
    print(json.dumps(results, indent=2))
    return 0


def _settings(workdir: Path, name: str) -> Settings:
    return Settings(_env_file=None, returns_db=workdir / f"{name}.db",
                    returns_data_dir=workdir / name, returns_now=NOW)


if __name__ == "__main__":
    raise SystemExit(main())
