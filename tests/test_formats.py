"""The one format sniffer, and reasons that name the right thing: files made by real writers
(and odd real files from readers' own test suites) are each called what they are."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile

from intake.reading.formats import ENCRYPTED_LETTER, ENCRYPTED_WORKBOOK, sniff
from intake.reading.message import read_message
from intake.samples.files import (
    LETTER_WRITERS,
    TEMPLATE_WRITERS,
    write_docx_letter,
    write_xls,
    write_xlsx,
)
from store.collection import Collection
from tests.conftest import SHARED, shared_bytes
from tests.hostile_files import leeds_content
from tests.test_reading import LETTER_TEXT, email_with, roles, zipped
from tests.tnef_files import tnef

ODD = SHARED / "corpora" / "odd-files"


def odd(name: str) -> bytes:
    """One of the odd real files (skips the test where ../shared is absent)."""
    return shared_bytes("corpora", "odd-files", name)


def encrypted(data: bytes, password: str = "s3cret") -> bytes:
    """A real password-protected Office file, as Excel and Word write it (ECMA-376 agile)."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def written(collection: Collection) -> dict[str, bytes]:
    content = leeds_content(collection)
    templates = {kind: write(content, collection=collection)
                 for kind, write in TEMPLATE_WRITERS.items()}
    letters = {kind: write(LETTER_TEXT) for kind, write in LETTER_WRITERS.items()}
    return templates | letters | {"zip": zipped({"a.txt": b"a"}), "tnef": tnef([("a.txt", b"a")])}


@pytest.mark.parametrize("name", ["return", "return.xlsx", "return.xls", "return.dat", "r.pdf"])
def test_the_content_decides_whatever_the_name(collection: Collection, name: str) -> None:
    for kind, data in written(collection).items():
        if kind not in ("csv",):  # text has no signature: its name and type decide (below)
            assert sniff(data, name).kind == kind, (kind, name)


def test_text_is_a_csv_or_a_letter_by_its_name_or_declared_type() -> None:
    assert sniff(b"1.1,45,Yes\r\n", "return.xlsx").kind == "csv"
    assert sniff(b"1.1,45,Yes\r\n", "attachment-1", "text/csv").kind == "csv"
    assert sniff(LETTER_TEXT.encode("utf-16"), "letter.txt").kind == "txt"
    assert sniff(b"Dear all", "x", "text/plain").kind == "txt"
    assert sniff(b"From: a@b\r\n\r\nhi", "fwd.eml").kind == "rfc822"
    assert sniff(b"notes", "notes.bin").kind == "unknown"


def test_password_protected_workbooks_and_letters_are_called_so(collection: Collection) -> None:
    workbook = encrypted(write_xlsx(leeds_content(collection), collection=collection))
    letter = encrypted(write_docx_letter(LETTER_TEXT))
    read = read_message(email_with(("Leeds return.xlsx", workbook),
                                   ("Leeds letter.docx", letter)), collection)
    notes = {note.filename: (note.role, note.note) for note in read.files}
    assert notes == {"Leeds return.xlsx": ("unreadable", ENCRYPTED_WORKBOOK),
                     "Leeds letter.docx": ("unreadable", ENCRYPTED_LETTER)}
    # The letter is there, unreadable: validation can tell that from "no letter".
    assert [(letter.filename, letter.unreadable) for letter in read.letters] == [
        ("Leeds letter.docx", ENCRYPTED_LETTER)]


@pytest.mark.parametrize("name", [
    "pycalamine__password.xls", "msoffcrypto__rc4cryptoapi_password.xls",
    "msoffcrypto__xor_password_123456789012345.xls", "calamine__pass_protected.ods",
    "calamine__pass_protected.xlsx", "msoffcrypto__example_password.xlsx",
])
def test_real_password_protected_spreadsheets_are_not_called_damaged(collection, name) -> None:
    read = read_message(email_with((name.split("__")[1], odd(name))), collection)
    assert [(note.role, note.note) for note in read.files] == [("unreadable", ENCRYPTED_WORKBOOK)]


@pytest.mark.parametrize("name", ["msoffcrypto__ecma376standard_password.docx",
                                  "msoffcrypto__rc4cryptoapi_password.doc",
                                  "pypdf__libreoffice-writer-password.pdf"])
def test_real_password_protected_letters_name_the_letter(collection, name) -> None:
    read = read_message(email_with((name.split("__")[1], odd(name))), collection)
    assert [note.note for note in read.files] == [ENCRYPTED_LETTER]
    assert read.letters[0].unreadable == ENCRYPTED_LETTER


def with_stream_named(xls: bytes, name: str) -> bytes:
    """The .xls with its workbook stream renamed in the OLE directory (names are UTF-16)."""
    old, new = "Workbook".encode("utf-16-le"), name.encode("utf-16-le")
    assert xls.count(old) == 1 and len(new) == len(old)
    return xls.replace(old, new)


def test_an_xls_whose_stream_is_named_in_upper_case_is_read(collection: Collection) -> None:
    xls = with_stream_named(write_xls(leeds_content(collection), collection=collection), "WORKBOOK")
    read = read_message(email_with(("Leeds return.xls", xls)), collection)
    assert roles(read) == {"Leeds return.xls": "template"}
    assert read.templates[0].total_raw == "52"
    real = odd("calamine__capitalized_wbook_stream.xls")
    assert sniff(real, "book.xls").kind == "xls"


def scanned_pdf() -> bytes:
    """A letter as a scanner writes it: one page that is only a picture."""
    pdf = FPDF()
    pdf.add_page()
    picture = io.BytesIO()
    width, height = 60, 20
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    picture.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    pdf.image(picture, x=10, y=10, w=190)
    return bytes(pdf.output())


def test_a_scanned_letter_is_there_but_not_readable(collection: Collection) -> None:
    workbook = write_xlsx(leeds_content(collection), collection=collection)
    read = read_message(email_with(("Leeds return.xlsx", workbook), ("letter.pdf", scanned_pdf()),
                                   body="Please find our return attached."), collection)
    note = next(note for note in read.files if note.filename == "letter.pdf")
    assert note.role == "unreadable" and note.note.startswith("letter not readable: it seems to be a scan")
    assert [(letter.filename, letter.readable) for letter in read.letters] == [("letter.pdf", False)]


def test_a_readable_letter_comes_before_an_unreadable_one(collection: Collection) -> None:
    read = read_message(email_with(("scan.pdf", scanned_pdf()),
                                   ("letter.docx", write_docx_letter(LETTER_TEXT))), collection)
    assert [(letter.filename, letter.readable) for letter in read.letters] == [
        ("letter.docx", True), ("scan.pdf", False)]


@pytest.mark.parametrize(("name", "data", "words"), [
    ("return.xlsx", lambda: b"PK\x03\x04" + os.urandom(3000), "not a readable spreadsheet"),
    ("letter.docx", lambda: b"PK\x03\x04" + os.urandom(3000), "covering letter is damaged"),
    ("letter.pdf", lambda: b"%PDF-1.4\n" + os.urandom(3000), "damaged"),
    ("return.xlsb", lambda: odd("calamine__any_sheets.xlsb"), ".xlsb"),
    ("letter.doc", lambda: odd("msoffcrypto__plain.doc"), "old Word .doc"),
    ("return.xlsx", lambda: b"", "empty"),
    ("return.xlsx", lambda: odd("calamine__minimal_package.xlsx"), "laid out in an unusual way"),
])
def test_damaged_and_unknown_files_are_each_called_what_they_are(collection, name, data, words) -> None:
    read = read_message(email_with((name, data())), collection)
    (note,) = read.files
    assert note.role == "unreadable" and words in note.note, note.note


def test_an_unknown_binary_is_not_a_return_and_not_damaged(collection: Collection) -> None:
    read = read_message(email_with(("diagram.vsdx.bin", os.urandom(4000))), collection)
    assert [(note.role, note.note) for note in read.files] == [
        ("ignored", "not a return file (application/octet-stream); not read")]


def test_every_odd_real_file_gets_a_kind(collection: Collection) -> None:
    if not ODD.exists():
        pytest.skip(f"{ODD} is absent: ../shared is not beside this clone")
    kinds = {path.name: sniff(path.read_bytes(), path.name).kind for path in ODD.iterdir()
             if path.suffix != ".md"}
    assert "unknown" not in kinds.values() and len(kinds) > 60


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                               b"\x78\x9f\x3e\x22", b"%PDF-1.7", b"{\\rtf1", b""]),
       body=st.binary(max_size=4096), name=st.sampled_from(["r.xlsx", "l.docx", "winmail.dat", "x"]))
def test_the_sniffer_never_raises(prefix: bytes, body: bytes, name: str) -> None:
    found = sniff(prefix + body, name)
    assert found.family in ("spreadsheet", "letter", "container", "other")


def test_a_damaged_office_file_from_a_real_writer_never_breaks_the_sniffer(collection) -> None:
    for kind, data in written(collection).items():
        for cut in range(0, len(data), max(1, len(data) // 40)):
            damaged = data[:cut] + bytes(64) + data[cut + 64:]
            assert sniff(damaged, f"r.{kind}").family in ("spreadsheet", "letter", "container", "other")
