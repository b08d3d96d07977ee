"""Where each LA stands: the one place for the counting rule, the status words, the tally,
lateness and last chased.

The version that **counts** for an LA is its latest `valid` one, or, if it has none, its
latest. An LA is *missing* when its counting version is not `valid`: then it either *needs
fixing* (errors), has its *letter missing* (only that), or nothing was *received*. The bot, the
digests, the chasers and the exports all ask this module, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from store.collection import Collection
from store.db import Database

VALID = "valid"
NEEDS_FIXING = "invalid"        # stored status of a version with errors
LETTER_MISSING = "incomplete"   # stored status of a version whose only error is no letter
NOT_RECEIVED = "missing"        # an LA that sent nothing (the authorities export's word)

STATUS_WORDS = {VALID: "valid", NEEDS_FIXING: "needs fixing",
                LETTER_MISSING: "letter missing", NOT_RECEIVED: "not received"}

# The counting rule in SQL, as common table expressions: `counting` holds each LA's counting
# version (a window, not a correlated subquery, so answers join through it quickly) and
# `standing` one row per LA with that version's status, or 'missing'.
COUNTING_CTES = f"""
counting AS (
    SELECT * FROM (
        SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.la_code
                                       ORDER BY (s.status = '{VALID}') DESC, s.version DESC)
                    AS counting_rank
        FROM submissions s)
    WHERE counting_rank = 1
),
standing AS (
    SELECT a.code AS la_code, a.name AS la_name, a.region, a.nhs_region,
           c.id AS submission_id, c.version, c.received_at, c.message_id,
           COALESCE(c.status, '{NOT_RECEIVED}') AS status
    FROM authorities a LEFT JOIN counting c ON c.la_code = a.code
)"""

STANDINGS = f"""
WITH {COUNTING_CTES}
SELECT s.la_code, s.la_name, s.region, s.nhs_region,
       s.submission_id, s.version, s.received_at, s.status,
       m.ref AS message_ref, c.template_file, c.total_care_homes, c.problems,
       COALESCE(v.versions, 0) AS versions, v.first_received_at,
       ch.last_chased
FROM standing s
LEFT JOIN counting c ON c.id = s.submission_id
LEFT JOIN messages m ON m.id = c.message_id
LEFT JOIN (SELECT la_code, COUNT(*) AS versions, MIN(received_at) AS first_received_at
           FROM submissions GROUP BY la_code) v ON v.la_code = s.la_code
LEFT JOIN (SELECT la_code, MAX(collection_time) AS last_chased
           FROM outbox WHERE kind = 'chaser' AND la_code IS NOT NULL GROUP BY la_code) ch
       ON ch.la_code = s.la_code
ORDER BY s.region, s.la_name
"""


def with_counting(sql: str) -> str:
    """`sql` with the `counting` and `standing` tables of the counting rule in scope."""
    return f"WITH {COUNTING_CTES}\n{sql}"


def standings(db: Database) -> list[dict]:
    """One row per LA: its counting version and status ('missing' when nothing came), the
    message reference, how many versions, the first receipt, and when it was last chased."""
    return list(db.query(STANDINGS))


def counting_status(statuses: Iterable[str]) -> str:
    """The status an LA stands at, from its versions' statuses oldest first (the same rule
    as `counting`, for moments in the past)."""
    seen = list(statuses)
    if VALID in seen:
        return VALID
    return seen[-1] if seen else NOT_RECEIVED


def has_valid_return(status: str) -> bool:
    """Whether an LA standing at `status` is done; every other LA is missing and chased."""
    return status == VALID


def status_words(status: str) -> str:
    """'valid', 'needs fixing', 'letter missing' or 'not received'."""
    return STATUS_WORDS[status]


@dataclass(frozen=True)
class Tally:
    """How a set of LAs stands: every LA is in exactly one of the four counts."""

    valid: int = 0
    needs_fixing: int = 0
    letter_missing: int = 0
    not_received: int = 0

    @property
    def las(self) -> int:
        return self.valid + self.needs_fixing + self.letter_missing + self.not_received

    @property
    def returned(self) -> int:
        return self.las - self.not_received

    def line(self) -> str:
        """'75 of 151 returned: 54 valid, 15 need fixing, 6 letter missing; 76 not received'."""
        return (f"{self.returned} of {self.las} returned: {self.valid} valid, "
                f"{self.needs_fixing} {'needs' if self.needs_fixing == 1 else 'need'} fixing, "
                f"{self.letter_missing} letter missing; {self.not_received} not received")

    def change_since(self, before: Tally) -> str:
        """'+2 returned: +1 valid, +0 need fixing, +1 letter missing; -2 not received'."""
        return (f"{self.returned - before.returned:+d} returned: "
                f"{self.valid - before.valid:+d} valid, "
                f"{self.needs_fixing - before.needs_fixing:+d} need fixing, "
                f"{self.letter_missing - before.letter_missing:+d} letter missing; "
                f"{self.not_received - before.not_received:+d} not received")

    def missing_line(self) -> str:
        """'15 need fixing, 6 letter missing, 76 not received': the LAs with no valid return."""
        return (f"{self.needs_fixing} {'needs' if self.needs_fixing == 1 else 'need'} fixing, "
                f"{self.letter_missing} letter missing, {self.not_received} not received")


def tally(statuses: Iterable[str]) -> Tally:
    """Count LAs by where they stand, from one status per LA."""
    seen = list(statuses)
    return Tally(seen.count(VALID), seen.count(NEEDS_FIXING), seen.count(LETTER_MISSING),
                 seen.count(NOT_RECEIVED))


def tally_rows(rows: Iterable[Mapping]) -> Tally:
    """The tally of `standings` rows (or any rows with a `status`)."""
    return tally(row["status"] for row in rows)


def tally_at(versions: Iterable[tuple[str, str, datetime]], la_codes: set[str],
             until: datetime | None) -> Tally:
    """How `la_codes` stood at `until` (None: now), from (la_code, status, received_at) of every
    version, oldest first."""
    by_la: dict[str, list[str]] = {code: [] for code in la_codes}
    for la_code, status, received_at in versions:
        if la_code in by_la and (until is None or received_at <= until):
            by_la[la_code].append(status)
    return tally(counting_status(statuses) for statuses in by_la.values())


def lateness(collection: Collection, now: datetime) -> str:
    """How late a missing return is now: 'N working days late', 'overdue since Fri 29 May'
    (a weekend after the deadline), 'due today' or 'due in N days'."""
    late = collection.working_days_late(now)
    if late:
        return f"{late} working day{'s' if late != 1 else ''} late"
    if now > collection.deadline_at:
        # Past the deadline but not yet a working day late: a weekend or bank holiday.
        deadline = collection.local(collection.deadline_at)
        return f"overdue since {deadline:%a} {deadline.day} {deadline:%b}"
    days = collection.days_to_deadline(now)
    if days <= 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"
