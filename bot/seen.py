"""Slack deliveries already answered: a retried event or a replayed request is answered once.

The table (`slack_seen`, see store/schema.py) lives in the store so that the memory survives
restarts within Slack's 5-minute replay window.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from store.db import Database

KEEP = timedelta(hours=1)       # well past Slack's 5-minute signature window and its retries


def delivery_key(body: dict, raw_body: str) -> str:
    """A question by its message (channel and ts); other events by their `event_id` (Slack's
    retries carry the same one); anything else (slash commands, button presses) by the hash
    of the exact signed body."""
    event = body.get("event") if isinstance(body, dict) else None
    if isinstance(event, dict) and _question(event):
        # A direct message that also @-mentions the bot arrives twice, as `message.im` and
        # `app_mention` with different event ids: it is one message and gets one answer.
        return f"message:{event['channel']}:{event['ts']}"
    event_id = body.get("event_id") if isinstance(body, dict) else None
    if event_id:
        return f"event:{event_id}"
    return "body:" + hashlib.sha256(raw_body.encode()).hexdigest()


def first_time(db: Database, key: str, now: datetime | None = None) -> bool:
    """Remember `key`; True when it had not been seen (this delivery should be answered)."""
    now = now or datetime.now(UTC)
    db.execute("DELETE FROM slack_seen WHERE seen_at < ?", [(now - KEEP).isoformat()])
    cursor = db.execute("INSERT OR IGNORE INTO slack_seen (key, seen_at) VALUES (?, ?)",
                        [key, now.isoformat()])
    return cursor.rowcount == 1


def _question(event: dict) -> bool:
    """An event the bot answers as a question: a mention, or a person's direct message."""
    if not (event.get("channel") and event.get("ts")):
        return False
    return event.get("type") == "app_mention" or direct_message(event)


def direct_message(event: dict) -> bool:
    """A person writing to the bot directly; edits, joins and bots' posts are not questions."""
    return (event.get("type") == "message" and event.get("channel_type") == "im"
            and not event.get("subtype") and not event.get("bot_id"))
