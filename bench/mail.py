"""One message as the load runs send it (`Mail`), and one plain return for the parts that read
one file at a time (`return_content`): a filled .xlsx template and a .docx letter's words.

The load runs' mix of returns is built in `bench.mixed_returns`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from intake.samples.grids import ActionAnswer, ReturnContent
from store.collection import Collection
from store.register import LocalAuthority

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUPPORT = ("Test results back within 48 hours", "A reliable supply of gowns and FFP3 masks",
           "Training on swabbing technique for care staff")
PARAGRAPHS = (
    "We have worked jointly with our NHS partners and providers to keep the local care market "
    "resilient through the outbreak, with weekly calls to every home and a daily sitrep.",
    "We are confident that the actions in the template are in place or will be within the next "
    "fortnight; access to testing remains our main concern.",
    "Commissioners have agreed a temporary fee uplift from April to June 2020, and 75% of the "
    "Infection Control Fund goes to homes on a per-bed basis.",
    "Alternative accommodation is available in step-down beds for residents who cannot be "
    "isolated safely in their own home.",
    "Returning clinical staff and volunteers are placed into care homes through our local "
    "workforce hub, coordinated with the CCG.",
)


@dataclass(frozen=True)
class Mail:
    """One message ready for SMTP: envelope sender, raw bytes (CRLF line ends), and what it
    holds (template format, letter format, kind), for describing the mix."""

    mail_from: str
    raw: bytes
    template: str = "xlsx"
    letter: str = "docx"
    kind: str = "clean"


def return_content(la: LocalAuthority, collection: Collection, rng: random.Random,
                   contact: str = "sam.taylor") -> ReturnContent:
    """A filled-in template for `la`: most actions widely in place, a few asks for support."""
    total = la.care_homes or rng.randint(20, 300)
    answers = []
    for action in collection.actions:
        wants = rng.random() < 0.15
        answers.append(ActionAnswer(action.code, round(total * rng.uniform(0.7, 1.0)),
                                    "Yes" if wants else "No",
                                    rng.choice(SUPPORT) if wants else ""))
    letter = "\n\n".join([la.official_name, "Dear colleagues,", *PARAGRAPHS,
                          f"Yours sincerely,\nChief Executive, {la.official_name}"])
    return ReturnContent(la.official_name, total, "Sam Taylor", f"{contact}@{la.domains[0]}",
                         "0300 123 4567", tuple(answers),
                         support_benefit="Regular testing of all staff with results in 48 hours.",
                         letter_text=letter)
