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
from dataclasses import dataclass
from pathlib import Path

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
    # Plain descriptors and path strings: a file object and two Path objects a mail cost more
    # CPU than writing its bytes.
    directory = os.fspath(outbox_dir)
    staged = [_stage(directory, mail) for mail in mails]
    results: list[Exception | None] = []
    for file in staged:
        if time.monotonic() > last_start:
            _discard(file)
        else:
            results.append(_place(file))
    if any(result is None for result in results):
        try:
            _sync_directory(directory)
        except OSError as error:
            return [error if result is None else result for result in results]
    return results


@dataclass(frozen=True)
class _Staged:
    """A mail's bytes written beside its final name, the file left open to be synced."""

    fd: int
    aside: str
    final: str


def _stage(directory: str, mail: OutgoingMail) -> _Staged | Exception:
    name = eml_name(mail)
    aside = os.path.join(directory, f".{name}.tmp")
    try:
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    except Exception as error:  # any failure is the mail's alone: it is retried later
        return error
    try:
        view = memoryview(mail.raw)
        while view:
            view = view[os.write(fd, view):]
    except Exception as error:
        os.close(fd)
        return error
    return _Staged(fd, aside, os.path.join(directory, name))


def _place(staged: _Staged | Exception) -> Exception | None:
    if isinstance(staged, Exception):
        return staged
    try:
        try:
            os.fsync(staged.fd)
        finally:
            os.close(staged.fd)
        os.replace(staged.aside, staged.final)
    except Exception as error:
        return error
    return None


def _discard(staged: _Staged | Exception) -> None:
    if isinstance(staged, Exception):
        return
    os.close(staged.fd)
    Path(staged.aside).unlink(missing_ok=True)


def _sync_directory(directory: str) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
