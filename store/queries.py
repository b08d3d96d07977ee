"""Read-only questions the bot and the digest ask of the store, each a few set-based queries.

Every function answers for all LAs at once (151 rows at most per query): callers filter to a
scope in memory, so an answer costs the same few queries however wide the question. Where each
LA stands (its counting version and status) is `store.picture`'s to say.
"""

from __future__ import annotations

from store.db import Database
from store.picture import with_counting

COUNTING_ANSWERS = with_counting("""
SELECT c.la_code, c.total_care_homes, c.template_file, m.ref AS message_ref,
       ans.action, ans.homes_in_place, ans.raw_homes_in_place, ans.support_needed,
       ans.support_description, ans.issues, ans.cell
FROM counting c
JOIN answers ans ON ans.submission_id = c.id
LEFT JOIN messages m ON m.id = c.message_id
ORDER BY c.la_code, ans.action
""")

COUNTING_TEXTS = with_counting("""
SELECT c.la_code, c.support_benefit, c.regional_issues, c.template_file, m.ref AS message_ref
FROM counting c LEFT JOIN messages m ON m.id = c.message_id
WHERE TRIM(COALESCE(c.support_benefit, '')) != '' OR TRIM(COALESCE(c.regional_issues, '')) != ''
""")

QUARANTINED = """
SELECT m.ref, m.mail_from, m.subject, m.reason, m.received_at, m.collection_time, m.la_code,
       a.name AS la_name
FROM messages m LEFT JOIN authorities a ON a.code = m.la_code
WHERE m.disposition = 'quarantined'
ORDER BY m.id
"""


def counting_answers(db: Database) -> list[dict]:
    """Every answer of every counting submission, with its LA, total and source."""
    return list(db.query(COUNTING_ANSWERS))


def counting_texts(db: Database) -> list[dict]:
    """The free-text boxes (support wanted, issues for regional teams) of counting returns."""
    return list(db.query(COUNTING_TEXTS))


def quarantined_messages(db: Database) -> list[dict]:
    """Messages waiting for a person to release or dismiss them, oldest first."""
    return list(db.query(QUARANTINED))


def authority_versions(db: Database, la_code: str) -> list[dict]:
    """An LA's versions, oldest first, each with its message reference and findings."""
    rows = list(db.query(
        """SELECT s.*, m.ref AS message_ref FROM submissions s
           LEFT JOIN messages m ON m.id = s.message_id
           WHERE s.la_code = ? ORDER BY s.version""", [la_code]))
    findings: dict[int, list[dict]] = {row["id"]: [] for row in rows}
    for finding in db.query(
            """SELECT f.* FROM findings f JOIN submissions s ON s.id = f.submission_id
               WHERE s.la_code = ? ORDER BY f.id""", [la_code]):
        findings[finding["submission_id"]].append(finding)
    return [{**row, "findings": findings[row["id"]]} for row in rows]
