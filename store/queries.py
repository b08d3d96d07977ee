"""Read-only questions the bot and the digest ask of the store, each a few set-based queries.

Every function answers for all LAs at once (151 rows at most per query): callers filter to a
scope in memory, so an answer costs the same few queries however wide the question.
"""

from __future__ import annotations

from sqlite_utils import Database

AUTHORITY_STATES = """
SELECT a.code AS la_code, a.name AS la_name, a.region, a.nhs_region,
       s.submission_id, s.version, s.received_at, s.status,
       m.ref AS message_ref, c.template_file, c.total_care_homes, c.problems,
       COALESCE(v.versions, 0) AS versions, v.first_received_at,
       ch.last_chased
FROM authorities a
JOIN authority_status s ON s.la_code = a.code
LEFT JOIN counting_submissions c ON c.id = s.submission_id
LEFT JOIN messages m ON m.id = c.message_id
LEFT JOIN (SELECT la_code, COUNT(*) AS versions, MIN(received_at) AS first_received_at
           FROM submissions GROUP BY la_code) v ON v.la_code = a.code
LEFT JOIN (SELECT la_code, MAX(collection_time) AS last_chased
           FROM outbox WHERE kind = 'chaser' GROUP BY la_code) ch ON ch.la_code = a.code
ORDER BY a.region, a.name
"""

# The counting version picked once per LA with a window (the same rule as the
# `counting_submissions` view, whose correlated subquery is slow to join answers through).
COUNTING_ANSWERS = """
WITH ranked AS (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY la_code
                                  ORDER BY (status = 'valid') DESC, version DESC) AS rank
    FROM submissions
)
SELECT c.la_code, c.total_care_homes, c.template_file, m.ref AS message_ref,
       ans.action, ans.homes_in_place, ans.raw_homes_in_place, ans.support_needed,
       ans.support_description, ans.issues, ans.cell
FROM ranked r
JOIN submissions c ON c.id = r.id AND r.rank = 1
JOIN answers ans ON ans.submission_id = c.id
LEFT JOIN messages m ON m.id = c.message_id
ORDER BY c.la_code, ans.action
"""

COUNTING_TEXTS = """
SELECT c.la_code, c.support_benefit, c.regional_issues, c.template_file, m.ref AS message_ref
FROM counting_submissions c LEFT JOIN messages m ON m.id = c.message_id
WHERE TRIM(COALESCE(c.support_benefit, '')) != '' OR TRIM(COALESCE(c.regional_issues, '')) != ''
"""

QUARANTINED = """
SELECT m.ref, m.mail_from, m.subject, m.reason, m.received_at, m.collection_time, m.la_code,
       a.name AS la_name
FROM messages m LEFT JOIN authorities a ON a.code = m.la_code
WHERE m.disposition = 'quarantined'
ORDER BY m.id
"""


def authority_states(db: Database) -> list[dict]:
    """One row per LA: counting version and status ('missing' when nothing came), its message
    reference, how many versions, the first receipt, and when it was last chased."""
    return list(db.query(AUTHORITY_STATES))


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
