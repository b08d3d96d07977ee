"""A collection is data, not code: deadline, template actions, schedules and thresholds.

The 2020 care home support return ships as the default (`collections/care_homes_2020.json`);
another return is another file named by the `COLLECTION` setting.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

DEFAULT_COLLECTION = "care_homes_2020.json"


class Action(BaseModel):
    """One support action of the template, e.g. 1.1 cohorting and isolation."""

    model_config = ConfigDict(frozen=True)
    code: str
    label: str

    @property
    def focus(self) -> str:
        return self.code.split(".")[0]


class LadderStep(BaseModel):
    """From this many working days after the deadline (None: from the first chase), chase these roles."""

    model_config = ConfigDict(frozen=True)
    from_working_days_after: int | None
    roles: tuple[str, ...]


class ChasePlan(BaseModel):
    model_config = ConfigDict(frozen=True)
    time: time
    working_days_before: tuple[int, ...]
    on_deadline_day: bool = True
    each_working_day_after: bool = True
    ladder: tuple[LadderStep, ...]


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True)
    low_coverage: float = 0.8
    # A concern is thematic in a region when at least this share of the region's returns are
    # low on an action or ask for support on it (and never fewer than `thematic_min_las` LAs).
    thematic_share: float = 0.25
    thematic_min_las: int = 2
    total_query_ratio: float = 0.5
    sharp_change_ratio: float = 0.3


class Theme(BaseModel):
    """Something councils wrote about ("staff full pay while isolating"), found by its terms."""

    model_config = ConfigDict(frozen=True)
    name: str
    terms: tuple[str, ...]


class TemplateText(BaseModel):
    """The header texts that locate the template's parts by content."""

    model_config = ConfigDict(frozen=True)
    title: str
    la_label: str
    total_label: str
    contact_label: str
    column_headers: dict[str, str]
    benefit_label: str
    regional_issues_label: str
    placeholder: str


class Collection(BaseModel):
    """Everything about one return that is not code."""

    model_config = ConfigDict(frozen=True)
    name: str
    short_name: str
    inbox: str
    deadline: datetime
    opens: datetime
    timezone: str
    timezone_words: str = ""    # how people name it, e.g. 'UK time' (default: '<zone> time')
    bank_holidays: tuple[date, ...]
    digest_time: time
    chase: ChasePlan
    thresholds: Thresholds
    focus_areas: dict[str, str]
    actions: tuple[Action, ...]
    template: TemplateText
    themes: tuple[Theme, ...] = ()

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def time_words(self) -> str:
        """The collection's time zone in words, as messages name it."""
        return self.timezone_words or f"{self.timezone} time"

    @cached_property
    def deadline_at(self) -> datetime:
        """The deadline as an aware datetime in the collection's time zone."""
        return self.deadline.replace(tzinfo=self.zone)

    @cached_property
    def deadline_words(self) -> str:
        """'Friday 29 May 2020 at 23:59', as receipts and chasers write the deadline."""
        deadline = self.deadline_at
        return f"{deadline:%A} {deadline.day} {deadline:%B %Y at %H:%M}"

    @property
    def action_codes(self) -> tuple[str, ...]:
        return tuple(action.code for action in self.actions)

    @cached_property
    def action_titles(self) -> dict[str, str]:
        """Each action's code and label as one title ('1.1 Support for cohorting ...'), by code."""
        return {action.code: f"{action.code} {action.label}" for action in self.actions}

    def action(self, code: str) -> Action:
        return next(action for action in self.actions if action.code == code)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after (negative: before) `day`."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_late(self, moment: datetime) -> int:
        """Working days since the deadline day (0 on or before it)."""
        deadline_day = self.deadline_at.date()
        day = self.local(moment).date()
        if day <= deadline_day:
            return 0
        return sum(
            1
            for offset in range(1, (day - deadline_day).days + 1)
            if self.is_working_day(deadline_day + timedelta(days=offset))
        )

    def days_to_deadline(self, moment: datetime) -> int:
        """Calendar days from `moment`'s local date to the deadline's (negative once past)."""
        return (self.deadline_at.date() - self.local(moment).date()).days


def load_collection(path: Path | None = None) -> Collection:
    """Load a collection file; with no path, the built-in 2020 care home support return."""
    if path is None:
        text = resources.files("store.collections").joinpath(DEFAULT_COLLECTION).read_text()
    else:
        text = Path(path).read_text()
    return Collection.model_validate(json.loads(text))
