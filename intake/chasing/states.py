"""Each LA's counting state, with the errors of that version, as a chaser reports it."""

from __future__ import annotations

from dataclasses import dataclass

from store.db import Database
from store.picture import with_counting


@dataclass(frozen=True)
class LaState:
    """An LA's counting state, with the errors of that version, as a chaser reports it."""

    la_code: str
    la_name: str
    region: str
    status: str
    version: int | None
    ref: str | None
    received_at: str | None
    problems: str
    errors: tuple[str, ...]


STATES = with_counting("""
SELECT s.la_code, s.la_name, s.region, s.status, s.version, s.received_at, s.submission_id,
       m.ref, COALESCE(c.problems, '') AS problems
FROM standing s
LEFT JOIN submissions c ON c.id = s.submission_id
LEFT JOIN messages m ON m.id = c.message_id
ORDER BY s.region, s.la_name
""")

# The errors of the counting versions only: those of earlier versions are never reported.
COUNTING_ERRORS = with_counting("""
SELECT f.submission_id, f.action, f.cell, f.text
FROM findings f JOIN counting c ON c.id = f.submission_id
WHERE f.severity = 'error'
ORDER BY f.id
""")


def la_states(db: Database, la_codes: list[str] | None) -> list[LaState]:
    """Each LA's counting state with the errors of that version (its latest, when none is valid)."""
    wanted = None if la_codes is None else set(la_codes)
    rows = [row for row in db.query(STATES) if wanted is None or row["la_code"] in wanted]
    errors: dict[int, list[str]] = {}
    for finding in db.query(COUNTING_ERRORS):
        errors.setdefault(finding["submission_id"], []).append(_finding_line(finding))
    return [LaState(row["la_code"], row["la_name"], row["region"], row["status"], row["version"],
                   row["ref"], row["received_at"], row["problems"],
                   tuple(errors.get(row["submission_id"], ())))
            for row in rows]


def _finding_line(finding: dict) -> str:
    where = ", ".join(part for part in (finding["action"] and f"action {finding['action']}",
                                        finding["cell"] and f"cell {finding['cell']}") if part)
    return f"[{where}] {finding['text']}" if where else finding["text"]
