"""Returns inside containers are read: Outlook's winmail.dat, a forwarded or saved email, and
files uuencoded in the body; a container inside a container is named, not opened."""

from __future__ import annotations

import binascii
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

import pytest

from intake.reading.message import BODY_LETTER, read_message
from intake.samples.files import LETTER_WRITERS, TEMPLATE_WRITERS
from store.collection import Collection
from tests.hostile_files import leeds_content
from tests.test_reading import LETTER_TEXT, roles, template_workbook, word_letter, zipped
from tests.tnef_files import tnef

FIXTURES = Path(__file__).parent / "fixtures"


def outlook_mail(winmail: bytes, body: str = "") -> bytes:
    """What Outlook sends when it wraps a message in TNEF: a stub body and winmail.dat."""
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@leeds.gov.uk>"
    message["Subject"] = "Care home support return"
    message.set_content(body)
    message.add_attachment(winmail, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return message.as_bytes()


def forwarding(inner: EmailMessage, note: str = "FYI, see below.") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sam Green <sam.green@leeds.gov.uk>"
    message["Subject"] = "Fwd: Care home support return"
    message.set_content(note)
    message.add_attachment(inner)  # message/rfc822, as mail clients forward "as attachment"
    return message


def leeds_return(collection: Collection, body: str = LETTER_TEXT) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@leeds.gov.uk>"
    message["Subject"] = "Care home support return"
    message.set_content(body)
    message.add_attachment(template_workbook(collection), maintype="application",
                           subtype="octet-stream", filename="Leeds return.xlsx")
    return message


def test_a_return_inside_winmail_dat_is_read(collection: Collection) -> None:
    winmail = tnef([("Leeds return.xlsx", template_workbook(collection)),
                    ("Leeds letter.docx", word_letter())])
    read = read_message(outlook_mail(winmail), collection)
    assert roles(read) == {"winmail.dat/Leeds return.xlsx": "template",
                           "winmail.dat/Leeds letter.docx": "letter"}
    assert read.templates[0].la_name == "Leeds" and read.templates[0].total_raw == "52"
    assert read.letters[0].text == LETTER_TEXT


def test_the_letter_in_a_winmail_dat_body_is_the_covering_letter(collection: Collection) -> None:
    winmail = tnef([("Leeds return.xlsx", template_workbook(collection))], body=LETTER_TEXT)
    read = read_message(outlook_mail(winmail), collection)
    assert [letter.filename for letter in read.letters] == [BODY_LETTER]
    assert LETTER_TEXT in read.letters[0].text
    assert LETTER_TEXT in read.body_text


def test_real_outlook_winmail_dat_gives_its_files_and_its_text(collection: Collection) -> None:
    read = read_message(outlook_mail((FIXTURES / "outlook-two-files.tnef").read_bytes()), collection)
    assert set(roles(read)) == {"winmail.dat/AUTHORS", "winmail.dat/README"}
    sizes = {note.filename: note.size for note in read.files}
    assert sizes == {"winmail.dat/AUTHORS": 244, "winmail.dat/README": 893}
    html_only = read_message(outlook_mail((FIXTURES / "outlook-body.tnef").read_bytes()), collection)
    assert "THE BILL OF RIGHTS" in html_only.body_text and "<" not in html_only.body_text
    rtf_only = read_message(outlook_mail((FIXTURES / "outlook-rtf.tnef").read_bytes()), collection)
    assert "Compuware Corporation" in rtf_only.body_text and "\\par" not in rtf_only.body_text


def test_a_winmail_dat_of_endless_tiny_parts_is_refused_by_name(collection: Collection) -> None:
    flood = tnef([(f"f{n}.txt", b"x") for n in range(4000)])
    read = read_message(outlook_mail(flood), collection)
    assert roles(read) == {"winmail.dat": "unreadable"}
    assert "winmail.dat" in read.files[0].note and "parts" in read.files[0].note


def test_a_cut_off_winmail_dat_names_the_damaged_file_inside(collection: Collection) -> None:
    winmail = tnef([("Leeds letter.docx", word_letter()),
                    ("Leeds return.xlsx", template_workbook(collection))])
    read = read_message(outlook_mail(winmail[: len(winmail) - 2000]), collection)
    notes = {note.filename: (note.role, note.note) for note in read.files}
    assert notes["winmail.dat/Leeds letter.docx"][0] == "letter"
    assert notes["winmail.dat/Leeds return.xlsx"] == (
        "unreadable", "the file is not a readable spreadsheet (it may be damaged)")


def test_a_return_forwarded_as_an_attachment_is_read(collection: Collection) -> None:
    read = read_message(forwarding(leeds_return(collection)).as_bytes(), collection)
    assert roles(read) == {"Leeds return.xlsx": "template"}
    assert read.letters[0].filename == BODY_LETTER and LETTER_TEXT in read.letters[0].text


def test_a_saved_email_attached_as_a_file_is_opened(collection: Collection) -> None:
    saved = leeds_return(collection).as_bytes(policy=SMTP_POLICY)
    message = EmailMessage()
    message["From"] = "Sam Green <sam.green@leeds.gov.uk>"
    message.set_content("Forwarding the Leeds return.")
    message.add_attachment(saved, maintype="application", subtype="octet-stream",
                           filename="Leeds return.eml")
    read = read_message(message.as_bytes(), collection)
    assert roles(read) == {"Leeds return.eml/Leeds return.xlsx": "template"}
    assert LETTER_TEXT in read.letters[0].text


def test_a_container_inside_a_container_is_named_not_opened(collection: Collection) -> None:
    inner = leeds_return(collection)
    inner.add_attachment(zipped({"t.xlsx": template_workbook(collection)}), maintype="application",
                         subtype="zip", filename="more.zip")
    saved = inner.as_bytes(policy=SMTP_POLICY)
    winmail = tnef([("forwarded.eml", saved)])
    read = read_message(outlook_mail(winmail), collection)
    assert roles(read) == {"winmail.dat/forwarded.eml": "ignored"}
    assert "forwarded email inside a winmail.dat is not opened" in read.files[0].note


def uuencoded(name: str, data: bytes) -> str:
    lines = [binascii.b2a_uu(data[i:i + 45]).decode() for i in range(0, len(data), 45)]
    return f"begin 644 {name}\n{''.join(lines)}`\nend\n"


def test_a_template_uuencoded_in_the_body_is_read(collection: Collection) -> None:
    workbook = template_workbook(collection)
    body = f"{LETTER_TEXT}\n\n{uuencoded('Leeds return.xlsx', workbook)}\nRegards, Jo"
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@leeds.gov.uk>"
    message.set_content(body)
    read = read_message(message.as_bytes(), collection)
    assert roles(read) == {"Leeds return.xlsx": "template"}
    assert read.files[0].size == len(workbook)
    assert "begin 644" not in read.body_text and LETTER_TEXT in read.body_text
    assert read.letters[0].filename == BODY_LETTER


# --- every container around every writer's files ---------------------------------------------

def _wrapped(container: str, files: list[tuple[str, bytes]]) -> bytes:
    """A message carrying `files` inside `container`, as a council's mail system would send it."""
    inner = EmailMessage()
    inner["From"] = "Jo Bloggs <jo.bloggs@leeds.gov.uk>"
    inner["Subject"] = "Care home support return"
    if container == "uuencode":
        inner.set_content("Our return.\n\n" + "".join(uuencoded(n, d) for n, d in files))
        return inner.as_bytes()
    inner.set_content("Our return is attached.")
    if container == "tnef":
        return outlook_mail(tnef(files))
    if container == "zip":
        inner.add_attachment(zipped(dict(files)), maintype="application", subtype="zip",
                             filename="return.zip")
        return inner.as_bytes()
    for name, data in files:
        inner.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    if container == "forwarded":
        return forwarding(inner).as_bytes()
    outer = EmailMessage()
    outer["From"] = "Sam Green <sam.green@leeds.gov.uk>"
    outer.set_content("Forwarding the saved email.")
    outer.add_attachment(inner.as_bytes(policy=SMTP_POLICY), maintype="application",
                         subtype="octet-stream", filename="return.eml")
    return outer.as_bytes()


@pytest.mark.parametrize("container", ["tnef", "zip", "forwarded", "eml", "uuencode"])
@pytest.mark.parametrize(("template_name", "letter_name"), [
    ("return.xlsx", "letter.docx"), ("return.xls", "letter.pdf"), ("return.ods", "letter.odt"),
    ("return.csv", "letter.docx"),
])
def test_every_container_carries_every_writers_return(collection, container, template_name,
                                                      letter_name) -> None:
    content = leeds_content(collection)
    template = TEMPLATE_WRITERS[Path(template_name).suffix[1:]](content, collection=collection)
    letter = LETTER_WRITERS[Path(letter_name).suffix[1:]](LETTER_TEXT)
    read = read_message(_wrapped(container, [(template_name, template), (letter_name, letter)]),
                        collection)
    assert [t.total_raw for t in read.templates] == ["52"], read.files
    assert [t.la_name for t in read.templates] == ["Leeds City Council"]
    assert read.letters[0].filename.endswith(letter_name)
    assert "resilient" in read.letters[0].text
