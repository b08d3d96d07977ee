"""The audit log: who did what by hand (releases, dismissals, imports, on-demand chasers)."""

from __future__ import annotations

from datetime import UTC, datetime

from store.db import Database


def record_audit(db: Database, actor: str, action: str, message_ref: str | None,
                 detail: str) -> None:
    """Log one action, at the real time it was done (not the collection clock)."""
    db.execute("INSERT INTO audit (at, actor, action, message_ref, detail) VALUES (?, ?, ?, ?, ?)",
               [datetime.now(UTC).isoformat(), actor, action, message_ref, detail])
