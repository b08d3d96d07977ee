"""Planning a run of synthetic returns: which LAs, kinds, formats and traits, and when.

The mix is allocated by quota rather than by chance, so any run of a few dozen samples shows
every kind of messiness; each plan carries a token that seeds everything about its return.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from store.register import LocalAuthority, load_register

# Kinds of return; each first submission has exactly one. Weights are shares of first submissions.
CLEAN = "clean"
TEXT_NUMBERS = "text_numbers"              # '45 homes', '45 of 52', '90%', 'all': still valid
PLACEHOLDER_LEFT = "placeholder_left"      # '<Please select>' left in a Yes/No cell
YES_WITHOUT_DESCRIPTION = "yes_without_description"  # a query, still valid
COUNT_ABOVE_TOTAL = "count_above_total"
COUNT_NOT_A_NUMBER = "count_not_a_number"  # 'n/a', 'TBC'
COUNT_BLANK = "count_blank"
NO_LETTER = "no_letter"                    # template only: incomplete
KIND_WEIGHTS = {
    TEXT_NUMBERS: 0.12, PLACEHOLDER_LEFT: 0.06, YES_WITHOUT_DESCRIPTION: 0.05,
    COUNT_ABOVE_TOTAL: 0.04, COUNT_NOT_A_NUMBER: 0.02, COUNT_BLANK: 0.03, NO_LETTER: 0.04,
}
BAD_COUNT_KINDS = (COUNT_ABOVE_TOTAL, COUNT_NOT_A_NUMBER, COUNT_BLANK)
INVALID_KINDS = frozenset({PLACEHOLDER_LEFT, *BAD_COUNT_KINDS})
# Traits that come on top of the kind.
NAME_VARIANT = "name_variant"
MESSY_LAYOUT = "messy_layout"
RESUBMISSION = "resubmission"
RESUBMISSION_SHARE = 0.08
TRAIT_SHARES = {NAME_VARIANT: 0.12, MESSY_LAYOUT: 0.35}

TEMPLATE_FORMAT_WEIGHTS = {"xls": 0.10, "ods": 0.08, "csv": 0.07, "zip": 0.12, "xlsx-xlsxwriter": 0.08}
LETTER_FORMAT_WEIGHTS = {"pdf": 0.25, "odt": 0.05, "txt": 0.03, "body": 0.17}

# Names councils really wrote for themselves that a register lookup must still match.
FAMOUS_VARIANTS = {
    "E06000022": ("Bath & NE Somerset", "B&NES"),
    "E06000058": ("BCP", "BCP Council"),
    "E06000010": ("Kingston upon Hull, City of",),
    "E06000019": ("Herefordshire, County of",),
}


@dataclass(frozen=True)
class SamplePlan:
    """What one return will be: its LA, kind, formats and traits, and when it is sent."""

    la: LocalAuthority
    token: int                          # seeds everything about this LA's return
    kind: str
    template_format: str
    letter_format: str
    traits: frozenset[str]
    sent_at: datetime
    version: int = 1
    replaces: datetime | None = None

    def rng(self, aspect: str) -> random.Random:
        """A generator per aspect, so a resubmission repeats its original except where corrected."""
        return random.Random(f"{self.token}:{aspect}")


def plan_returns(count: int, rng: random.Random, zone: ZoneInfo) -> list[SamplePlan]:
    """`count` plans: first submissions, then the corrected resubmissions of some of them, sent
    at times in the collection's time `zone`."""
    resubmissions = round(count * RESUBMISSION_SHARE) if count >= 10 else 0
    plans = _first_plans(count - resubmissions, rng, zone)
    return plans + [_resubmission_plan(plan, rng) for plan in _to_correct(plans, resubmissions, rng)]


def _first_plans(count: int, rng: random.Random, zone: ZoneInfo) -> list[SamplePlan]:
    las = _pick_authorities(count, rng)
    kinds = _allocate(KIND_WEIGHTS, CLEAN, count, rng)
    templates = _allocate(TEMPLATE_FORMAT_WEIGHTS, "xlsx", count, rng)
    letters = _allocate(LETTER_FORMAT_WEIGHTS, "docx", count, rng)
    traits = {trait: _allocate({trait: share}, "", count, rng) for trait, share in TRAIT_SHARES.items()}
    plans = []
    for i, la in enumerate(las):
        chosen = {trait for trait, labels in traits.items() if labels[i]}
        if la.code in FAMOUS_VARIANTS:
            chosen.add(NAME_VARIANT)
        letter = "none" if kinds[i] == NO_LETTER else letters[i]
        plans.append(SamplePlan(la, rng.getrandbits(64), kinds[i], templates[i], letter,
                                frozenset(chosen), _sent_at(rng, zone)))
    return plans


def _allocate(weights: dict[str, float], default: str, count: int, rng: random.Random) -> list[str]:
    """Labels in proportion to `weights` (each at least once in a long enough run), shuffled."""
    labels: list[str] = []
    for label, weight in weights.items():
        quota = round(weight * count)
        if count >= 4 * len(weights):
            quota = max(quota, 1)
        labels += [label] * quota
    labels = labels[:count] + [default] * (count - len(labels))
    rng.shuffle(labels)
    return labels


def _pick_authorities(count: int, rng: random.Random) -> list[LocalAuthority]:
    register = list(load_register())
    famous = [la for la in register if la.code in FAMOUS_VARIANTS] if count >= 20 else []
    others = [la for la in register if la not in famous]
    chosen = famous + rng.sample(others, min(count - len(famous), len(others)))
    chosen += rng.choices(register, k=count - len(chosen))  # more returns than LAs: repeats
    rng.shuffle(chosen)
    return chosen


def _sent_at(rng: random.Random, zone: ZoneInfo) -> datetime:
    # Most returns arrive in the last days before the 29 May deadline; a few after it.
    day = rng.choices(range(18, 34), weights=[1, 1, 1, 2, 2, 1, 1, 2, 3, 5, 7, 9, 1, 1, 2, 1])[0]
    start = datetime(2020, 5, 1, 8, tzinfo=zone) + timedelta(days=day - 1)
    return start + timedelta(minutes=rng.randrange(11 * 60), seconds=rng.randrange(60))


def _to_correct(plans: list[SamplePlan], count: int, rng: random.Random) -> list[SamplePlan]:
    """The returns sent again later: those with errors or no letter first, then a few updates."""
    needing = [plan for plan in plans if plan.kind in INVALID_KINDS or plan.kind == NO_LETTER]
    rest = [plan for plan in plans if plan not in needing]
    rng.shuffle(needing)
    rng.shuffle(rest)
    return (needing + rest)[:count]


def _resubmission_plan(plan: SamplePlan, rng: random.Random) -> SamplePlan:
    later = plan.sent_at + timedelta(days=rng.randint(1, 3), minutes=rng.randrange(300))
    letter = "docx" if plan.letter_format == "none" else plan.letter_format
    return replace(plan, kind=CLEAN, letter_format=letter, sent_at=later, version=2,
                   replaces=plan.sent_at)
