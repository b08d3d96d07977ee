"""The outbox: every outgoing mail as a row, queued with the decision to send it.

The store knows nothing of SMTP: a sender loop reads the due rows, delivers them and marks
them. Times here are real time (UTC), never the collection clock: retries and the per-sender
hourly limit are about what really happened on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from store.db import Database
from store.transactions import immediate

# Each outbox row's envelope recipients, normalised, so that counting the acknowledgements a
# sender had lately is an index lookup, not a scan of every row's JSON list.
CREATE_RECIPIENTS = """
CREATE TABLE outbox_recipients (
    address TEXT NOT NULL,          -- stripped and lower-cased
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    PRIMARY KEY (address, outbox_id)
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class OutgoingMail:
    id: int
    kind: str                       # 'ack' | 'chaser'
    dedupe_key: str
    recipients: tuple[str, ...]
    raw: bytes
    attempts: int
    created_at: datetime
    message_id: int | None
    la_code: str | None


def to_db_time(moment: datetime) -> str:
    """UTC ISO text with a fixed width, so that text order is time order in SQL."""
    if moment.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def queue_mail(
    db: Database,
    *,
    kind: str,
    dedupe_key: str,
    recipients: list[str],
    raw: bytes,
    message_id: int | None = None,
    la_code: str | None = None,
    collection_time: datetime,
) -> bool:
    """Queue one mail, due at once; False when a mail with this `dedupe_key` is already queued.

    Call inside the caller's transaction, so that the mail exists if and only if the decision
    to send it was committed.
    """
    now = to_db_time(datetime.now(UTC))
    cursor = db.execute(
        """INSERT OR IGNORE INTO outbox (kind, dedupe_key, message_id, la_code, recipients,
               created_at, collection_time, next_attempt_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [kind, dedupe_key, message_id, la_code, json.dumps(recipients), now,
         collection_time.isoformat(), now],
    )
    if cursor.rowcount != 1:
        return False
    # The bytes in a row of their own (m010): claiming and marking the mail rewrite its row.
    db.execute("INSERT INTO outbox_raw (id, raw) VALUES (?, ?)", [cursor.lastrowid, raw])
    db.conn.executemany("INSERT OR IGNORE INTO outbox_recipients (address, outbox_id) "
                        "VALUES (?, ?)",
                        [(_address_key(address), cursor.lastrowid) for address in recipients])
    return True


def _address_key(address: str) -> str:
    return address.strip().lower()


def create_recipients_table(db: Database) -> None:
    """The recipients table, filled from the mail already in the outbox (a migration's job)."""
    db.execute(CREATE_RECIPIENTS)
    db.execute("""INSERT OR IGNORE INTO outbox_recipients (address, outbox_id)
                  SELECT lower(trim(r.value)), outbox.id
                  FROM outbox, json_each(outbox.recipients) AS r""")


def due_mail(db: Database, now: datetime, limit: int) -> list[OutgoingMail]:
    """Pending mail whose next attempt is due at `now` (real time), oldest first."""
    # A plain cursor, not `db.query`: this runs inside the claim, where the savepoint that
    # query() wraps a read in only adds statements.
    rows = db.execute(
        """SELECT id, kind, dedupe_key, recipients, raw, attempts, created_at, message_id,
                  la_code
           FROM outbox JOIN outbox_raw USING (id)
           WHERE status = 'pending' AND next_attempt_at <= ?
           ORDER BY next_attempt_at, id LIMIT ?""",
        [to_db_time(now), limit],
    )
    return [_to_mail(*row) for row in rows]


def _to_mail(mail_id: int, kind: str, dedupe_key: str, recipients: str, raw: bytes, attempts: int,
             created_at: str, message_id: int | None, la_code: str | None) -> OutgoingMail:
    return OutgoingMail(
        id=mail_id, kind=kind, dedupe_key=dedupe_key, recipients=tuple(json.loads(recipients)),
        raw=raw, attempts=attempts, created_at=datetime.fromisoformat(created_at),
        message_id=message_id, la_code=la_code,
    )


def mark_sent(db: Database, sent: Sequence[tuple[int, datetime]]) -> None:
    """Record that the relay (or the maildir) took each (mail id, when) of `sent`."""
    # One statement run for each: a batch's marks share a prepared statement.
    db.conn.executemany(
        """UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,
               last_error = NULL WHERE id = ?""",
        [(to_db_time(at), mail_id) for mail_id, at in sent],
    )


def mark_failed(
    db: Database, mail_id: int, now: datetime, error: str, next_attempt_at: datetime | None
) -> None:
    """Record a failed attempt: retried at `next_attempt_at`, or given up for good when None."""
    if next_attempt_at is None:
        db.execute(
            """UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,
                   next_attempt_at = ? WHERE id = ?""",
            [error, to_db_time(now), mail_id],
        )
    else:
        db.execute(
            """UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
               WHERE id = ?""",
            [error, to_db_time(next_attempt_at), mail_id],
        )


def replies_to_sender_since(db: Database, address: str, since: datetime) -> int:
    """Acknowledgements queued to `address` since `since` (real time, e.g. an hour ago)."""
    row = db.execute(
        """SELECT COUNT(*) FROM outbox_recipients r JOIN outbox ON outbox.id = r.outbox_id
           WHERE r.address = ? AND outbox.kind = 'ack' AND outbox.created_at >= ?""",
        [_address_key(address), to_db_time(since)],
    ).fetchone()
    return row[0]


def pending_count(db: Database) -> int:
    """Mail not yet delivered and not given up."""
    return db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]


def claim_due(db: Database, now: datetime, lease_until: datetime, limit: int,
              recording: Sequence[Outcome] = ()) -> list[OutgoingMail]:
    """Take up to `limit` mails due at `now`, oldest first, for one delivery attempt each: one
    transaction for the whole batch, which records `recording` (the last batch's outcomes,
    when the sender kept them for it) first.

    The lease pushes their next attempt past the time the batch may take, so two senders on one
    store never deliver the same row at once, and a sender that dies mid-batch leaves its rows
    to be retried when the lease runs out.
    """
    if not recording and not _any_due(db, now):   # most wake-ups find nothing: no write lock
        return []
    with immediate(db):
        _record(db, recording)
        mails = due_mail(db, now, limit)
        if mails:
            db.execute(f"UPDATE outbox SET next_attempt_at = ? WHERE id IN ({_marks(mails)})",
                       [to_db_time(lease_until), *(mail.id for mail in mails)])
    return mails


def _any_due(db: Database, now: datetime) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                      "LIMIT 1", [to_db_time(now)]).fetchone() is not None


def _marks(items: Sequence[object]) -> str:
    return ", ".join("?" * len(items))


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt came to."""

    mail_id: int
    at: datetime                        # when the attempt ended (real time)
    error: str | None = None            # None: the relay (or the maildir) took the mail
    retry_at: datetime | None = None    # after an error, the next attempt; None: given up


def record_outcomes(db: Database, outcomes: Sequence[Outcome]) -> None:
    """Record the outcomes of a batch's attempts, all in one transaction."""
    with immediate(db):
        _record(db, outcomes)


def _record(db: Database, outcomes: Sequence[Outcome]) -> None:
    mark_sent(db, [(outcome.mail_id, outcome.at) for outcome in outcomes if outcome.error is None])
    for outcome in outcomes:
        if outcome.error is not None:
            mark_failed(db, outcome.mail_id, outcome.at, outcome.error, outcome.retry_at)


def hand_back(db: Database, mails: Sequence[OutgoingMail], now: datetime,
              lease_until: datetime) -> None:
    """Make claimed mails that were never tried due again at `now` (a batch stopped early),
    unless another sender has taken them since."""
    db.execute(
        f"""UPDATE outbox SET next_attempt_at = ?
            WHERE status = 'pending' AND next_attempt_at = ? AND id IN ({_marks(mails)})""",
        [to_db_time(now), to_db_time(lease_until), *(mail.id for mail in mails)])
