"""Realistic synthetic returns: the demo, the load source and the tests' factory.

`make_sample_returns` builds emailed returns as councils really sent them in May 2020: varied
LAs, senders on the LA's own domain, mostly clean .xlsx templates with a .docx or .pdf letter,
and, in realistic proportions, the mistakes the intake must catch or tolerate. Each sample
carries what a correct reader should conclude (`ExpectedReading`). The mix is planned in
`intake.samples.plans`, the words come from `intake.samples.texts`, the message is assembled by
`intake.samples.mail`, and `intake.samples.sending` mails them (`python -m intake send-sample`).
Everything, bytes included, depends only on the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime

from intake.samples import grids
from intake.samples.mail import sample_email
from intake.samples.plans import (
    BAD_COUNT_KINDS,
    COUNT_ABOVE_TOTAL,
    COUNT_BLANK,
    COUNT_NOT_A_NUMBER,
    FAMOUS_VARIANTS,
    MESSY_LAYOUT,
    NAME_VARIANT,
    PLACEHOLDER_LEFT,
    RESUBMISSION,
    TEXT_NUMBERS,
    YES_WITHOUT_DESCRIPTION,
    SamplePlan,
    plan_returns,
)
from intake.samples.texts import (
    BENEFITS,
    ISSUES,
    REGIONAL_ISSUES,
    SUPPORT_WANTED,
    covering_letter,
    make_person,
)
from store.collection import Collection

TOTAL_RANGES = {"London borough": (20, 90), "county": (150, 400), "metropolitan district": (45, 160)}
TINY_AREAS = {"E06000053": 1, "E09000001": 1}  # Isles of Scilly, City of London
LOW_ACTIONS = {"2.1": (0.25, 0.75), "2.2": (0.6, 0.95), "4.3": (0.45, 0.9)}  # testing in May 2020
YES_RATES = {"2.1": 0.45, "3.1": 0.35, "4.5": 0.3}
YES_WORDS = ("Yes",) * 8 + ("Y", "yes", "YES")
NO_WORDS = ("No",) * 8 + ("N", "No.", "no")
NOT_NUMBERS = ("n/a", "N/A", "TBC", "not known")
SHEET_NAMES = ("Implementation Status", "Template", "Sheet1", "CH Support Template")
COLUMN_ORDERS: tuple[tuple[grids.Column, ...], ...] = (
    ("action", "support", "homes", "issues"),
    ("action", "homes", "support", "description", "issues"),
    ("code", "action", "homes", "support", "issues"),
    ("action", "homes", "support", "issues"),
)


@dataclass(frozen=True)
class ExpectedReading:
    """What a correct reader concludes from one sample."""

    la_code: str
    status: str                         # 'valid' | 'invalid' | 'incomplete'
    total_care_homes: int
    homes_in_place: dict[str, int]      # every count a reader can take as written
    support_needed: dict[str, bool]     # every row where Yes or No was chosen
    problems: tuple[str, ...] = ()      # the errors planted, in plain words


@dataclass(frozen=True)
class SampleReturn:
    """One emailed return as raw MIME bytes, with what reading it should give."""

    la_code: str
    mail_from: str
    raw: bytes
    expected: ExpectedReading
    template_format: str                # 'xlsx', 'xlsx-xlsxwriter', 'xls', 'ods', 'csv', 'zip'
    letter_format: str                  # 'docx', 'pdf', 'odt', 'txt', 'body', 'none'
    kinds: tuple[str, ...]              # the kind first, then traits
    version: int                        # 1: first submission; 2: its corrected resubmission
    sent_at: datetime


@dataclass(frozen=True)
class SamplePlanted:
    answers: tuple[grids.ActionAnswer, ...]
    homes: dict[str, int]
    problems: tuple[str, ...]


def make_sample_returns(count: int, seed: int, collection: Collection) -> list[SampleReturn]:
    """`count` emailed returns (corrected resubmissions included), in the order they were sent."""
    samples = [_sample(plan, collection) for plan in plan_returns(count, random.Random(seed), collection.zone)]
    return sorted(samples, key=lambda sample: sample.sent_at)


def _sample(plan: SamplePlan, collection: Collection) -> SampleReturn:
    rng = plan.rng("content")
    person = make_person(plan.la, rng)
    total = TINY_AREAS.get(plan.la.code) or plan.la.care_homes or rng.randint(
        *TOTAL_RANGES.get(plan.la.type, (25, 140)))
    answers = _clean_answers(total, collection, rng)
    if plan.version > 1:
        answers = _update_a_figure(answers, total, plan.rng(f"update{plan.version}"))
    planted = _plant(plan.kind, answers, total, collection, plan.rng("kind"))
    content = grids.ReturnContent(
        la_name=_written_name(plan, rng), total_raw=total,
        contact_name=person.name, contact_email=person.email, contact_phone=person.phone,
        actions=planted.answers,
        support_benefit=" ".join(rng.sample(BENEFITS, rng.randint(1, 2))),
        regional_issues=rng.choice(REGIONAL_ISSUES) if rng.random() < 0.75 else "",
        letter_text=covering_letter(plan, total, rng),
    )
    layout = _messy_layout(plan.rng("layout")) if MESSY_LAYOUT in plan.traits else grids.Layout()
    raw = sample_email(plan, person, content, layout, collection)
    kinds = (plan.kind, *sorted(plan.traits), *([RESUBMISSION] if plan.version > 1 else []))
    return SampleReturn(plan.la.code, person.email, raw, _expected(plan, planted, total),
                        plan.template_format, plan.letter_format, kinds, plan.version, plan.sent_at)


def _written_name(plan: SamplePlan, rng: random.Random) -> str:
    la = plan.la
    if NAME_VARIANT not in plan.traits:
        return rng.choice([la.name, la.official_name])
    if la.code in FAMOUS_VARIANTS:
        return rng.choice(FAMOUS_VARIANTS[la.code])
    variants = {la.official_name.upper(), f"{la.name} Council", la.name.replace(" and ", " & ")}
    if la.type == "county":
        variants.add(f"{la.name} CC")
    if la.type == "London borough":
        variants.add(f"LB {la.name}")
    return rng.choice(sorted(variants - {la.name}))


def _clean_answers(total: int, collection: Collection, rng: random.Random) -> list[grids.ActionAnswer]:
    base = rng.uniform(0.6, 0.85) if rng.random() < 0.2 else rng.uniform(0.85, 1.0)
    answers = []
    for action in collection.actions:
        low, high = LOW_ACTIONS.get(action.code, (base - 0.12, base))
        homes = min(total, max(0, round(total * rng.uniform(low, min(high, 1.0)))))
        wants = rng.random() < YES_RATES.get(action.code, 0.12)
        description = rng.choice(SUPPORT_WANTED[action.focus]) if wants else ""
        support = rng.choice(YES_WORDS if wants else NO_WORDS)
        issues = rng.choice(ISSUES) if rng.random() < 0.12 else ""
        answers.append(grids.ActionAnswer(action.code, homes, support, description, issues))
    return answers


def _update_a_figure(answers: list[grids.ActionAnswer], total: int, rng: random.Random) -> list[grids.ActionAnswer]:
    i = rng.randrange(len(answers))
    homes = min(total, max(0, int(answers[i].homes_raw) + rng.choice([-2, -1, 1, 2, 3])))
    return answers[:i] + [replace(answers[i], homes_raw=homes)] + answers[i + 1:]


def _plant(
    kind: str, answers: list[grids.ActionAnswer], total: int, collection: Collection, rng: random.Random
) -> SamplePlanted:
    """Plant the kind's mistakes; keep the counts a correct reader still gets, and the errors."""
    by_code = {answer.code: answer for answer in answers}
    homes = {answer.code: int(answer.homes_raw) for answer in answers}
    codes = rng.sample(sorted(by_code), 4)
    problems: list[str] = []
    if kind == TEXT_NUMBERS:
        for code in codes[: rng.randint(2, 4)]:
            by_code[code], homes[code] = _as_text_number(homes[code], total, by_code[code], rng)
    elif kind == PLACEHOLDER_LEFT:
        placeholder = collection.template.placeholder
        for code in codes[: rng.randint(1, 2)]:
            by_code[code] = replace(by_code[code], support_raw=placeholder, description="")
            problems.append(f"{code}: additional support left as {placeholder}")
    elif kind == YES_WITHOUT_DESCRIPTION:
        # A query, not a problem: the return stays valid and the receipt asks for the words.
        by_code[codes[0]] = replace(by_code[codes[0]], support_raw="Yes", description="")
    elif kind in BAD_COUNT_KINDS:
        bads: dict[str, int | str] = {
            COUNT_ABOVE_TOTAL: total + rng.randint(1, max(3, total // 4)),
            COUNT_NOT_A_NUMBER: rng.choice(NOT_NUMBERS), COUNT_BLANK: ""}
        bad = bads[kind]
        by_code[codes[0]] = replace(by_code[codes[0]], homes_raw=bad)
        del homes[codes[0]]
        problems.append(f"{codes[0]}: number of care homes is not a whole number from 0 to {total}")
    return SamplePlanted(tuple(by_code[a.code] for a in answers), homes, tuple(problems))


def _as_text_number(
    homes: int, total: int, answer: grids.ActionAnswer, rng: random.Random
) -> tuple[grids.ActionAnswer, int]:
    if rng.random() < 0.25:
        return replace(answer, homes_raw=rng.choice(["all", "All", "100%"])), total
    forms: list[str | float] = [f"{homes} homes", f"{homes} of {total}", f"{homes}/{total}", float(homes)]
    if homes * 100 % total == 0:
        forms.append(f"{homes * 100 // total}%")
    if homes == 0:
        forms.append("none")
    return replace(answer, homes_raw=rng.choice(forms)), homes


def _messy_layout(rng: random.Random) -> grids.Layout:
    instructions_first = rng.random() < 0.35
    return grids.Layout(
        columns=rng.choice(COLUMN_ORDERS),
        action_text=rng.choice(["both", "both", "code", "label"]),
        rows_above=rng.choice([0, 0, 2, 3, 5]),
        blank_rows_between_focus=rng.choice([0, 1]),
        merged_headers=rng.random() < 0.4,
        header_placement=rng.choice(["right", "right", "below"]),
        contact_split=rng.random() < 0.4,
        instructions_first=instructions_first,
        template_hidden=instructions_first and rng.random() < 0.2,
        hidden_lists=rng.random() < 0.25,
        sheet_name=rng.choice(SHEET_NAMES),
        csv_encoding=rng.choice(["utf-8", "utf-8-sig", "cp1252"]),
    )


def _expected(plan: SamplePlan, planted: SamplePlanted, total: int) -> ExpectedReading:
    if planted.problems:
        status = "invalid"
    else:
        status = "incomplete" if plan.letter_format == "none" else "valid"
    support = {
        answer.code: answer.support_raw.lower().startswith("y")
        for answer in planted.answers
        if answer.support_raw[:1].lower() in ("y", "n")
    }
    return ExpectedReading(plan.la.code, status, total, planted.homes, support, planted.problems)
