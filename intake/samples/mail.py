"""One synthetic return as the email a council sent: headers, template, letter, maybe a zip.

Attachment names, MIME types (sometimes the generic octet-stream) and zipping vary as they did
in real returns; the bytes depend only on the plan, so a run is reproducible.
"""

from __future__ import annotations

import io
import random
import zipfile
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from intake.samples import files, grids
from intake.samples.plans import SamplePlan
from intake.samples.texts import Person, email_body, email_subject
from store.collection import Collection

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


def sample_email(
    plan: SamplePlan, person: Person, content: grids.ReturnContent, layout: grids.Layout,
    collection: Collection,
) -> bytes:
    """The raw message `person` sends to the collection's inbox for `plan`."""
    rng = plan.rng(f"mail{plan.version}")
    local, domain = person.email.split("@")
    display = person.name if rng.random() < 0.7 else ", ".join(reversed(person.name.split(" ", 1)))
    message = EmailMessage()
    message["From"] = Address(display, local, domain)
    message["To"] = collection.inbox
    message["Subject"] = email_subject(plan)
    message["Date"] = format_datetime(plan.sent_at)
    message["Message-ID"] = f"<{rng.getrandbits(80):020x}@{domain}>"
    message.set_content(email_body(plan, person, content.letter_text))
    for filename, data in _attachments(plan, content, layout, collection, rng):
        mime = "application/octet-stream" if rng.random() < 0.1 else MIME_TYPES[filename.rsplit(".", 1)[1]]
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if message.is_multipart():
        message.set_boundary(f"=_return_{plan.token:x}_{plan.version}")
    return message.as_bytes(policy=SMTP)


def _attachments(
    plan: SamplePlan, content: grids.ReturnContent, layout: grids.Layout, collection: Collection,
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


def _letter_file(plan: SamplePlan, text: str, rng: random.Random) -> tuple[str, bytes] | None:
    writers = files.LETTER_WRITERS | {"txt": lambda letter: letter.encode("utf-8")}
    if plan.letter_format not in writers:
        return None
    stem = rng.choice([f"{plan.la.name} covering letter", f"Care Home Support Plan letter - {plan.la.name}",
                       "Letter to Minister - Care Homes", "Covering letter signed"])
    return f"{stem}.{plan.letter_format}", writers[plan.letter_format](text)


def _write_xlsx_other_writer(
    content: grids.ReturnContent, layout: grids.Layout, collection: Collection
) -> bytes:
    try:
        return files.write_xlsx_xlsxwriter(content, layout, collection)
    except ImportError:  # XlsxWriter is a test extra; a bare install still sends its returns
        return files.write_xlsx(content, layout, collection)


_TEMPLATE_WRITERS = files.TEMPLATE_WRITERS | {"xlsx-xlsxwriter": _write_xlsx_other_writer}


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, data in members:
            archive.writestr(zipfile.ZipInfo(filename, grids.FILE_TIME.timetuple()[:6]), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
