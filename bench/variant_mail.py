"""Returns built around the generality test's templates (`tests/return_variants.py`): wider
layouts than the demo's (transposed tables, codes in any form, reworded labels, cover and
draft sheets, five writers), each mailed from the LA's own domain with a letter as .rtf,
.docx, .pdf, .odt, in the body, or none.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

from bench.mail import PARAGRAPHS, Mail
from intake.samples import files
from intake.samples.mail import MIME_TYPES
from intake.samples.texts import make_person
from store.collection import Collection
from store.register import LocalAuthority, authorities_by_code
from tests.return_variants import generate

LETTER_WEIGHTS = {"rtf": 3, "docx": 2, "pdf": 2, "odt": 1, "body": 1, "none": 1}
MIME_TYPES_WITH_RTF = {**MIME_TYPES, "rtf": "application/rtf"}


def variant_mails(count: int, seed: int, collection: Collection) -> Iterator[Mail]:
    """`count` mails, each carrying one generated template; the same for the same seed."""
    rng = random.Random(f"variant-mail:{seed}")
    authorities = authorities_by_code()
    for variant in generate(count, seed, collection):
        la = authorities[variant.truth.la_code]
        letter = rng.choices(list(LETTER_WEIGHTS), weights=list(LETTER_WEIGHTS.values()))[0]
        sender = make_person(la, rng).email
        raw = _message(la, sender, (variant.filename, variant.data), letter, collection, rng)
        yield Mail(sender, raw, f"variant-{variant.choices['writer']}", letter, "variant")


def _message(la: LocalAuthority, sender: str, template: tuple[str, bytes], letter: str,
             collection: Collection, rng: random.Random) -> bytes:
    local, domain = sender.split("@")
    text = _letter_text(la)
    message = EmailMessage()
    message["From"] = Address(local.replace(".", " ").title(), local, domain)
    message["To"] = collection.inbox
    message["Subject"] = f"{la.name} care home support return"
    message["Message-ID"] = f"<{rng.getrandbits(80):020x}@{domain}>"
    message.set_content(text if letter == "body" else
                        f"Please find attached our return.\n\n{local.title()}\n{la.name}\n")
    attachments = [template]
    writers = {"rtf": rtf_letter, "docx": files.write_docx_letter,
               "pdf": files.write_pdf_letter, "odt": files.write_odt_letter}
    if letter in writers:
        attachments.append((f"{la.name} covering letter.{letter}", writers[letter](text)))
    for filename, data in attachments:
        maintype, subtype = MIME_TYPES_WITH_RTF[filename.rsplit(".", 1)[1]].split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    message.set_boundary(f"=_bench_{rng.getrandbits(64):x}")
    return message.as_bytes(policy=SMTP)


def _letter_text(la: LocalAuthority) -> str:
    return "\n\n".join([la.official_name, "Dear colleagues,",
                        f"Care home support: local planning return for {la.name}.", *PARAGRAPHS,
                        f"Yours sincerely,\nChief Executive, {la.official_name}"])


def rtf_letter(text: str) -> bytes:
    """A letter as WordPad writes RTF: a font table, Windows-1252 escapes, `\\par` paragraphs."""
    body = r"\par" + "\r\n"
    paragraphs = body.join(_rtf_escape(p) for p in files.paragraphs(text))
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0\\nouicompat{\\fonttbl{\\f0\\fnil\\fcharset0 "
            "Calibri;}}\r\n{\\*\\generator Riched20 10.0.19041}\\viewkind4\\uc1 \r\n"
            "\\pard\\sa200\\sl276\\slmult1\\f0\\fs22\\lang9 " + paragraphs + "\\par\r\n}\r\n"
            ).encode("ascii")


def _rtf_escape(paragraph: str) -> str:
    out = []
    for char in paragraph:
        if char in "\\{}":
            out.append("\\" + char)
        elif ord(char) < 128:
            out.append(char)
        else:
            encoded = char.encode("cp1252", errors="replace")
            out.append("".join(f"\\'{byte:02x}" for byte in encoded))
    return "".join(out)
