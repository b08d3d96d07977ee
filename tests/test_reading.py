"""read_message turns whole emails into templates, letters and file notes; bad files cost one note."""

from __future__ import annotations

import hashlib
import io
import zipfile
from email.message import EmailMessage

import docx
import openpyxl
from fpdf import FPDF

from intake.models import ReadMessage
from intake.reading.message import (
    BODY_LETTER,
    read_message,
    read_message_limited,
    read_message_sync,
)
from intake.reading.sandbox import TOO_SLOW, Limits
from store.collection import Collection
from tests.hostile_files import big_csv

LETTER_TEXT = (
    "Dear colleagues, this letter from Leeds City Council describes our support to care homes. "
    "The local care market is resilient; we are confident that the actions are in place. "
    "Short-term financial pressures are met by a 10% uplift, alternative accommodation is "
    "available for 40 residents, and returning clinical staff and volunteers are placed daily."
)


def template_workbook(collection: Collection, la: str = "Leeds", total: int = 52) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Implementation Status"
    text = collection.template
    sheet.append([text.title])
    sheet.append([text.la_label, la])
    sheet.append([text.total_label, total])
    sheet.append([text.contact_label, "Jo Bloggs, jo.bloggs@leeds.gov.uk, 0113 000 0000"])
    sheet.append([])
    headers = text.column_headers
    sheet.append([headers["action"], headers["homes_in_place"], headers["support"], headers["issues"]])
    for focus, name in collection.focus_areas.items():
        sheet.append([f"Focus {focus}: {name}"])
        for action in collection.actions:
            if action.focus == focus:
                sheet.append([f"{action.code}) {action.label}", 45, "No", ""])
    sheet.append([text.benefit_label])
    sheet.append(["More testing capacity"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def word_letter() -> bytes:
    document = docx.Document()
    document.add_paragraph(LETTER_TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def email_with(*files: tuple[str, bytes], body: str = "Please find our return attached.") -> bytes:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@leeds.gov.uk>"
    message["Subject"] = "Care home support return"
    message["Message-ID"] = "<r1@leeds.gov.uk>"
    message.set_content(body)
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def roles(read: ReadMessage) -> dict[str, str]:
    return {note.filename: note.role for note in read.files}


def test_a_docx_letter_and_a_zipped_xlsx_template(collection: Collection) -> None:
    workbook = template_workbook(collection)
    raw = email_with(("Leeds letter.docx", word_letter()),
                     ("return.zip", zipped({"Leeds/template.xlsx": workbook})))
    read = read_message(raw, collection)
    assert roles(read) == {"Leeds letter.docx": "letter", "return.zip/template.xlsx": "template"}
    assert read.letters[0].text == LETTER_TEXT
    template = read.templates[0]
    assert template.la_name == "Leeds" and template.total_raw == "52"
    assert [row.code for row in template.rows] == list(collection.action_codes)
    assert all(row.homes_raw == "45" for row in template.rows)
    note = next(n for n in read.files if n.role == "template")
    assert note.size == len(workbook) and note.sha256 == hashlib.sha256(workbook).hexdigest()
    assert "Implementation Status" in note.note
    assert read.headers.from_address == "jo.bloggs@leeds.gov.uk"


def test_a_zip_bomb_is_one_unreadable_note(collection: Collection) -> None:
    bomb = zipped({"template.xlsx": b"\x00" * (20 << 20)})
    read = read_message(email_with(("return.zip", bomb)), collection)
    assert roles(read) == {"return.zip": "unreadable"}
    assert "zip bomb" in read.files[0].note
    assert read.templates == () and read.letters == ()


def test_an_encrypted_pdf_is_unreadable_with_a_reason(collection: Collection) -> None:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, LETTER_TEXT)
    pdf.set_encryption(owner_password="o", user_password="secret")
    read = read_message(email_with(("letter.pdf", bytes(pdf.output()))), collection)
    assert roles(read) == {"letter.pdf": "unreadable"}
    assert "password" in read.files[0].note


def test_a_body_with_real_text_is_the_letter(collection: Collection) -> None:
    body = f"{LETTER_TEXT}\n\nKind regards,\nJo Bloggs\nLeeds City Council"
    read = read_message(email_with(("t.xlsx", template_workbook(collection)), body=body), collection)
    assert [(letter.filename, letter.text) for letter in read.letters] == [(BODY_LETTER, body)]


def test_a_greeting_and_a_disclaimer_are_not_a_letter(collection: Collection) -> None:
    body = ("Hi,\n\nPlease find attached our return.\n\nKind regards,\nJo Bloggs\nCommissioning "
            "Manager, Adults and Health, Leeds City Council, Merrion House, 110 Merrion Centre, "
            "Leeds LS2 8BB. Tel 0113 000 0000\n\nThis email is confidential and intended only for "
            "the recipient. If you received it in error please delete it; it may be monitored. "
            "Views expressed are the sender's own and not those of the council. " * 2)
    read = read_message(email_with(body=body), collection)
    assert read.letters == ()


def test_a_delivery_report_is_not_taken_for_a_letter(collection: Collection) -> None:
    report = (b"Reporting-MTA: dns; mx.leeds.gov.uk\nFinal-Recipient: rfc822; x@example.org\n"
              b"Action: failed\nStatus: 5.1.1\n" * 10)
    body = "This is the mail system at host mx.leeds.gov.uk. Your message could not be delivered."
    read = read_message(email_with(("deliveryproblems.txt", report), body=body), collection)
    assert read.letters == ()
    assert roles(read) == {"deliveryproblems.txt": "ignored"}


def test_spreadsheets_without_a_template_images_and_nested_zips_are_noted(collection: Collection) -> None:
    other = openpyxl.Workbook()
    other.active.append(["Budget", 1000])
    out = io.BytesIO()
    other.save(out)
    raw = email_with(("budget.xlsx", out.getvalue()), ("logo.png", b"\x89PNG\r\n\x1a\n"),
                     ("all.zip", zipped({"inner.zip": zipped({"t.xlsx": b"x"})})))
    read = read_message(raw, collection)
    notes = {note.filename: (note.role, note.note) for note in read.files}
    assert notes["budget.xlsx"] == ("ignored", "no template found in this spreadsheet")
    assert notes["logo.png"][0] == "ignored"
    assert notes["all.zip/inner.zip"][0] == "ignored" and "zip inside a zip" in notes["all.zip/inner.zip"][1]


def test_a_damaged_spreadsheet_costs_only_its_own_note(collection: Collection) -> None:
    raw = email_with(("broken.xlsx", b"PK\x03\x04 not really"), ("letter.docx", word_letter()))
    read = read_message(raw, collection)
    assert roles(read) == {"broken.xlsx": "unreadable", "letter.docx": "letter"}


def test_files_are_recognised_by_content_when_misnamed(collection: Collection) -> None:
    raw = email_with(("return", template_workbook(collection)), ("letter.xlsx", word_letter()))
    assert roles(read_message(raw, collection)) == {"return": "template", "letter.xlsx": "letter"}


def test_a_file_is_read_as_the_one_sniff_says_it_is(collection: Collection) -> None:
    # Named without a suffix and declared text/plain: the type decides it is a text letter,
    # and the letter reader must not sniff again without the type and refuse it.
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@leeds.gov.uk>"
    message.set_content("Please find our return attached.")
    letter = ("Dear colleagues, the local care market remains resilient. Our support to care "
              "homes covers infection control, testing and the workforce. " * 3)
    message.add_attachment(letter, filename="Covering letter")
    read = read_message(message.as_bytes(), collection)
    assert roles(read) == {"Covering letter": "letter"}
    assert read.letters[0].text.startswith("Dear colleagues")


async def test_read_in_the_sandbox_gives_the_same_reading(collection: Collection) -> None:
    raw = email_with(("Leeds letter.docx", word_letter()), ("t.xlsx", template_workbook(collection)))
    assert await read_message_limited(raw, collection) == read_message(raw, collection)
    assert read_message_sync(raw, collection) == read_message(raw, collection)


def test_a_failed_sandbox_keeps_the_headers_and_says_why(collection: Collection) -> None:
    # A read of most of a second against a limit of a twentieth: a busy machine that is slow
    # to collect the answer cannot make it look in time.
    raw = email_with(("t.xlsx", template_workbook(collection)), ("big.csv", big_csv(8)))
    read = read_message_sync(raw, collection, Limits(wall_seconds=0.05))
    assert read.problems == (TOO_SLOW,)
    assert read.headers.subject == "Care home support return"
    assert read.templates == ()
