"""Small helpers that put numbers and times into the plain words answers use."""

from __future__ import annotations

from datetime import datetime

from store.collection import Collection


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 LA', '3 LAs'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def when(iso: str | None, collection: Collection) -> str:
    """An ISO time as people read it in the collection's zone, e.g. 'Wed 27 May 14:03'."""
    if not iso:
        return "never"
    moment = collection.local(datetime.fromisoformat(iso))
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


def deadline_phrase(collection: Collection, now: datetime) -> str:
    """'2 days to the deadline (Fri 29 May)', 'deadline today', or how long ago it passed."""
    deadline = collection.deadline_at
    day = f"{deadline:%a} {deadline.day} {deadline:%b}"
    days = collection.days_to_deadline(now)
    if days > 0:
        return f"{plural(days, 'day')} to the deadline ({day})"
    if days == 0:
        return f"the deadline is today ({day} {deadline:%H:%M})"
    late = collection.working_days_late(now)
    return (f"the deadline passed {plural(-days, 'day')} ago ({day}; "
            f"{plural(late, 'working day')})")
