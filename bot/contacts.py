"""Who to talk to at an LA: the contacts the store holds, with their role and where from."""

from __future__ import annotations

from bot.content import Reply, section
from bot.scope import Scope
from store import picture
from store.contacts import contacts_for
from store.context import Context


def contacts_reply(ctx: Context, scope: Scope) -> Reply:
    """The contacts of one LA, or of each LA in a region; England is too many to list."""
    if scope.kind == "national":
        return Reply("Which LA or region? For example: `contacts Leeds` or "
                     "“who's the contact at Kent?”")
    names = {row["la_code"]: row["la_name"] for row in picture.standings(ctx.db)}
    found = {code: contacts_for(ctx.db, code) for code in scope.la_codes}
    parts = tuple(section(names.get(code, code), [_line(row) for row in rows]
                          or ["no contact known"])
                  for code, rows in sorted(found.items(), key=lambda c: names.get(c[0], c[0])))
    if scope.kind == "la":
        return Reply(f"Contacts for {scope.name}", parts)
    known = sum(bool(rows) for rows in found.values())
    return Reply(f"Contacts in {scope.name}: {known} of {len(found)} LAs have one", parts)


def _line(row: dict) -> str:
    who = " · ".join(part for part in (row["name"], row["email"], row["phone"]) if part)
    return f"{row['role']}: {who} (from {row['source']})"
