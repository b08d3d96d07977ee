"""Realistic synthetic returns: the demo, the load source and the tests' factory.

`make_sample_returns` builds emailed returns as councils really sent them in May 2020: varied
LAs, senders on the LA's own domain, mostly clean .xlsx templates with a .docx or .pdf letter,
and, in realistic proportions, the mistakes the intake must catch or tolerate. Each sample
carries what a correct reader should conclude (`ExpectedReading`). The mix is allocated by
quota rather than by chance, so any run of a few dozen samples shows every kind of messiness,
and everything (bytes included) depends only on the seed.

`send_samples` mails them to a running intake with aiosmtplib (`python -m intake send-sample`).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import time
import unicodedata
import zipfile
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import aiosmtplib

from intake import sample_files as files
from store.collection import Collection, load_collection
from store.register import LocalAuthority, authorities_by_code, load_register
from store.settings import DEFAULT_INBOX, Settings

LONDON = ZoneInfo("Europe/London")

# Kinds of return; each first submission has exactly one. Weights are shares of first submissions.
CLEAN = "clean"
TEXT_NUMBERS = "text_numbers"              # '45 homes', '45 of 52', '90%', 'all': still valid
PLACEHOLDER_LEFT = "placeholder_left"      # '<Please select>' left in a Yes/No cell
YES_WITHOUT_DESCRIPTION = "yes_without_description"
COUNT_ABOVE_TOTAL = "count_above_total"
COUNT_NOT_A_NUMBER = "count_not_a_number"  # 'n/a', 'TBC'
COUNT_BLANK = "count_blank"
NO_LETTER = "no_letter"                    # template only: incomplete
KIND_WEIGHTS = {
    TEXT_NUMBERS: 0.12, PLACEHOLDER_LEFT: 0.06, YES_WITHOUT_DESCRIPTION: 0.05,
    COUNT_ABOVE_TOTAL: 0.04, COUNT_NOT_A_NUMBER: 0.02, COUNT_BLANK: 0.03, NO_LETTER: 0.04,
}
BAD_COUNT_KINDS = (COUNT_ABOVE_TOTAL, COUNT_NOT_A_NUMBER, COUNT_BLANK)
INVALID_KINDS = frozenset({PLACEHOLDER_LEFT, YES_WITHOUT_DESCRIPTION, *BAD_COUNT_KINDS})
# Traits that come on top of the kind.
NAME_VARIANT = "name_variant"
MESSY_LAYOUT = "messy_layout"
RESUBMISSION = "resubmission"
RESUBMISSION_SHARE = 0.08
TRAIT_SHARES = {NAME_VARIANT: 0.12, MESSY_LAYOUT: 0.35}

TEMPLATE_FORMAT_WEIGHTS = {"xls": 0.10, "ods": 0.08, "csv": 0.07, "zip": 0.12, "xlsx-xlsxwriter": 0.08}
LETTER_FORMAT_WEIGHTS = {"pdf": 0.25, "odt": 0.05, "txt": 0.03, "body": 0.17}
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}

# Names councils really wrote for themselves that a register lookup must still match.
FAMOUS_VARIANTS = {
    "E06000022": ("Bath & NE Somerset", "B&NES"),
    "E06000058": ("BCP", "BCP Council"),
    "E06000010": ("Kingston upon Hull, City of",),
    "E06000019": ("Herefordshire, County of",),
}
TOTAL_RANGES = {"London borough": (20, 90), "county": (150, 400), "metropolitan district": (45, 160)}
TINY_AREAS = {"E06000053": 1, "E09000001": 1}  # Isles of Scilly, City of London
LOW_ACTIONS = {"2.1": (0.25, 0.75), "2.2": (0.6, 0.95), "4.3": (0.45, 0.9)}  # testing in May 2020
YES_RATES = {"2.1": 0.45, "3.1": 0.35, "4.5": 0.3}
YES_WORDS = ("Yes",) * 8 + ("Y", "yes", "YES")
NO_WORDS = ("No",) * 8 + ("N", "No.", "no")
NOT_NUMBERS = ("n/a", "N/A", "TBC", "not known")

FIRST_NAMES = (
    "Joanne", "Amir", "Sarah", "David", "Priya", "Mark", "Helen", "Oluwaseun", "Claire", "James",
    "Fatima", "Gareth", "Siobhan", "Rajesh", "Emma", "Tom", "Aisha", "Neil", "Catherine", "Wei",
    "Lucy", "Michael", "Bethan", "Imran", "Rachel", "Stephen", "Nicola", "Kwame", "Zoë", "Andrew",
)
SURNAMES = (
    "Patel", "Smith", "Jones", "Khan", "Williams", "Brown", "Taylor", "O'Neill", "Davies", "Evans",
    "Wilson", "Thompson", "Ahmed", "Roberts", "Walker", "Wright", "Robinson", "Hughes", "Edwards",
    "Green", "Hall", "Lewis", "Clarke", "Begum", "Okafor", "Chen", "Murphy", "Kaur", "Singh",
)
ROLES = (
    "Head of Commissioning", "Commissioning Manager", "Assistant Director, Adult Social Care",
    "Strategic Commissioning Lead", "Quality Assurance Manager", "Head of Market Development",
    "Service Manager, Care Homes", "Director of Adult Social Services",
)
SUPPORT_WANTED = {
    "1": ("Funding to backfill staff so homes can cohort residents safely",
          "Guidance on isolating residents living with dementia who walk with purpose",
          "Support to limit agency staff working across several homes"),
    "2": ("Test results back within 48 hours (currently 4-5 days)",
          "Regular repeat testing of asymptomatic staff",
          "Courier collection for whole-home testing kits"),
    "3": ("A reliable supply of gowns and FFP3 masks through the LRF",
          "Pulse oximeters and thermometers for smaller homes"),
    "4": ("Train-the-trainer sessions on donning and doffing PPE",
          "Training on swabbing technique for care staff",
          "Access to returning clinicians and volunteers through the NHS"),
    "5": ("A named clinical lead for the homes not yet aligned to a PCN",
          "Weekly multidisciplinary check-ins with GP practices"),
}
ISSUES = (
    "Agency staff still work across several homes", "Test results can take up to five days",
    "Small independent homes struggle to get PPE", "Some staff are anxious about being tested",
    "A few homes are not yet aligned to a primary care network",
)
BENEFITS = (
    "Clarity on the Infection Control Fund beyond the first tranche.",
    "A single national route for PPE supply to small providers.",
    "Regular testing of all staff with results within 48 hours.",
    "Help to recruit and deploy returning clinicians into care homes.",
)
REGIONAL_ISSUES = (
    "Workforce shortages are growing as staff self-isolate.",
    "Occupancy is falling and several small homes may not remain viable.",
    "Hospital discharge without test results earlier in the outbreak.",
)
SHEET_NAMES = ("Implementation Status", "Template", "Sheet1", "CH Support Template")
COLUMN_ORDERS: tuple[tuple[files.Column, ...], ...] = (
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
class _Plan:
    la: LocalAuthority
    token: int                          # seeds everything about this LA's return
    kind: str
    template_format: str
    letter_format: str
    traits: frozenset[str]
    sent_at: datetime
    version: int = 1
    replaces: datetime | None = None


@dataclass(frozen=True)
class _Person:
    name: str
    role: str
    email: str
    phone: str


@dataclass(frozen=True)
class _Planted:
    answers: tuple[files.ActionAnswer, ...]
    homes: dict[str, int]
    problems: tuple[str, ...]


def make_sample_returns(count: int, seed: int, collection: Collection) -> list[SampleReturn]:
    """`count` emailed returns (corrected resubmissions included), in the order they were sent."""
    rng = random.Random(seed)
    resubmissions = round(count * RESUBMISSION_SHARE) if count >= 10 else 0
    plans = _first_plans(count - resubmissions, rng)
    plans += [_resubmission_plan(plan, rng) for plan in _to_correct(plans, resubmissions, rng)]
    samples = [_sample(plan, collection) for plan in plans]
    return sorted(samples, key=lambda sample: sample.sent_at)


# --- planning the mix ----------------------------------------------------------------------


def _first_plans(count: int, rng: random.Random) -> list[_Plan]:
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
        plans.append(_Plan(la, rng.getrandbits(64), kinds[i], templates[i], letter,
                           frozenset(chosen), _sent_at(rng)))
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


def _sent_at(rng: random.Random) -> datetime:
    # Most returns arrive in the last days before the 29 May deadline; a few after it.
    day = rng.choices(range(18, 34), weights=[1, 1, 1, 2, 2, 1, 1, 2, 3, 5, 7, 9, 1, 1, 2, 1])[0]
    start = datetime(2020, 5, 1, 8, tzinfo=LONDON) + timedelta(days=day - 1)
    return start + timedelta(minutes=rng.randrange(11 * 60), seconds=rng.randrange(60))


def _to_correct(plans: list[_Plan], count: int, rng: random.Random) -> list[_Plan]:
    """The returns sent again later: those with errors or no letter first, then a few updates."""
    needing = [plan for plan in plans if plan.kind in INVALID_KINDS or plan.kind == NO_LETTER]
    rest = [plan for plan in plans if plan not in needing]
    rng.shuffle(needing)
    rng.shuffle(rest)
    return (needing + rest)[:count]


def _resubmission_plan(plan: _Plan, rng: random.Random) -> _Plan:
    later = plan.sent_at + timedelta(days=rng.randint(1, 3), minutes=rng.randrange(300))
    letter = "docx" if plan.letter_format == "none" else plan.letter_format
    return replace(plan, kind=CLEAN, letter_format=letter, sent_at=later, version=2,
                   replaces=plan.sent_at)


# --- one return ------------------------------------------------------------------------------


def _rng(plan: _Plan, aspect: str) -> random.Random:
    """A generator per aspect, so a resubmission repeats its original except where corrected."""
    return random.Random(f"{plan.token}:{aspect}")


def _sample(plan: _Plan, collection: Collection) -> SampleReturn:
    rng = _rng(plan, "content")
    person = _person(plan.la, rng)
    total = TINY_AREAS.get(plan.la.code) or plan.la.care_homes or rng.randint(
        *TOTAL_RANGES.get(plan.la.type, (25, 140)))
    answers = _clean_answers(total, collection, rng)
    if plan.version > 1:
        answers = _update_a_figure(answers, total, _rng(plan, f"update{plan.version}"))
    planted = _plant(plan.kind, answers, total, collection, _rng(plan, "kind"))
    content = files.ReturnContent(
        la_name=_written_name(plan, rng), total_raw=total,
        contact_name=person.name, contact_email=person.email, contact_phone=person.phone,
        actions=planted.answers,
        support_benefit=" ".join(rng.sample(BENEFITS, rng.randint(1, 2))),
        regional_issues=rng.choice(REGIONAL_ISSUES) if rng.random() < 0.75 else "",
        letter_text=_covering_letter(plan, total, rng),
    )
    layout = _messy_layout(_rng(plan, "layout")) if MESSY_LAYOUT in plan.traits else files.Layout()
    raw = _email(plan, person, content, layout, collection)
    kinds = (plan.kind, *sorted(plan.traits), *([RESUBMISSION] if plan.version > 1 else []))
    return SampleReturn(plan.la.code, person.email, raw, _expected(plan, planted, total),
                        plan.template_format, plan.letter_format, kinds, plan.version, plan.sent_at)


def _person(la: LocalAuthority, rng: random.Random) -> _Person:
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = local.replace("'", "").lower()
    phone = rng.choice([f"0{rng.randint(1132, 1997)} {rng.randint(100000, 999999)}",
                        f"0300 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])
    return _Person(f"{first} {last}", rng.choice(ROLES), f"{local}@{la.domains[0]}", phone)


def _written_name(plan: _Plan, rng: random.Random) -> str:
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


def _clean_answers(total: int, collection: Collection, rng: random.Random) -> list[files.ActionAnswer]:
    base = rng.uniform(0.6, 0.85) if rng.random() < 0.2 else rng.uniform(0.85, 1.0)
    answers = []
    for action in collection.actions:
        low, high = LOW_ACTIONS.get(action.code, (base - 0.12, base))
        homes = min(total, max(0, round(total * rng.uniform(low, min(high, 1.0)))))
        wants = rng.random() < YES_RATES.get(action.code, 0.12)
        description = rng.choice(SUPPORT_WANTED[action.focus]) if wants else ""
        support = rng.choice(YES_WORDS if wants else NO_WORDS)
        issues = rng.choice(ISSUES) if rng.random() < 0.12 else ""
        answers.append(files.ActionAnswer(action.code, homes, support, description, issues))
    return answers


def _update_a_figure(answers: list[files.ActionAnswer], total: int, rng: random.Random) -> list[files.ActionAnswer]:
    i = rng.randrange(len(answers))
    homes = min(total, max(0, int(answers[i].homes_raw) + rng.choice([-2, -1, 1, 2, 3])))
    return answers[:i] + [replace(answers[i], homes_raw=homes)] + answers[i + 1:]


def _plant(
    kind: str, answers: list[files.ActionAnswer], total: int, collection: Collection, rng: random.Random
) -> _Planted:
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
        by_code[codes[0]] = replace(by_code[codes[0]], support_raw="Yes", description="")
        problems.append(f"{codes[0]}: Yes without a description of the support")
    elif kind in BAD_COUNT_KINDS:
        bad = {COUNT_ABOVE_TOTAL: total + rng.randint(1, max(3, total // 4)),
               COUNT_NOT_A_NUMBER: rng.choice(NOT_NUMBERS), COUNT_BLANK: ""}[kind]
        by_code[codes[0]] = replace(by_code[codes[0]], homes_raw=bad)
        del homes[codes[0]]
        problems.append(f"{codes[0]}: number of care homes is not a whole number from 0 to {total}")
    return _Planted(tuple(by_code[a.code] for a in answers), homes, tuple(problems))


def _as_text_number(
    homes: int, total: int, answer: files.ActionAnswer, rng: random.Random
) -> tuple[files.ActionAnswer, int]:
    if rng.random() < 0.25:
        return replace(answer, homes_raw=rng.choice(["all", "All", "100%"])), total
    forms: list[str | float] = [f"{homes} homes", f"{homes} of {total}", f"{homes}/{total}", float(homes)]
    if homes * 100 % total == 0:
        forms.append(f"{homes * 100 // total}%")
    if homes == 0:
        forms.append("none")
    return replace(answer, homes_raw=rng.choice(forms)), homes


def _messy_layout(rng: random.Random) -> files.Layout:
    instructions_first = rng.random() < 0.35
    return files.Layout(
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


def _expected(plan: _Plan, planted: _Planted, total: int) -> ExpectedReading:
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


# --- the letter and the email ----------------------------------------------------------------


def _covering_letter(plan: _Plan, total: int, rng: random.Random) -> str:
    la, ceo = plan.la, f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    confidence = rng.choice([
        "We are confident that the actions in the template are in place or will be within the next fortnight.",
        "Our collective confidence is moderate: most actions are in place, but testing remains our main concern.",
        "We are confident about infection control and PPE; access to testing and clinical equipment is improving.",
    ])
    return "\n\n".join([
        la.official_name,
        f"{plan.sent_at:%d %B %Y}",
        rng.choice(["Dear Minister,", "Dear colleagues,", "Dear Helen and Rosie,"]),
        f"Care home support: local planning return for {la.name}",
        f"We have worked jointly with our NHS partners and providers to keep the local care market "
        f"resilient. There are {total} CQC registered care homes in {la.name}, with around "
        f"{total * rng.randint(22, 40):,} beds, and {rng.randint(2, 15)} extra care schemes that are "
        f"not counted in the template.",
        confidence,
        f"Commissioners have agreed a temporary fee uplift of {rng.choice([5, 7.5, 10])}% from April "
        f"to June 2020, and 75% of the Infection Control Fund goes to homes on a per-bed basis.",
        f"Alternative accommodation is available in {rng.randint(6, 40)} step-down beds for "
        f"residents who cannot be isolated safely in their own home.",
        "Returning clinical staff and volunteers are placed into care homes through our local "
        "workforce hub, coordinated with the CCG.",
        f"Yours sincerely,\n{ceo}\nChief Executive, {la.official_name}",
    ])


def _email(
    plan: _Plan, person: _Person, content: files.ReturnContent, layout: files.Layout,
    collection: Collection,
) -> bytes:
    rng = _rng(plan, f"mail{plan.version}")
    local, domain = person.email.split("@")
    display = person.name if rng.random() < 0.7 else ", ".join(reversed(person.name.split(" ", 1)))
    message = EmailMessage()
    message["From"] = Address(display, local, domain)
    message["To"] = collection.inbox
    message["Subject"] = _subject(plan)
    message["Date"] = format_datetime(plan.sent_at)
    message["Message-ID"] = f"<{rng.getrandbits(80):020x}@{domain}>"
    message.set_content(_body(plan, person, content))
    for filename, data in _attachments(plan, content, layout, collection, rng):
        mime = "application/octet-stream" if rng.random() < 0.1 else MIME_TYPES[filename.rsplit(".", 1)[1]]
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if message.is_multipart():
        message.set_boundary(f"=_return_{plan.token:x}_{plan.version}")
    return message.as_bytes(policy=SMTP)


def _subject(plan: _Plan) -> str:
    la = plan.la
    subject = _rng(plan, "subject").choice([
        f"Care home support local planning return - {la.official_name}",
        f"{la.name}: COVID-19 care home support return",
        f"Care Home Support Plan - {la.name}",
        "Care home support template and covering letter",
        f"OFFICIAL: {la.name} care home support plan",
    ])
    return f"RE: {subject} (corrected)" if plan.version > 1 else subject


def _body(plan: _Plan, person: _Person, content: files.ReturnContent) -> str:
    signature = f"{person.name}\n{person.role}\n{plan.la.official_name}\nTel: {person.phone}"
    if plan.letter_format == "body":
        return f"{content.letter_text}\n\n--\n{signature}\n"
    if plan.replaces is not None:
        note = (f"Please find attached our corrected return, which replaces the one sent on "
                f"{plan.replaces:%d %B}.")
    elif plan.letter_format == "none":
        note = "Please find attached our completed template. The covering letter will follow once signed off."
    else:
        note = f"Please find attached {plan.la.name}'s care home support return and covering letter."
    return f"Dear colleagues,\n\n{note}\n\nKind regards,\n\n{signature}\n"


def _attachments(
    plan: _Plan, content: files.ReturnContent, layout: files.Layout, collection: Collection,
    rng: random.Random,
) -> list[tuple[str, bytes]]:
    name = plan.la.name
    stem = rng.choice([f"{name} Care Home Support Template", f"Care Home Support Implementation Status - {name}",
                       f"{plan.la.code}_care_home_template_{plan.sent_at:%d%m%y}",
                       f"COVID19 Care Home Support {name} FINAL"])
    template_format = "xlsx" if plan.template_format == "zip" else plan.template_format
    extension = template_format.split("-")[0]
    template = (f"{stem}.{extension}", _TEMPLATE_WRITERS[template_format](content, layout, collection))
    letter = _letter_file(plan, content.letter_text, rng)
    if plan.template_format != "zip":
        return [template] + ([letter] if letter else [])
    members = [template] + ([letter] if letter and rng.random() < 0.7 else [])
    outside = [letter] if letter and letter not in members else []
    return [(f"{name} care home return.zip", _zip(members))] + outside


def _letter_file(plan: _Plan, text: str, rng: random.Random) -> tuple[str, bytes] | None:
    writers: dict[str, Callable[[str], bytes]] = {
        "docx": files.write_docx_letter, "pdf": files.write_pdf_letter,
        "odt": files.write_odt_letter, "txt": lambda letter: letter.encode("utf-8"),
    }
    if plan.letter_format not in writers:
        return None
    stem = rng.choice([f"{plan.la.name} covering letter", f"Care Home Support Plan letter - {plan.la.name}",
                       "Letter to Minister - Care Homes", "Covering letter signed"])
    return f"{stem}.{plan.letter_format}", writers[plan.letter_format](text)


def _write_xlsx_other_writer(
    content: files.ReturnContent, layout: files.Layout, collection: Collection
) -> bytes:
    try:
        return files.write_xlsx_xlsxwriter(content, layout, collection)
    except ImportError:  # XlsxWriter is a test extra; a bare install still sends its returns
        return files.write_xlsx(content, layout, collection)


_TEMPLATE_WRITERS = {
    "xlsx": files.write_xlsx, "xlsx-xlsxwriter": _write_xlsx_other_writer,
    "xls": files.write_xls, "ods": files.write_ods, "csv": files.write_csv,
}


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, data in members:
            archive.writestr(zipfile.ZipInfo(filename, files.FILE_TIME.timetuple()[:6]), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """The intake's answer to one sample: the SMTP reply code (0: no reply) and text."""

    sample: SampleReturn
    code: int
    text: str

    @property
    def accepted(self) -> bool:
        return self.code == 250


@dataclass(frozen=True)
class SendReport:
    deliveries: tuple[Delivery, ...]
    seconds: float

    @property
    def accepted(self) -> int:
        return sum(delivery.accepted for delivery in self.deliveries)

    @property
    def all_accepted(self) -> bool:
        return self.accepted == len(self.deliveries)


async def send_samples(
    returns: Sequence[SampleReturn], host: str, port: int, *, concurrency: int = 4,
    inbox: str | None = None, timeout: float = 60.0,
) -> SendReport:
    """Mail each sample (MAIL FROM its sender, RCPT TO the inbox) over `concurrency` connections.

    Never raises for a refused message or a lost connection: each gets its reply in the report.
    """
    recipient = inbox or DEFAULT_INBOX
    pending = deque(enumerate(returns))
    replies: dict[int, tuple[int, str]] = {}
    started = time.perf_counter()

    async def worker() -> None:
        client: aiosmtplib.SMTP | None = None
        while pending:
            index, sample = pending.popleft()
            client, replies[index] = await _deliver(client, sample, recipient, host, port, timeout)
        if client is not None:
            await _quit(client)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(returns))))))
    deliveries = tuple(Delivery(sample, *replies[i]) for i, sample in enumerate(returns))
    return SendReport(deliveries, time.perf_counter() - started)


async def _deliver(
    client: aiosmtplib.SMTP | None, sample: SampleReturn, recipient: str, host: str, port: int,
    timeout: float,
) -> tuple[aiosmtplib.SMTP | None, tuple[int, str]]:
    """Send one message; returns the connection to reuse (None after a failure) and the reply."""
    try:
        if client is None:
            client = aiosmtplib.SMTP(hostname=host, port=port, timeout=timeout, start_tls=False,
                                     local_hostname="send-sample.localhost")
            await client.connect()
        await client.mail(sample.mail_from)
        await client.rcpt(recipient)
        reply = await client.data(sample.raw)
        return client, (reply.code, reply.message)
    except aiosmtplib.SMTPResponseException as refusal:
        return await _reset(client), (refusal.code, refusal.message)
    except (aiosmtplib.SMTPException, OSError) as failure:
        if client is not None:
            client.close()
        return None, (0, f"{type(failure).__name__}: {failure}")


async def _reset(client: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP | None:
    if client is None:
        return None
    try:
        await client.rset()
        return client
    except (aiosmtplib.SMTPException, OSError):
        client.close()
        return None


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


# --- command line ----------------------------------------------------------------------------


def send_sample_main(argv: list[str] | None = None) -> int:
    """`python -m intake send-sample`: email synthetic returns; 0 when every one got 250."""
    settings = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m intake send-sample",
        description="Email realistic synthetic returns (varied LAs, formats and mistakes) "
                    "to a running intake: the demo and the load source.",
    )
    parser.add_argument("--count", type=int, default=20, help="messages to send (default 20)")
    parser.add_argument("--seed", type=int, default=2020, help="same seed, same returns (default 2020)")
    parser.add_argument("--host", default=settings.smtp_host, help=f"intake host (default {settings.smtp_host})")
    parser.add_argument("--port", type=int, default=settings.smtp_port, help=f"intake port (default {settings.smtp_port})")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel SMTP connections (default 4)")
    parser.add_argument("--to", default=settings.inbox_addresses[0], help="the inbox address (RCPT TO)")
    args = parser.parse_args(argv)
    if args.count < 1 or args.concurrency < 1:
        parser.error("--count and --concurrency must be at least 1")
    returns = make_sample_returns(args.count, args.seed, load_collection(settings.collection))
    report = asyncio.run(send_samples(returns, args.host, args.port,
                                      concurrency=args.concurrency, inbox=args.to))
    print_report(report)
    return 0 if report.all_accepted else 1


def print_report(report: SendReport) -> None:
    """One line per message (LA, what was sent, the intake's reply) and a summary line."""
    names = {la.code: la.name for la in authorities_by_code().values()}
    for delivery in report.deliveries:
        sample = delivery.sample
        sent = f"{sample.template_format}+{sample.letter_format}"
        reply = " ".join(delivery.text.split())
        print(f"{names[sample.la_code]:<36} {sent:<22} {sample.kinds[0]:<24} {delivery.code} {reply}")
    total = len(report.deliveries)
    rate = total / report.seconds if report.seconds else 0.0
    print(f"{report.accepted} of {total} accepted in {report.seconds:.1f} s ({rate:.1f} messages/s)")
    sys.stdout.flush()
