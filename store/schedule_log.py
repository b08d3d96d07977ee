"""What the scheduler has done: digests posted (one per scope a day) and chase slots run.

The tables (`digests_posted`, `chase_runs`) are in store/schema.py.

Both are claimed inside a BEGIN IMMEDIATE transaction, so two bot processes, or a restart,
never post the same digest or run the same slot twice.
"""

from __future__ import annotations

from datetime import date, datetime

from store.db import Database
from store.transactions import immediate


def claim_digest(db: Database, scope: str, day: date, channel: str, now: datetime,
                 *, force: bool = False) -> bool:
    """Take the right to post `scope`'s digest for `day`; False when it is already taken.

    `force` takes it even so (the posting time is updated).
    """
    with immediate(db):
        cursor = db.execute(
            f"""INSERT INTO digests_posted (scope, day, channel, posted_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (scope, day) DO {'UPDATE SET channel = excluded.channel, '
                                             'posted_at = excluded.posted_at'
                                             if force else 'NOTHING'}""",
            [scope, day.isoformat(), channel, now.isoformat()],
        )
        return cursor.rowcount == 1


def release_digest(db: Database, scope: str, day: date) -> None:
    """Give a claim back after a failed post, so that the next attempt may post."""
    with immediate(db):
        db.execute("DELETE FROM digests_posted WHERE scope = ? AND day = ?",
                   [scope, day.isoformat()])


def digest_posted(db: Database, scope: str, day: date) -> bool:
    """True when `scope`'s digest for `day` has been claimed (posted or being posted)."""
    row = db.execute("SELECT 1 FROM digests_posted WHERE scope = ? AND day = ?",
                     [scope, day.isoformat()]).fetchone()
    return row is not None


def record_chase_run(db: Database, slot: date, now: datetime, queued: int) -> None:
    """Note that `slot` ran (call inside the transaction that queued its chasers)."""
    db.execute(
        """INSERT INTO chase_runs (slot, ran_at, queued) VALUES (?, ?, ?)
           ON CONFLICT (slot) DO UPDATE SET queued = queued + excluded.queued""",
        [slot.isoformat(), now.isoformat(), queued],
    )


def chase_run_done(db: Database, slot: date) -> bool:
    """True when `slot` has already been run."""
    row = db.execute("SELECT 1 FROM chase_runs WHERE slot = ?", [slot.isoformat()]).fetchone()
    return row is not None
