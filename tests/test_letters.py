"""read_letter gets the text out of letters made by real writers, and refuses bad files clearly."""

from __future__ import annotations

import io
import random
import re
import zipfile

import defusedxml.ElementTree as DefusedET
import docx
import pytest
from fpdf import FPDF
from odf.draw import Frame, TextBox
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableRow
from odf.text import H, LineBreak, List, ListItem, P, S, Span, Tab

from intake.reading import letters
from intake.reading.letters import MAX_PAGES, UnreadableLetter, read_letter
from intake.reading.sheets import UnreadableFile
from tests.conftest import shared_bytes

OPENING = "Dear colleagues, Leeds City Council sets out its support to care homes."
MARKET = "The local care market remains resilient despite financial pressures."


def word_letter() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Leeds City Council - Adults and Health"
    document.add_paragraph(OPENING)
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "Action"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "Status"
    table.cell(1, 0).text = "Alternative accommodation"
    table.cell(1, 1).text = "In place"
    document.add_paragraph(MARKET)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_letter(pages: int = 1, password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Page {number}. {OPENING} {MARKET}")
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    return bytes(pdf.output())


def odt_letter() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Covering letter"))
    document.text.addElement(P(text=OPENING))
    table = Table()
    row = TableRow()
    cell = TableCell()
    cell.addElement(P(text="Volunteers placed: 40"))
    row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(P(text=MARKET))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_letter_gives_paragraphs_table_cells_and_letterhead_in_order() -> None:
    text = read_letter("Leeds letter.docx", word_letter())
    assert text.splitlines() == [
        "Leeds City Council - Adults and Health", OPENING,
        "Action | Status", "Alternative accommodation | In place", MARKET,
    ]


def test_pdf_letter_text() -> None:
    text = read_letter("letter.pdf", pdf_letter())
    assert "Leeds City Council" in text and "resilient" in text


def test_pdf_reading_stops_after_the_page_limit() -> None:
    text = read_letter("long.pdf", pdf_letter(pages=MAX_PAGES + 5))
    assert f"Page {MAX_PAGES}." in text
    assert f"Page {MAX_PAGES + 1}." not in text


def test_a_password_protected_pdf_is_refused_with_a_reason() -> None:
    with pytest.raises(UnreadableLetter) as refusal:
        read_letter("secret.pdf", pdf_letter(password="s3cret"))
    assert "password" in refusal.value.reason


def test_a_pdf_with_only_an_owner_password_is_read() -> None:
    assert "resilient" in read_letter("restricted.pdf", pdf_letter(password=""))


def test_a_pdf_without_text_is_refused_as_a_scan() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    with pytest.raises(UnreadableLetter, match="no text"):
        read_letter("scan.pdf", bytes(pdf.output()))


def test_opendocument_letter_includes_headings_and_table_text() -> None:
    text = read_letter("letter.odt", odt_letter())
    assert text.splitlines() == ["Covering letter", OPENING, "Volunteers placed: 40", MARKET]


def test_opendocument_spacing_breaks_lists_and_frames_are_read_as_written() -> None:
    document = OpenDocumentText()
    paragraph = P(text="Beds:")
    paragraph.addElement(S(c=3))
    paragraph.addElement(Span(text="40"))
    paragraph.addElement(Tab())
    paragraph.addText("in place")
    paragraph.addElement(LineBreak())
    paragraph.addText("from May")
    paragraph.addElement(S(c=10**9))  # a space bomb: read as a few spaces, not a gigabyte
    document.text.addElement(paragraph)
    frame, box = Frame(), TextBox()
    box.addElement(P(text="Logo caption"))
    frame.addElement(box)
    anchored = P(text="Signed: ")
    anchored.addElement(frame)
    items = List()
    item = ListItem()
    item.addElement(P(text="Workforce hub"))
    items.addElement(item)
    document.text.addElement(items)
    document.text.addElement(anchored)
    out = io.BytesIO()
    document.save(out)
    text = read_letter("letter.odt", out.getvalue())
    assert text.splitlines() == ["Beds:   40\tin place", "from May", "Workforce hub",
                                 "Signed: Logo caption"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_plain_text_letters_in_common_encodings(encoding: str) -> None:
    text = "Care homes \u2013 \u00a3250,000 for \u2018resilience\u2019"
    assert read_letter("letter.txt", text.encode(encoding)) == text


def test_rtf_letter_gives_its_words() -> None:
    rtf = (rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator Word;}\f0 Dear colleagues,\par "
           rb"Caf\'e9 market is stable\u8211? steady.\par}")
    assert read_letter("letter.rtf", rtf) == "Dear colleagues,\nCaf\u00e9 market is stable\u2013 steady."


def test_a_damaged_word_file_is_refused_with_a_reason() -> None:
    damaged = word_letter()[:3000]
    with pytest.raises(UnreadableFile) as refusal:
        read_letter("letter.docx", damaged)
    assert "damaged" in refusal.value.reason


def test_a_word_file_that_is_a_zip_bomb_is_not_opened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b" " * (2 << 20))
    with pytest.raises(UnreadableFile, match="MB|compressed"):
        read_letter("bomb.docx", out.getvalue())


def test_old_word_files_are_refused_with_advice() -> None:
    with pytest.raises(UnreadableLetter, match="docx"):
        read_letter("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


def test_binary_junk_named_txt_is_refused() -> None:
    with pytest.raises(UnreadableLetter, match="not text"):
        read_letter("letter.txt", bytes(range(256)) * 20)


# --- .rtf as Word, WordPad and LibreOffice write it ------------------------------------------

RTF_HEADERS = [
    r"{\fonttbl{\f0\froman\fcharset0\fprq2{\*\panose 02020603050405020304}Times New Roman;}"
    r"{\f1\fswiss\fcharset0 Arial{\*\falt Helvetica};}}",
    r"{\colortbl;\red0\green0\blue0;\red31\green73\blue125;}",
    r"{\stylesheet{\ql \li0\ri0\widctlpar\f0\fs24 \snext0 Normal;}{\*\cs10 \additive "
    r"Default Paragraph Font;}}",
    r"{\*\listtable{\list\listtemplateid1{\listlevel\levelnfc23{\leveltext\'01\u-3913 ?;}"
    r"{\levelnumbers;}}{\listname ;}\listid1}}",
    r"{\info{\title Covering letter}{\author Asha Patel}{\creatim\yr2020\mo5\dy28}}",
    r"{\*\generator Riched20 10.0.19041}{\*\rsidtbl \rsid1\rsid2}",
]
RTF_BODY = [
    (r"\pard\plain\f0\fs24 Dear colleagues,\par", "Dear colleagues,"),
    (r"Leeds City Council\~sets out its support\-ive actions.\par", "Leeds City Council"),
    (r"The caf\'e9 market\tab is stable\u8211? steady.\line Next line.\par", "café market"),
    (r"{\field{\*\fldinst HYPERLINK \"https://leeds.gov.uk\"}{\fldrslt leeds.gov.uk}}\par",
     "leeds.gov.uk"),
    (r"{\pntext\f1\'B7\tab}Alternative accommodation \{40 beds\}\par", "Alternative accommodation"),
    (r"{\b\i Financial pressures} are met.\par}", "Financial pressures are met."),
]


@pytest.mark.parametrize("seed", range(12))
def test_rtf_letters_in_any_writer_layout_leak_no_control_codes(seed: int) -> None:
    rng = random.Random(seed)
    headers = rng.sample(RTF_HEADERS, rng.randint(2, len(RTF_HEADERS)))
    body = [line for line, _ in RTF_BODY]
    cpg = rng.choice([r"\ansi\ansicpg1252", r"\ansi", r"\ansi\ansicpg1252\deff0\nouicompat"])
    rtf = ("{\\rtf1" + cpg + "".join(headers) + "\r\n".join(body)).encode("latin-1")
    text = read_letter("letter.rtf", rtf)
    assert "{40 beds}" in text  # braces the author typed are kept; none of RTF's own leak
    assert not re.search(r"[\\{}]", text.replace("{40 beds}", "")), text
    for _, words in RTF_BODY:
        assert words in " ".join(text.split()), (words, text)
    assert "Times New Roman" not in text and "Asha Patel" not in text and "Riched20" not in text


def test_a_text_box_in_a_word_letter_is_read_once() -> None:
    text = read_letter("letter.docx", shared_bytes("corpora", "odd-files", "mammoth__text-box.docx"))
    assert text.split("\n").count("Datum plane") == 1


def _with_part(package: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in source.namelist():
            copy.writestr(member, content if member == name else source.read(member))
    return out.getvalue()


def _reading(data: bytes) -> str | tuple[str, str]:
    try:
        return read_letter("letter", data)
    except UnreadableFile as error:
        return ("unreadable", error.reason)


@pytest.mark.parametrize("writer, part", [(word_letter, "word/document.xml"),
                                          (word_letter, "word/header1.xml"),
                                          (word_letter, "word/_rels/document.xml.rels"),
                                          (odt_letter, "content.xml")])
def test_letters_read_as_through_defusedxml_whole_damaged_or_with_a_dtd(writer, part,
                                                                        monkeypatch) -> None:
    # Letters are parsed by the C parser behind a DTD guard (letters._iterparse): whatever the
    # XML, the text or the reason must be what defusedxml's own iterparse gives.
    package = writer()
    xml = zipfile.ZipFile(io.BytesIO(package)).read(part)
    body = xml.split(b"?>", 1)[-1]
    rng = random.Random(7)
    flipped = [bytes(b ^ (i == at) * rng.randrange(1, 256) for i, b in enumerate(xml))
               for at in rng.sample(range(len(xml)), 12)]
    contents = [xml, b'<!DOCTYPE d [<!ENTITY e "x">]>' + body, b"<!DOCTYPE d>" + body,
                xml[:len(xml) // 2], xml + b"<tail", b"\xef\xbb\xbf" + xml, *flipped,
                # past the guard's first chunk, and after the root element (where it stops)
                b"<!--" + b"x" * 40_000 + b'--><!DOCTYPE d [<!ENTITY e "x">]>' + body,
                re.sub(rb"(<\w[^>]*>)", rb'\1<!DOCTYPE d [<!ENTITY e "x">]>', body, count=1)]
    packages = [_with_part(package, part, content) for content in contents]
    ours = [_reading(data) for data in packages]
    assert ours[0] == _reading(package) and isinstance(ours[0], str)
    assert ours[1] == ours[2] == ("unreadable", ours[1][1]) and "DTDForbidden" in ours[1][1]
    monkeypatch.setattr(letters, "_iterparse", lambda source: DefusedET.iterparse(
        source, events=("start", "end"), forbid_dtd=True))
    assert [_reading(data) for data in packages] == ours
