"""LA contacts with their role, from a CSV, the template's contact person, or a return's sender."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from io import StringIO

from store.db import Database

RETURN_CONTACT = "return contact"
DASS = "director of adult social services"
# Roles as people write them in contact lists, to the words the collection's ladder uses.
ROLE_ALIASES = {
    "dass": DASS,
    "director of adult social care": DASS,
    "director of adult services": DASS,
    "director, adult social services": DASS,
    "return": RETURN_CONTACT,
    "contact": RETURN_CONTACT,
}


def normalise_role(role: str) -> str:
    """A role in the collection's words: lower case, single spaces, known aliases resolved."""
    words = " ".join(role.lower().split())
    return ROLE_ALIASES.get(words, words) or RETURN_CONTACT


def same_address(one: str, other: str) -> bool:
    """Whether two addresses are one contact's, as contacts are kept."""
    return _kept(one) == _kept(other)


def _kept(email: str) -> str:
    return email.strip().lower()


def add_contact(db: Database, la_code: str, email: str, role: str, source: str, *,
                name: str | None = None, phone: str | None = None) -> bool:
    """Remember a contact; returns False when it was already known in that role."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO contacts (la_code, email, role, name, phone, source, added_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [la_code, _kept(email), normalise_role(role), name, phone, source,
         datetime.now(UTC).isoformat()],
    )
    return cursor.rowcount == 1


def contacts_for(db: Database, la_code: str) -> list[dict]:
    """An LA's contacts, oldest first."""
    return list(db.query("SELECT * FROM contacts WHERE la_code = ? ORDER BY id", [la_code]))


def load_contacts_csv(db: Database, text: str, known_codes: set[str]) -> tuple[int, list[str]]:
    """Load `la_code,email,role` rows; returns (rows added, plain-words problems)."""
    added, problems = 0, []
    for line_no, row in enumerate(csv.DictReader(StringIO(text)), start=2):
        code = (row.get("la_code") or "").strip()
        email = (row.get("email") or "").strip()
        role = (row.get("role") or "").strip() or RETURN_CONTACT
        if code not in known_codes:
            problems.append(f"line {line_no}: unknown LA code {code!r}")
        elif "@" not in email or any(c.isspace() for c in email):
            problems.append(f"line {line_no}: {email!r} is not an email address")
        else:
            added += add_contact(db, code, email, role, "csv")
    return added, problems
