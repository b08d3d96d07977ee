"""The covering letter's text from .docx, .pdf, .odt, .rtf or plain text files.

Reading is bounded: a PDF gives at most MAX_PAGES pages and every letter at most MAX_CHARS
characters, since a letter is a page or two and a hostile file can declare far more.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from pathlib import PurePath
from typing import IO
from xml.etree import ElementTree

import defusedxml.ElementTree as DefusedET

from intake.reading.mime import decode_text
from intake.reading.safety import DAMAGED, UnreadableFile, check_archive

MAX_PAGES = 60
MAX_CHARS = 200_000
LETTER_EXTENSIONS = frozenset({".docx", ".pdf", ".odt", ".txt", ".text", ".rtf"})
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class UnreadableLetter(UnreadableFile):
    """A letter file that cannot be read; `reason` says why in plain words."""


def read_letter(filename: str, data: bytes) -> str:
    """The text of a letter file, chosen by extension (then by content); raises UnreadableLetter."""
    kind = letter_kind(filename, data)
    reader = {"docx": _read_docx, "pdf": _read_pdf, "odt": _read_odt, "rtf": _read_rtf}.get(kind)
    if kind == "doc":
        raise UnreadableLetter("old Word .doc files cannot be read; please send it as .docx or .pdf")
    text = reader(data) if reader else _read_plain(data)
    return _tidy(text)[:MAX_CHARS]


def letter_kind(filename: str, data: bytes) -> str:
    """'docx', 'pdf', 'odt', 'rtf', 'doc', 'text' or '' (not a letter format)."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04") and (kind := _zip_letter_kind(data)):
        return kind
    suffix = PurePath(filename.lower()).suffix
    if suffix == ".doc" and head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if suffix in (".txt", ".text"):
        return "text"
    if suffix in LETTER_EXTENSIONS:
        return suffix[1:]  # a letter's extension on content we could not recognise
    return ""


def _zip_letter_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.text"
            ):
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError, EOFError,
            NotImplementedError, zlib.error):
        return ""
    return ""


def _check_container(data: bytes, what: str) -> None:
    """The zip-bomb pre-check that Office files get too, in a letter's words."""
    try:
        check_archive(data)
    except NotImplementedError as error:  # zipfile's word for a header it does not know
        raise UnreadableLetter(f"the {what} is damaged") from error
    except UnreadableFile as error:
        if error.reason == DAMAGED:
            raise UnreadableLetter(f"the {what} is damaged") from error
        raise


def _read_docx(data: bytes) -> str:
    """The default headers, then body paragraphs and table rows, in order.

    Read straight from word/document.xml with a streaming parse: python-docx builds every part
    of the package first, which costs ten times as much for the same text.
    """
    _check_container(data, "Word document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open("word/document.xml") as document:
                body, header_ids = _docx_body(document)
            headers = _docx_headers(archive, header_ids)
    except Exception as error:  # zipfile, expat, defusedxml and KeyError failures alike
        raise UnreadableLetter(f"the Word document is damaged ({type(error).__name__})") from error
    return "\n".join(headers + body)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _docx_body(document: IO[bytes]) -> tuple[list[str], list[str]]:
    """Lines of the body's paragraphs and tables, and each section's default header id."""
    lines: list[str] = []
    header_ids: list[str] = []
    tables = 0
    for event, element in DefusedET.iterparse(document, events=("start", "end"), forbid_dtd=True):
        local = _local(element.tag)
        if local == "tbl":
            tables += 1 if event == "start" else -1
        if event != "end":
            continue
        if local == "headerReference" and element.get(f"{{{W}}}type") == "default":
            header_ids.append(element.get(f"{{{R}}}id", ""))
        elif local == "sectPr":
            header_ids.append("")       # a section without its own header repeats the last one
        elif tables == 0 and local in ("p", "tbl"):
            lines.extend(_table_lines(element) if local == "tbl" else [_paragraph_text(element)])
            element.clear()             # done with it: keeps memory flat on a long document
    return lines, header_ids


def _docx_headers(archive: zipfile.ZipFile, header_ids: list[str]) -> list[str]:
    """Each section's default header paragraphs (one without its own repeats the last)."""
    if not any(header_ids):
        return []
    targets = {rel.get("Id"): rel.get("Target", "") for rel in
               DefusedET.fromstring(archive.read("word/_rels/document.xml.rels"), forbid_dtd=True)}
    lines: list[str] = []
    current = ""
    for header_id in _section_headers(header_ids):
        current = header_id or current
        if current in targets:
            header = DefusedET.fromstring(archive.read(f"word/{targets[current].lstrip('/')}"),
                                          forbid_dtd=True)
            lines.extend(_paragraph_text(p) for p in header if _local(p.tag) == "p")
    return lines


def _section_headers(marks: list[str]) -> list[str]:
    """One header id per section: a sectPr's headerReference comes just before its end mark."""
    sections, pending = [], ""
    for mark in marks:
        if mark:
            pending = mark
        else:
            sections.append(pending)
            pending = ""
    return sections


def _paragraph_text(paragraph: ElementTree.Element) -> str:
    """The text of a paragraph's runs (not its properties, which have tab stops of their own)."""
    parts = []
    for run in paragraph.iter():
        if _local(run.tag) != "r":
            continue
        for element in run:
            local = _local(element.tag)
            if local == "t":
                parts.append(element.text or "")
            elif local in ("tab", "ptab"):
                parts.append("\t")
            elif local in ("br", "cr"):
                parts.append("\n")
    return "".join(parts)


def _table_lines(table: ElementTree.Element) -> list[str]:
    lines = []
    for row in (child for child in table if _local(child.tag) == "tr"):
        cells: list[str] = []
        for cell in (child for child in row if _local(child.tag) == "tc"):
            text = "\n".join(_paragraph_text(p) for p in cell if _local(p.tag) == "p").strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        lines.append(" | ".join(cells))
    return lines


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableLetter("the PDF is password-protected; please send it without a password")
        return _pdf_text(reader)
    except UnreadableLetter:
        raise
    except (FileNotDecryptedError, DependencyError) as error:
        raise UnreadableLetter("the PDF is encrypted and cannot be read; please send it without a password") from error
    except LimitReachedError as error:
        raise UnreadableLetter("the PDF is too large to read (it unpacks to far more than a letter)") from error
    except Exception as error:  # pypdf raises many kinds (PdfReadError, ValueError, ...) on damage
        raise UnreadableLetter(f"the PDF is damaged ({type(error).__name__})") from error


def _pdf_text(reader) -> str:
    chunks: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES or size >= MAX_CHARS:
            break
        text = page.extract_text() or ""
        chunks.append(text)
        size += len(text)
    if not any(chunk.strip() for chunk in chunks):
        raise UnreadableLetter("the PDF has no text layer (perhaps a scan); please send the letter as text")
    return "\n".join(chunks)


def _read_odt(data: bytes) -> str:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    _check_container(data, "OpenDocument file")
    try:
        document = load(io.BytesIO(data))
    except Exception as error:  # odfpy surfaces SAX, zip and KeyError failures alike
        raise UnreadableLetter(f"the OpenDocument file is damaged ({type(error).__name__})") from error
    paragraph_kinds = ((TEXTNS, "p"), (TEXTNS, "h"))
    lines: list[str] = []

    def walk(node) -> None:
        for child in node.childNodes:
            if getattr(child, "qname", None) in paragraph_kinds:
                lines.append(teletype.extractText(child))
            elif child.nodeType == child.ELEMENT_NODE:
                walk(child)

    walk(document.text)
    return "\n".join(lines)


def _read_rtf(data: bytes) -> str:
    """RTF's text with control words dropped: enough to read a letter, not to render it."""
    source = data[: MAX_CHARS * 10].decode("latin-1")
    source = re.sub(r"\{\\\*[^{}]*\}", "", source)
    source = re.sub(r"\{\\(fonttbl|colortbl|stylesheet|info)[^{}]*(\{[^{}]*\}[^{}]*)*\}", "", source)
    source = re.sub(r"\\(par|line)\b ?", "\n", source)
    source = re.sub(r"\\tab\b ?", "\t", source)
    source = re.sub(r"\\'([0-9a-fA-F]{2})", lambda m: bytes([int(m[1], 16)]).decode("cp1252", "replace"), source)
    source = re.sub(r"\\u(-?\d+) ?\??", lambda m: chr(int(m[1]) % 65536), source)
    source = re.sub(r"\\[a-zA-Z]+-?\d* ?", "", source)
    source = re.sub(r"\\([{}\\])", r"\1", source)
    return source.replace("{", "").replace("}", "")


def _read_plain(data: bytes) -> str:
    sample = data[:4096]
    controls = sum(byte < 32 and byte not in b"\t\n\r\f" for byte in sample)
    if controls > len(sample) // 20 and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableLetter("the file is not text (it looks like a binary file)")
    return decode_text(data[: MAX_CHARS * 4], None)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\xa0]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
