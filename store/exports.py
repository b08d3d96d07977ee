"""The exports of DESIGN section 7: columns are the contract, header first.

Times are the collection clock at receipt (RETURNS_NOW when set), so a message and the
submission it became show the same `received_at`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from store.db import Database
from store.picture import with_counting

COLUMNS = {
    "answers": ["la_code", "la_name", "region", "version", "received_at", "status",
                "total_care_homes", "action", "homes_in_place", "support_needed",
                "support_description", "issues", "raw_homes_in_place"],
    "submissions": ["la_code", "la_name", "region", "version", "received_at", "message_id",
                    "status", "problems", "is_latest", "counts"],
    "authorities": ["la_code", "la_name", "region", "nhs_region", "status", "version",
                    "received_at", "contacts"],
    "messages": ["message_id", "received_at", "mail_from", "subject", "disposition", "la_code",
                 "reason"],
}

QUERIES = {
    "answers": with_counting("""
        SELECT c.la_code, a.name AS la_name, a.region, c.version, c.received_at, c.status,
               c.total_care_homes, x.action, x.homes_in_place, x.support_needed,
               x.support_description, x.issues, x.raw_homes_in_place
        FROM counting c
        JOIN authorities a ON a.code = c.la_code
        JOIN answers x ON x.submission_id = c.id
        ORDER BY c.la_code, x.action"""),
    "submissions": with_counting("""
        SELECT s.la_code, a.name AS la_name, a.region, s.version, s.received_at,
               COALESCE(NULLIF(m.message_id, ''), m.ref) AS message_id, s.status, s.problems,
               s.version = (SELECT MAX(version) FROM submissions t WHERE t.la_code = s.la_code)
                   AS is_latest,
               s.id IN (SELECT id FROM counting) AS counts
        FROM submissions s
        JOIN authorities a ON a.code = s.la_code
        JOIN messages m ON m.id = s.message_id
        ORDER BY s.la_code, s.version"""),
    "authorities": with_counting("""
        SELECT st.la_code, st.la_name, st.region, st.nhs_region, st.status, st.version,
               st.received_at,
               (SELECT GROUP_CONCAT(email, ';') FROM
                   (SELECT DISTINCT email FROM contacts WHERE la_code = st.la_code ORDER BY id))
                   AS contacts
        FROM standing st
        ORDER BY st.la_code"""),
    "messages": """
        SELECT COALESCE(NULLIF(message_id, ''), ref) AS message_id,
               collection_time AS received_at, mail_from, subject, disposition, la_code, reason
        FROM messages ORDER BY id""",
}

BOOLEAN_COLUMNS = {"is_latest", "counts"}


def export_rows(db: Database, name: str) -> Iterator[dict]:
    """The rows of one export, with the contract's column names (JSON-ready values)."""
    for row in db.query(QUERIES[name]):
        yield {column: _value(column, row[column]) for column in COLUMNS[name]}


def _value(column: str, value: object) -> object:
    return bool(value) if column in BOOLEAN_COLUMNS else value


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def write_export(db: Database, name: str, out: TextIO, fmt: str = "csv") -> int:
    """Write one export as CSV (header first) or JSON (a list of objects); returns the rows."""
    rows: Iterable[dict] = export_rows(db, name)
    if fmt == "json":
        return write_json(rows, out)
    writer = csv.DictWriter(out, fieldnames=COLUMNS[name], lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: _csv_value(value) for column, value in row.items()})
        count += 1
    return count


def write_json(rows: Iterable[dict], out: TextIO) -> int:
    """The rows exactly as `json.dump(rows, out, indent=2, ensure_ascii=False)` writes them,
    each value encoded by json's C encoder: with `indent` set, json encodes in pure Python,
    which cost the answers export more CPU than everything else it does."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n  {" if count else "\n  {")
        out.write(",".join(f"\n    {encode(key)}: {encode(value)}" for key, value in row.items()))
        out.write("\n  }")
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
