"""The contact ladder: whom a chaser goes to (To and Cc) as a return gets later."""

from __future__ import annotations

from datetime import datetime

from intake.addresses import valid_reply_address
from store.collection import Collection
from store.db import Database


def ladder_roles(collection: Collection, working_days_late: int) -> tuple[set[str], set[str]]:
    """(To roles, Cc roles) on a day this late: the first step's roles go in To; roles a later
    step adds (senior contacts) go in Cc."""
    steps = collection.chase.ladder
    first = {role.lower() for role in steps[0].roles}
    current = set(first)
    for step in steps:
        if step.from_working_days_after is None or working_days_late >= step.from_working_days_after:
            current = {role.lower() for role in step.roles}
    return first & current, current - first


def recipients(db: Database, la_code: str, to_roles: set[str],
               cc_roles: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Safe addresses for To and Cc; senior contacts move to To when there is no return contact."""
    to: dict[str, None] = {}
    cc: dict[str, None] = {}
    for row in db.query("SELECT email, role FROM contacts WHERE la_code = ? ORDER BY id",
                        [la_code]):
        address = valid_reply_address(row["email"])
        role = row["role"].lower()
        if address is None:
            continue
        if role in to_roles:
            to[address] = None
        elif role in cc_roles:
            cc[address] = None
    for address in to:
        cc.pop(address, None)
    if not to:
        return tuple(cc), ()
    return tuple(to), tuple(cc)


def no_contact_reason(db: Database, la_code: str) -> str:
    """Why an LA has no one to chase, in words."""
    rows = list(db.query("SELECT email, role FROM contacts WHERE la_code = ?", [la_code]))
    if not rows:
        return "no contact on file"
    if all(valid_reply_address(row["email"]) is None for row in rows):
        return "no usable address (" + ", ".join(row["email"] for row in rows) + ")"
    return ("no contact in a role chased today (on file: "
            + ", ".join(sorted({row["role"] for row in rows})) + ")")


def contact_problems(db: Database, collection: Collection, now: datetime,
                     la_codes: list[str]) -> dict[str, str]:
    """The LAs among `la_codes` a chaser at `now` could not reach, with the reason in words."""
    to_roles, cc_roles = ladder_roles(collection, collection.working_days_late(now))
    return {code: no_contact_reason(db, code) for code in la_codes
            if not recipients(db, code, to_roles, cc_roles)[0]}
