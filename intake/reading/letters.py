"""The covering letter's text from .docx, .pdf, .odt, .rtf or plain text files.

Reading is bounded: a PDF gives at most MAX_PAGES pages and every letter at most MAX_CHARS
characters, since a letter is a page or two and a hostile file can declare far more.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from typing import IO, Any, NoReturn
from xml.etree import ElementTree
from xml.parsers import expat

from defusedxml.common import DTDForbidden
from striprtf.striprtf import rtf_to_text

from intake.reading.formats import FileFormat, refusal, sniff, text_of
from intake.reading.pdf_text import read_pdf
from intake.reading.safety import DAMAGED, UnreadableFile, check_archive

MAX_PAGES = 60
MAX_CHARS = 200_000
MAX_SPACES = 1_000                  # one text:s may declare millions; a letter never needs them
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_BODY_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text"
ODF_PARAGRAPHS = frozenset({f"{{{TEXT}}}p", f"{{{TEXT}}}h"})
ODF_SPACE, ODF_SPACE_COUNT = f"{{{TEXT}}}s", f"{{{TEXT}}}c"
ODF_BREAKS = {f"{{{TEXT}}}tab": "\t", f"{{{TEXT}}}line-break": "\n"}


class UnreadableLetter(UnreadableFile):
    """A letter file that cannot be read; `reason` says why in plain words."""


def read_letter(filename: str, data: bytes, found: FileFormat | None = None) -> str:
    """The text of a letter file, by the format the sniffer finds (`found`, when the caller
    has sniffed it already); raises UnreadableLetter."""
    found = found or sniff(data, filename)
    reader = READERS.get(found.kind)
    if reader is None or found.family != "letter":
        raise UnreadableLetter(refusal(found, "letter"))
    return _tidy(reader(data))[:MAX_CHARS]


def _check_container(data: bytes, what: str) -> zipfile.ZipFile:
    """The zip-bomb pre-check that Office files get too, in a letter's words; the archive."""
    try:
        return check_archive(data)
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
    archive = _check_container(data, "Word document")
    try:
        with archive:
            with archive.open("word/document.xml") as document:
                body, header_ids = _docx_body(document)
            headers = _docx_headers(archive, header_ids)
    except Exception as error:  # zipfile, expat, defusedxml and KeyError failures alike
        raise UnreadableLetter(f"the Word document is damaged ({type(error).__name__})") from error
    return "\n".join(headers + body)


def _iterparse(source: IO[bytes]) -> Iterator[Any]:
    """Start and end events as defusedxml's iterparse with forbid_dtd gives them, from the C
    parser: defusedxml's is the pure-Python one, a call per element, most of reading a letter.

    A handler-less expat parser sees each chunk first and refuses a DTD as defusedxml does (an
    entity can only be declared inside one). It stops at the root element, since a DTD can
    only come before it, or on malformed XML, leaving the error to the parser that builds the
    tree, which meets the same chunk next.
    """
    guard = expat.ParserCreate()
    guard.StartDoctypeDeclHandler = _forbid_dtd
    guard.StartElementHandler = _prolog_read
    guarding = True
    parser: ElementTree.XMLPullParser = ElementTree.XMLPullParser(events=("start", "end"))
    while chunk := source.read(16 * 1024):
        if guarding:
            try:
                guard.Parse(chunk, False)
            except (expat.ExpatError, _PrologRead):
                guarding = False
        parser.feed(chunk)
        yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


class _PrologRead(Exception):
    """The root element has begun: no DTD can follow."""


def _prolog_read(*_: object) -> NoReturn:
    raise _PrologRead()


def _forbid_dtd(name: str, system_id: str | None, public_id: str | None, _: bool) -> NoReturn:
    raise DTDForbidden(name, system_id, public_id)


@functools.lru_cache(maxsize=1024)      # a letter has a few dozen tags, met thousands of times
def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _docx_body(document: IO[bytes]) -> tuple[list[str], list[str]]:
    """Lines of the body's paragraphs, tables and text boxes, and each section's header id.

    A text box is written twice, as a drawing (mc:Choice) and again for older Word
    (mc:Fallback); only the first is read. Its paragraphs come before the one anchoring it.
    """
    lines: list[str] = []
    header_ids: list[str] = []
    tables = fallbacks = 0
    for event, element in _iterparse(document):
        local = _local(element.tag)
        if local in ("tbl", "Fallback"):
            step = 1 if event == "start" else -1
            tables += step if local == "tbl" else 0
            fallbacks += step if local == "Fallback" else 0
        if event != "end":
            continue
        if local == "headerReference" and element.get(f"{{{W}}}type") == "default":
            header_ids.append(element.get(f"{{{R}}}id", ""))
        elif local == "sectPr":
            header_ids.append("")       # a section without its own header repeats the last one
        elif tables == 0 and local in ("p", "tbl"):
            if fallbacks == 0:
                lines.extend(_table_lines(element) if local == "tbl" else [_paragraph_text(element)])
            element.clear()             # done with it: keeps memory flat on a long document
    return lines, header_ids


def _docx_headers(archive: zipfile.ZipFile, header_ids: list[str]) -> list[str]:
    """Each section's default header paragraphs (one without its own repeats the last)."""
    if not any(header_ids):
        return []
    targets = {rel.get("Id"): rel.get("Target", "") for rel in
               _whole_part(archive.read("word/_rels/document.xml.rels"))}
    lines: list[str] = []
    current = ""
    for header_id in _section_headers(header_ids):
        current = header_id or current
        if current in targets:
            header = _whole_part(archive.read(f"word/{targets[current].lstrip('/')}"))
            lines.extend(_paragraph_text(p) for p in header if _local(p.tag) == "p")
    return lines


def _whole_part(xml: bytes) -> ElementTree.Element:
    """A small part (the relationships, a header) as a tree, parsed behind the same DTD guard
    as the body: defusedxml's fromstring is its pure-Python parser, a call per element."""
    last = deque(_iterparse(io.BytesIO(xml)), maxlen=1)  # the root's end (no root: ParseError)
    return last[0][1]


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
    for run in _runs(paragraph):
        for element in run:
            local = _local(element.tag)
            if local == "t":
                parts.append(element.text or "")
            elif local in ("tab", "ptab"):
                parts.append("\t")
            elif local in ("br", "cr"):
                parts.append("\n")
    return "".join(parts)


def _runs(element: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """Runs in document order, with those of text boxes, skipping mc:Fallback copies."""
    for child in element:
        local = _local(child.tag)
        if local == "Fallback":
            continue
        if local == "r":
            yield child
        yield from _runs(child)


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
    try:
        return read_pdf(data, MAX_PAGES, MAX_CHARS)
    except UnreadableLetter:
        raise
    except UnreadableFile as error:  # the PDF readers' reasons, as a letter's
        raise UnreadableLetter(error.reason) from error


def _read_odt(data: bytes) -> str:
    """Paragraphs and headings of office:text, in order, read straight from content.xml.

    As for .docx: odfpy builds a DOM of the whole package first, at many times the cost.
    """
    archive = _check_container(data, "OpenDocument file")
    lines: list[str] = []
    in_text = paragraphs = 0
    try:
        with archive, archive.open("content.xml") as content:
            for event, element in _iterparse(content):
                step = 1 if event == "start" else -1
                if element.tag == ODF_BODY_TEXT:
                    in_text += step
                elif element.tag in ODF_PARAGRAPHS and in_text:
                    paragraphs += step
                    if event == "end" and paragraphs == 0:  # a paragraph in a frame is in its own
                        lines.append(_odf_text(element))
                        element.clear()
    except Exception as error:  # zipfile, expat, defusedxml and KeyError failures alike
        raise UnreadableLetter(f"the OpenDocument file is damaged ({type(error).__name__})") from error
    return "\n".join(lines)


def _odf_text(element: ElementTree.Element) -> str:
    """An ODF paragraph's text, with text:s, text:tab and text:line-break spelled out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == ODF_SPACE:
            count = child.get(ODF_SPACE_COUNT, "1")
            parts.append(" " * min(int(count) if count.isdigit() else 1, MAX_SPACES))
        elif child.tag in ODF_BREAKS:
            parts.append(ODF_BREAKS[child.tag])
        else:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _read_rtf(data: bytes) -> str:
    """RTF's text by striprtf; \\'xx escapes are Windows-1252 unless the file says otherwise."""
    source = data[: MAX_CHARS * 10].decode("latin-1")
    return rtf_to_text(source, encoding=_rtf_codepage(source), errors="replace")


def _rtf_codepage(source: str) -> str:
    found = re.search(r"\\ansicpg(\d+)", source[:4096])
    codepage = f"cp{found.group(1)}" if found else "cp1252"
    try:
        return codecs.lookup(codepage).name
    except LookupError:
        return "cp1252"


def _read_plain(data: bytes) -> str:
    return text_of(data[: MAX_CHARS * 4])


READERS = {"docx": _read_docx, "pdf": _read_pdf, "odt": _read_odt, "rtf": _read_rtf,
           "txt": _read_plain}


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\xa0]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
