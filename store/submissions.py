"""Submission versions and their answers: every version is kept; the store decides none of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.db import Database
from store.search import index_submission

STATUSES = ("valid", "invalid", "incomplete")


@dataclass(frozen=True)
class Answer:
    """One action's answer: the parsed value beside the raw cell text."""

    action: str
    homes_in_place: int | None
    raw_homes_in_place: str
    support_needed: str | None          # 'yes' | 'no' | None
    raw_support: str
    support_description: str = ""
    issues: str = ""
    cell: str | None = None


@dataclass(frozen=True)
class Finding:
    """Something to fix (error) or check (query), tied to its row and cell where it has one."""

    severity: str                       # 'error' | 'query'
    text: str
    action: str | None = None
    cell: str | None = None


@dataclass(frozen=True)
class NewSubmission:
    """A validated return, ready to record as the LA's next version."""

    la_code: str
    status: str
    answers: tuple[Answer, ...]
    findings: tuple[Finding, ...] = ()
    total_care_homes: int | None = None
    raw_total: str | None = None
    la_name_written: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    template_file: str | None = None
    template_sheet: str | None = None
    letter_file: str | None = None
    letter_text: str | None = None
    support_benefit: str = ""
    regional_issues: str = ""
    # Where the total was read and why this template was chosen: told in the receipt.
    total_label: str | None = None
    total_cell: str | None = None
    chosen_because: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def queries(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "query")


def record_submission(db: Database, message_row_id: int, received_at: str,
                      submission: NewSubmission) -> tuple[int, int]:
    """Record `submission` as the LA's next version; returns (submission id, version).

    Call inside the caller's write transaction (`store.db.immediate`), so that the version
    number, the disposition and the acknowledgement are decided together.
    """
    if submission.status not in STATUSES:
        raise ValueError(f"unknown status {submission.status!r}")
    version = next_version(db, submission.la_code)
    problems = "\n".join(_describe(f) for f in submission.errors)
    cursor = db.execute(
        """INSERT INTO submissions (message_id, la_code, version, received_at, status,
               total_care_homes, raw_total, la_name_written, contact_name, contact_email,
               contact_phone, template_file, template_sheet, letter_file, letter_text,
               support_benefit, regional_issues, problems)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [message_row_id, submission.la_code, version, received_at, submission.status,
         submission.total_care_homes, submission.raw_total, submission.la_name_written,
         submission.contact_name, submission.contact_email, submission.contact_phone,
         submission.template_file, submission.template_sheet, submission.letter_file,
         submission.letter_text, submission.support_benefit, submission.regional_issues,
         problems],
    )
    submission_id = cursor.lastrowid
    assert submission_id is not None
    _insert_all(db, "answers", submission_id, [vars(answer) for answer in submission.answers])
    _insert_all(db, "findings", submission_id,
                [vars(finding) for finding in submission.findings])
    index_submission(db, submission_id, vars(submission),
                     sorted((vars(answer) for answer in submission.answers),
                            key=lambda answer: answer["action"]))
    return submission_id, version


def _insert_all(db: Database, table: str, submission_id: int, rows: list[dict]) -> None:
    # One prepared statement for all rows: sqlite-utils' insert_all inspects the table and
    # builds its SQL on every call.
    if not rows:
        return
    columns = ["submission_id", *rows[0]]
    db.conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [(submission_id, *row.values()) for row in rows])


def _describe(finding: Finding) -> str:
    where = f"{finding.action}: " if finding.action else ""
    return f"{where}{finding.text}"


def next_version(db: Database, la_code: str) -> int:
    return db.conn.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM submissions "
                           "WHERE la_code = ?", [la_code]).fetchone()[0]


def versions(db: Database, la_code: str) -> list[dict]:
    """Every version an LA has sent, oldest first."""
    return list(db.query("SELECT * FROM submissions WHERE la_code = ? ORDER BY version",
                         [la_code]))


def answers_of(db: Database, submission_id: int) -> dict[str, dict]:
    """A submission's answers by action code."""
    rows = db.query("SELECT * FROM answers WHERE submission_id = ? ORDER BY action",
                    [submission_id])
    return {row["action"]: row for row in rows}


def findings_of(db: Database, submission_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM findings WHERE submission_id = ? ORDER BY id",
                         [submission_id]))


def latest_counts(db: Database, la_code: str) -> dict[str, int] | None:
    """The homes-in-place counts of the LA's latest version by action code (None: no version
    yet); only the version's id is read, not its letter and free text."""
    latest = db.conn.execute("SELECT id FROM submissions WHERE la_code = ? "
                             "ORDER BY version DESC LIMIT 1", [la_code]).fetchone()
    if latest is None:
        return None
    return dict(db.conn.execute("SELECT action, homes_in_place FROM answers WHERE "
                                "submission_id = ? AND homes_in_place IS NOT NULL", latest))
