"""The words in synthetic returns: senders, support asked for, covering letters, subjects, bodies.

Names, roles and phrases are the kind councils really wrote in May 2020; every choice is drawn
from the generator it is given, so a sample's text depends only on its plan's token.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from intake.samples.plans import SamplePlan
from store.register import LocalAuthority

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


@dataclass(frozen=True)
class Person:
    """The officer who sends a return, writing from the LA's own domain."""

    name: str
    role: str
    email: str
    phone: str


def make_person(la: LocalAuthority, rng: random.Random) -> Person:
    """A sender at `la`: name, role, an address on its first domain, a UK phone number."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = local.replace("'", "").lower()
    phone = rng.choice([f"0{rng.randint(1132, 1997)} {rng.randint(100000, 999999)}",
                        f"0300 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])
    return Person(f"{first} {last}", rng.choice(ROLES), f"{local}@{la.domains[0]}", phone)


def covering_letter(plan: SamplePlan, total: int, rng: random.Random) -> str:
    """The chief executive's covering letter, as plain paragraphs."""
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


def email_subject(plan: SamplePlan) -> str:
    """One of the subject lines councils used; a resubmission says it is corrected."""
    la = plan.la
    subject = plan.rng("subject").choice([
        f"Care home support local planning return - {la.official_name}",
        f"{la.name}: COVID-19 care home support return",
        f"Care Home Support Plan - {la.name}",
        "Care home support template and covering letter",
        f"OFFICIAL: {la.name} care home support plan",
    ])
    return f"RE: {subject} (corrected)" if plan.version > 1 else subject


def email_body(plan: SamplePlan, person: Person, letter_text: str) -> str:
    """The message text: the letter itself when it is sent in the body, else a short note."""
    signature = f"{person.name}\n{person.role}\n{plan.la.official_name}\nTel: {person.phone}"
    if plan.letter_format == "body":
        return f"{letter_text}\n\n--\n{signature}\n"
    if plan.replaces is not None:
        note = (f"Please find attached our corrected return, which replaces the one sent on "
                f"{plan.replaces:%d %B}.")
    elif plan.letter_format == "none":
        note = "Please find attached our completed template. The covering letter will follow once signed off."
    else:
        note = f"Please find attached {plan.la.name}'s care home support return and covering letter."
    return f"Dear colleagues,\n\n{note}\n\nKind regards,\n\n{signature}\n"
