"""Received messages: stored raw and durably first, given a disposition once processed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from store.db import Database, rows_of
from store.transactions import immediate

DISPOSITIONS = ("accepted", "quarantined", "rejected", "ignored")
# A stored message with its bytes, which live in a table of their own.
_WITH_RAW = "SELECT m.*, r.raw FROM messages m JOIN message_raw r ON r.id = m.id"


@dataclass(frozen=True)
class StoredMessage:
    id: int
    ref: str
    message_id: str
    mail_from: str
    rcpt_to: tuple[str, ...]
    received_at: str
    collection_time: str
    raw: bytes
    disposition: str | None
    reason: str | None
    la_code: str | None


def make_ref(row_id: int) -> str:
    """The reference quoted to senders and staff."""
    return f"CHR-{row_id:06d}"


def store_raw(db: Database, raw: bytes, **fields: Any) -> tuple[StoredMessage, bool]:
    """Commit one received message (`fields` as for `add_raw`); returns it and whether it was
    new."""
    with immediate(db):
        return add_raw(db, raw, **fields)


def add_raw(
    db: Database,
    raw: bytes,
    *,
    message_id: str,
    mail_from: str,
    rcpt_to: list[str],
    collection_time: datetime,
    peer: str | None = None,
    subject: str = "",
    from_header: str = "",
) -> tuple[StoredMessage, bool]:
    """Add one received message inside the caller's write transaction (`immediate`): the SMTP
    edge commits several at once. Returns it and whether it was new.

    The same message delivered twice (same Message-ID and content hash) is stored once.
    """
    sha = hashlib.sha256(raw).hexdigest()
    existing = _find(db, message_id, sha)
    if existing is not None:
        return existing, False
    row_id = _next_id(db)
    stored = StoredMessage(
        id=row_id, ref=make_ref(row_id), message_id=message_id, mail_from=mail_from,
        rcpt_to=tuple(rcpt_to), received_at=datetime.now(UTC).isoformat(),
        collection_time=collection_time.isoformat(), raw=raw, disposition=None,
        reason=None, la_code=None)
    db.execute(
        """INSERT INTO messages (id, ref, message_id, sha256, size, mail_from, rcpt_to,
               peer, received_at, collection_time, subject, from_header)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [stored.id, stored.ref, message_id, sha, len(raw), mail_from,
         json.dumps(rcpt_to), peer, stored.received_at, stored.collection_time, subject,
         from_header],
    )
    # Apart from the row that processing updates (see schema.m009_raw_messages_apart).
    db.execute("INSERT INTO message_raw (id, raw) VALUES (?, ?)", [stored.id, raw])
    # Built from what was written rather than read back: this runs before every 250.
    return stored, True


def _next_id(db: Database) -> int:
    # Inside the write lock, so no other writer can take it; the row is written once, with
    # its reference (an UPDATE for the reference would rewrite the whole raw message).
    return db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM messages").fetchone()[0]


def _find(db: Database, message_id: str, sha: str) -> StoredMessage | None:
    rows = rows_of(db, f"{_WITH_RAW} WHERE m.message_id = ? AND m.sha256 = ?", [message_id, sha])
    return _to_message(rows[0]) if rows else None


def _to_message(row: dict) -> StoredMessage:
    return StoredMessage(
        id=row["id"], ref=row["ref"], message_id=row["message_id"], mail_from=row["mail_from"],
        rcpt_to=tuple(json.loads(row["rcpt_to"])), received_at=row["received_at"],
        collection_time=row["collection_time"], raw=row["raw"], disposition=row["disposition"],
        reason=row["reason"], la_code=row["la_code"],
    )


def get_message(db: Database, row_id: int) -> StoredMessage | None:
    rows = rows_of(db, f"{_WITH_RAW} WHERE m.id = ?", [row_id])
    return _to_message(rows[0]) if rows else None


def get_by_ref(db: Database, ref: str) -> StoredMessage | None:
    rows = rows_of(db, f"{_WITH_RAW} WHERE m.ref = ? COLLATE NOCASE", [ref.strip()])
    return _to_message(rows[0]) if rows else None


def unprocessed_ids(db: Database) -> list[int]:
    """Messages stored but not yet given a disposition (e.g. after a crash), oldest first."""
    return [row["id"] for row in
            db.query("SELECT id FROM messages WHERE disposition IS NULL ORDER BY id")]


def disposition_of(db: Database, row_id: int) -> str | None:
    """How a message ended so far (None: not yet, or no such message)."""
    row = db.execute("SELECT disposition FROM messages WHERE id = ?", [row_id]).fetchone()
    return row[0] if row else None


def count_attempt(db: Database, row_id: int) -> int:
    """Note one more processing attempt of a message; returns the count so far."""
    db.execute("UPDATE messages SET attempts = attempts + 1 WHERE id = ?", [row_id])
    return next(db.query("SELECT attempts FROM messages WHERE id = ?", [row_id]))["attempts"]


def set_disposition(
    db: Database, row_id: int, disposition: str, reason: str, *, la_code: str | None = None,
    reply_decision: str | None = None,
) -> None:
    """Record how a message ended. Call inside the transaction that records its effects."""
    if disposition not in DISPOSITIONS:
        raise ValueError(f"unknown disposition {disposition!r}")
    db.execute(
        """UPDATE messages SET disposition = ?, reason = ?, la_code = ?, reply_decision = ?,
               processed_at = ? WHERE id = ?""",
        [disposition, reason, la_code, reply_decision, datetime.now(UTC).isoformat(), row_id],
    )
