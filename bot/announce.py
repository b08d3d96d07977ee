"""Mail that needs a person is announced in the national channel as it arrives."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.content import Button, Reply, Section
from bot.quarantine import DISMISS_ACTION, RELEASE_ACTION
from bot.wording import when
from store.collection import Collection
from store.db import Database
from store.transactions import immediate

UNANNOUNCED = """
    SELECT m.id, m.ref, m.mail_from, m.subject, m.reason, m.la_code, m.collection_time,
           a.name AS la_name
    FROM messages m LEFT JOIN authorities a ON a.code = m.la_code
    LEFT JOIN announcements seen ON seen.message_id = m.id
    WHERE m.disposition = 'quarantined' AND seen.message_id IS NULL
    ORDER BY m.id LIMIT 20"""


def claim_unannounced(db: Database) -> list[dict]:
    """Quarantined messages nobody has announced yet, claimed so no other process does."""
    with immediate(db):
        rows = list(db.query(UNANNOUNCED))
        now = datetime.now(UTC).isoformat()
        for row in rows:
            db.execute("INSERT INTO announcements (message_id, announced_at) VALUES (?, ?)",
                       [row["id"], now])
    return rows


def announcement(row: dict, collection: Collection) -> Reply:
    """One held message: who sent it, why it is held, and the buttons to decide."""
    buttons = []
    if row["la_code"]:
        buttons.append(Button(f"Release as {row['la_name']}", RELEASE_ACTION,
                              f"release {row['ref']} as {row['la_name']}", "primary"))
    buttons.append(Button("Dismiss", DISMISS_ACTION, f"dismiss {row['ref']}", "danger"))
    return Reply(
        f"{row['ref']} needs a person: mail from {row['mail_from'] or '(no sender)'}",
        (Section("", (f"Subject: {row['subject'] or '(no subject)'}",
                      f"Why it is held: {row['reason']}",
                      f"Received {when(row['collection_time'], collection)}",
                      f"Or type: release {row['ref']} as <LA>  ·  dismiss {row['ref']}")),),
        buttons=tuple(buttons),
    )
