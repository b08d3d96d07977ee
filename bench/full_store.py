"""A full store for the bot's figures: all 151 LAs with 5 versions each, and held mail.

Submissions are recorded through the store's own `record_submission`, so their rows are
exactly what the intake writes; each message row is inserted already processed, and all of it
in one transaction, so that an intake started beside the filling never sees a message half
recorded. Versions mix statuses as a real collection did: most LAs end valid, some never do
(missing), earlier versions carry the errors that were fixed.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store.collection import load_collection
from store.db import Database, open_db
from store.messages import make_ref
from store.register import LocalAuthority, load_into, load_register
from store.settings import DEFAULT_INBOX
from store.submissions import Answer, Finding, NewSubmission, record_submission
from store.transactions import immediate

ZONE = load_collection().zone   # the collection's own time zone
VERSIONS = 5
HELD = 12
NEVER_VALID_SHARE = 0.12
LOW_ACTIONS = {"2.1": (0.45, 0.95), "4.3": (0.6, 0.98)}     # testing was weak in May 2020
SUPPORT = ("Test results back within 48 hours", "Gowns and FFP3 masks through the LRF",
           "Funding to backfill staff for cohorting")
ISSUES = ("Agency staff still work across several homes", "Test results take up to five days")
HOLD_REASONS = ("the sender's domain gmail.com is not one of the LA's domains",
                "the LA could not be identified from the template, the letter or the sender",
                "the template names Leeds but the sender is from Bradford")


def fill_full_store(db_path: Path, actions: tuple[str, ...], seed: int = 2020) -> dict[str, int]:
    """Create the store at `db_path` and fill it; returns how many rows of each kind."""
    rng = random.Random(seed)
    db = open_db(db_path)
    load_into(db)
    submissions = 0
    with immediate(db):
        for la in load_register():
            never_valid = rng.random() < NEVER_VALID_SHARE
            for version in range(1, VERSIONS + 1):
                _add_version(db, la, version, never_valid, actions, rng)
                submissions += 1
        for index in range(HELD):
            _hold(db, index, rng)
    db.close()
    return {"authorities": len(load_register()), "submissions": submissions,
            "answers": submissions * len(actions), "quarantined": HELD}


def _add_version(db: Database, la: LocalAuthority, version: int, never_valid: bool,
                 actions: tuple[str, ...], rng: random.Random) -> None:
    received = datetime(2020, 5, 19, 9, tzinfo=ZONE) + timedelta(
        days=2 * version, minutes=rng.randrange(600))
    sender = f"returns@{la.domains[0]}"
    message_id = _message(db, f"<{la.code}-{version}@bench>", sender, f"{la.name} return",
                          received, "accepted", "recorded", la.code)
    total = la.care_homes or 60
    answers = tuple(_answer(code, index, total, rng) for index, code in enumerate(actions))
    final = version == VERSIONS and not never_valid
    findings = () if final else (Finding("error", "Yes or No has not been chosen",
                                          rng.choice(actions), "Template!D12"),)
    status = "valid" if final else rng.choice(["invalid", "invalid", "incomplete"])
    if status == "incomplete":
        findings = (Finding("error", "no covering letter"),)
    submission = NewSubmission(
        la_code=la.code, status=status, answers=answers, findings=findings,
        total_care_homes=total, raw_total=str(total), la_name_written=la.official_name,
        contact_name="Sam Taylor", contact_email=sender, template_file="template.xlsx",
        template_sheet="Implementation Status", letter_file="letter.docx",
        support_benefit="Regular testing of all staff", regional_issues=rng.choice(ISSUES))
    record_submission(db, message_id, received.isoformat(), submission)


def _answer(code: str, index: int, total: int, rng: random.Random) -> Answer:
    low, high = LOW_ACTIONS.get(code, (0.75, 1.0))
    homes = round(total * rng.uniform(low, high))
    wants = rng.random() < 0.15
    return Answer(action=code, homes_in_place=homes, raw_homes_in_place=str(homes),
                  support_needed="yes" if wants else "no", raw_support="Yes" if wants else "No",
                  support_description=rng.choice(SUPPORT) if wants else "",
                  issues=rng.choice(ISSUES) if rng.random() < 0.1 else "",
                  cell=f"Template!C{8 + index}")


def _hold(db: Database, index: int, rng: random.Random) -> None:
    _message(db, f"<held-{index}@bench>", f"someone{index}@gmail.com", "Care home return",
             datetime(2020, 5, 27, 15, tzinfo=ZONE), "quarantined", rng.choice(HOLD_REASONS))


def _message(db: Database, message_id: str, sender: str, subject: str, received: datetime,
             disposition: str, reason: str, la_code: str | None = None) -> int:
    """A processed message row, as `store_raw` and `set_disposition` would leave it."""
    raw = f"From: {sender}\r\nSubject: {subject}\r\n\r\nPlease see attached.".encode()
    cursor = db.execute(
        """INSERT INTO messages (ref, message_id, sha256, size, mail_from, rcpt_to,
               received_at, collection_time, subject, from_header, disposition, reason, la_code,
               processed_at) VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [message_id, hashlib.sha256(raw).hexdigest(), len(raw), sender,
         json.dumps([DEFAULT_INBOX]), received.astimezone(UTC).isoformat(), received.isoformat(),
         subject, sender, disposition, reason, la_code, received.astimezone(UTC).isoformat()])
    row_id = cursor.lastrowid
    db.execute("INSERT INTO message_raw (id, raw) VALUES (?, ?)", [row_id, raw])
    db.execute("UPDATE messages SET ref = ? WHERE id = ?", [make_ref(row_id), row_id])
    return row_id
