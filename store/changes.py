"""What changed between two versions of an LA's return, on the values as read.

A council that writes "No" the first time and "NO" the next, or "no." and then "No", has not
changed its answer: versions are compared on the parsed values (the count read, Yes/No, the
words with case and spacing set aside), never on the raw cell text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from store.db import Database
from store.submissions import answers_of

SUPPORT_WORDS = {"yes": "Yes", "no": "No"}


@dataclass(frozen=True)
class Change:
    """One field of one action that changed: '4.5 homes: 84 → 120'."""

    action: str
    field: str                      # 'homes', 'support wanted', 'support described', 'issues'
    before: str                     # as shown; '' when blank or not read
    after: str

    def __str__(self) -> str:
        return f"{self.action} {self.field}: {self.before or '(blank)'} → {self.after or '(blank)'}"


def _homes(answer: Mapping) -> str:
    value = answer.get("homes_in_place")
    return "" if value is None else str(value)


def _support(answer: Mapping) -> str:
    return SUPPORT_WORDS.get(answer.get("support_needed") or "", "")


def _words(column: str) -> Callable[[Mapping], str]:
    return lambda answer: " ".join((answer.get(column) or "").split())


# Each field as shown, and the key it is compared on.
FIELDS: tuple[tuple[str, Callable[[Mapping], str], Callable[[str], str]], ...] = (
    ("homes", _homes, str),
    ("support wanted", _support, str),
    ("support described", _words("support_description"), str.casefold),
    ("issues", _words("issues"), str.casefold),
)


def changes_between(db: Database, older_id: int, newer_id: int) -> list[Change]:
    """The fields whose values differ between two versions, action by action."""
    before, after = answers_of(db, older_id), answers_of(db, newer_id)
    changed = []
    for action in sorted(set(before) | set(after)):
        old, new = before.get(action, {}), after.get(action, {})
        for field, shown, key in FIELDS:
            if key(shown(old)) != key(shown(new)):
                changed.append(Change(action, field, shown(old), shown(new)))
    return changed
