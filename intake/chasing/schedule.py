"""The chase schedule: which days are slots, and the slot due at a moment.

Skipped slots are never caught up: only the latest slot due at a moment is run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from store.collection import Collection


@dataclass(frozen=True)
class Slot:
    """One scheduled chase: its day, its moment, and how many working days late that is."""

    day: date
    at: datetime
    working_days_late: int


def slot_days(collection: Collection, until: date) -> list[date]:
    """Every slot day up to and including `until`, oldest first."""
    plan = collection.chase
    deadline_day = collection.deadline_at.date()
    days = {collection.add_working_days(deadline_day, -n) for n in plan.working_days_before}
    if plan.on_deadline_day:
        days.add(deadline_day)
    if plan.each_working_day_after:
        day = collection.add_working_days(deadline_day, 1)
        while day <= until:
            days.add(day)
            day = collection.add_working_days(day, 1)
    return sorted(day for day in days if day <= until)


def slot_on(collection: Collection, day: date) -> Slot:
    """The slot of `day` (which should be a slot day) at the plan's time."""
    at = datetime.combine(day, collection.chase.time, tzinfo=collection.zone)
    return Slot(day, at, collection.working_days_late(at))


def due_slot(collection: Collection, now: datetime) -> Slot | None:
    """The latest slot at or before `now`, or None before the first one."""
    for day in reversed(slot_days(collection, collection.local(now).date())[-2:]):
        slot = slot_on(collection, day)
        if slot.at <= now:
            return slot
    return None
