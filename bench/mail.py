"""Typical returns for the load runs: one .xlsx template and one .docx letter per message.

Built with the same real writers as `intake.samples` (openpyxl, python-docx), but only in the
format most councils sent, so that a run measures the common path and every message costs
about the same. Messages go round the register's 151 LAs (past 151, an LA sends again: a new
version), each from the LA's own domain and from a sender address used once, so that none is
held back by the per-sender limit on acknowledgements.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP

from intake.samples.files import write_docx_letter, write_xlsx
from intake.samples.grids import ActionAnswer, ReturnContent
from store.collection import Collection
from store.register import LocalAuthority, load_register

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
    """One message ready for SMTP: envelope sender and raw bytes (CRLF line ends)."""

    mail_from: str
    raw: bytes


def typical_returns(count: int, seed: int, collection: Collection) -> list[Mail]:
    """`count` returns from distinct LAs (cycling through the register past 151)."""
    rng = random.Random(seed)
    register = list(load_register())
    rng.shuffle(register)
    return [_mail(register[i % len(register)], i, collection, rng) for i in range(count)]


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


def _mail(la: LocalAuthority, index: int, collection: Collection, rng: random.Random) -> Mail:
    content = return_content(la, collection, rng, contact=f"sam.taylor{index or ''}")
    sender = content.contact_email
    message = EmailMessage()
    message["From"] = f"Sam Taylor <{sender}>"
    message["To"] = collection.inbox
    message["Subject"] = f"Care home support local planning return - {la.official_name}"
    message["Message-ID"] = f"<bench-{index}-{rng.getrandbits(64):x}@{la.domains[0]}>"
    message.set_content(f"Please find attached {la.name}'s return and covering letter.\n\nSam")
    message.add_attachment(write_xlsx(content, collection=collection), maintype="application",
                           subtype=XLSX.split("/")[1], filename=f"{la.name} template.xlsx")
    message.add_attachment(write_docx_letter(content.letter_text), maintype="application",
                           subtype=DOCX.split("/")[1], filename=f"{la.name} covering letter.docx")
    return Mail(sender, message.as_bytes(policy=SMTP))
