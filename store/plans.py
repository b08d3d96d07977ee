"""Planned actions a regional lead records against an LA, a region or a theme, with author and
time: what the regional return's "summary of planned regional action" is drafted from."""

from __future__ import annotations

from dataclasses import dataclass

from store.db import Database
from store.transactions import immediate

CREATE = """
CREATE TABLE planned_actions (
    id INTEGER PRIMARY KEY,
    region TEXT,                    -- the region it belongs to; NULL for a national action
    la_code TEXT REFERENCES authorities(code),
    theme TEXT,                     -- a theme or action ('Testing', '2.1'), when not one LA
    by_nhs INTEGER NOT NULL DEFAULT 0,  -- 1: an action NHS regional teams are planning
    text TEXT NOT NULL,
    author TEXT NOT NULL,           -- Slack user id, or 'terminal'
    created_at TEXT NOT NULL        -- collection clock
)
"""


@dataclass(frozen=True)
class PlannedAction:
    """What someone plans to do, and about what."""

    region: str | None
    la_code: str | None
    theme: str | None
    text: str
    author: str
    created_at: str
    by_nhs: bool = False


def create_table(db: Database) -> None:
    """The planned actions table (a migration's job)."""
    db.execute(CREATE)


def record_plan(db: Database, plan: PlannedAction) -> None:
    """Keep a planned action."""
    with immediate(db):
        db.execute(
            "INSERT INTO planned_actions (region, la_code, theme, by_nhs, text, author, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [plan.region, plan.la_code, plan.theme, int(plan.by_nhs), plan.text, plan.author,
             plan.created_at])


def planned_actions(db: Database, region: str | None = None) -> list[dict]:
    """Planned actions, oldest first, with the LA's name; one region's when `region` is given."""
    where, params = ("WHERE p.region = ?", [region]) if region else ("", [])
    return list(db.query(
        f"""SELECT p.*, a.name AS la_name FROM planned_actions p
            LEFT JOIN authorities a ON a.code = p.la_code {where}
            ORDER BY p.created_at, p.id""", params))
