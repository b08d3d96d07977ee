"""Checks on an untrusted spreadsheet container before any reader opens it.

Neither openpyxl nor python-calamine limits decompression, and calamine can abort the process
on a sheet that declares a huge range. So a zip is refused when it would unpack to too much
(`check_archive`), an .xlsx when its XML carries a DTD or a worksheet declares too many cells
(`check_ooxml`), an .ods when its repeated rows and cells would fill too many (`check_ods`).
Every refusal is `UnreadableFile` with a reason a council officer can act on.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, NoReturn, Protocol
from xml.parsers import expat

from intake.reading.formats import DAMAGED_WORKBOOK, member_head

MAX_ARCHIVE_ENTRIES = 1_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 5_000                        # per sheet: a return is a few dozen rows
MAX_COLUMNS = 200
MAX_COMPRESSION_RATIO = 100
RATIO_GRACE_BYTES = 100 * 1024          # POI checks the ratio only past this size too
MAX_DECLARED_CELLS = 10_000_000
HEAD_BYTES = 65536                      # of each XML member, checked for a DTD
# Found case-blind, as bytes.upper() would (ASCII letters only), without copying each head.
ENTITY_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"')

DAMAGED = DAMAGED_WORKBOOK


class UnreadableFile(Exception):
    """A file that cannot be read as a spreadsheet; `reason` is for a council officer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_archive(data: bytes) -> zipfile.ZipFile:
    """Refuse a zip that would unpack to too much: too many entries, too big, or a bomb.

    Returns the archive it opened, for the reader to use (its directory is parsed once).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as error:
        raise UnreadableFile(DAMAGED) from error
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise UnreadableFile(f"the file holds {len(entries):,} parts, more than the "
                             f"{MAX_ARCHIVE_ENTRIES:,} a return can have")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(f"the file would unpack to {unpacked / 1024 / 1024:,.0f} MB, more "
                             f"than the {MAX_UNPACKED_BYTES // 1024 // 1024} MB a return can have")
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_GRACE_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UnreadableFile(f"the file is compressed {ratio:,.0f} times over, the mark of "
                                 "a zip bomb; it was not opened")
    return archive


def check_ooxml(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Refuse an .xlsx with XML entity declarations or a worksheet declaring too many cells.

    Returns the members it unpacked whole (name -> bytes; most parts of a return are small),
    for the reader to use rather than unpack them again.
    """
    xml_names = [n for n in archive.namelist() if n.endswith((".xml", ".rels", ".vml"))]
    unpacked: dict[str, bytes] = {}
    for cells in _check_xml_heads(archive, xml_names, unpacked):
        check_declared_cells(cells)
    return unpacked


def _check_xml_heads(archive: zipfile.ZipFile, names: Iterable[str],
                     unpacked: dict[str, bytes] | None = None) -> list[int]:
    """Refuse a DTD in any member's head; the cells each worksheet declares, from the same
    heads (for the caller to check after, so that a DTD anywhere is the reason given).
    A head that is the whole member goes into `unpacked`."""
    # Office never writes a DTD; one is an entity bomb or an external entity. (A DTD hidden
    # behind a longer prologue still meets defusedxml in openpyxl and expat's own limits.)
    declared: list[int] = []
    for name in names:
        head = entry_head(archive, name, HEAD_BYTES)
        if ENTITY_DECLARATION.search(head):
            raise UnreadableFile("the file contains XML entity declarations, which spreadsheets "
                                 "never need (a known attack); it was not opened")
        if name.startswith("xl/worksheets/") and (dimension := DIMENSION.search(head)):
            declared.append(_declared_cells(dimension))
        if unpacked is not None and len(head) < HEAD_BYTES:
            unpacked[name] = head    # read to its end, so its CRC was checked too
    return declared


def _declared_cells(dimension: re.Match[bytes]) -> int:
    first_col, first_row, last_col, last_row = dimension.groups()
    rows = int(last_row or first_row) - int(first_row) + 1
    cols = _column_number(last_col or first_col) - _column_number(first_col) + 1
    return max(rows, 1) * max(cols, 1)


def check_declared_cells(cells: int) -> None:
    """Refuse a sheet that declares more cells than a return can have."""
    if cells > MAX_DECLARED_CELLS:
        raise UnreadableFile(f"the sheet declares {_in_words(cells)} cells, more than a "
                             "return can have")


def check_ods(archive: zipfile.ZipFile, alongside: XmlHandler | None = None) -> None:
    """Refuse an .ods whose content has a DTD, or whose repeats fill more cells than a return has.

    LibreOffice writes the empty rest of a sheet as huge repeat counts, which is harmless; a
    value repeated over a million rows makes calamine allocate every cell and abort.
    `alongside` (the reader's own walk of content.xml) sees each element in the same pass,
    after the check has, so content.xml is parsed once; a refusal stops both.
    """
    unpacked: dict[str, bytes] = {}
    _check_xml_heads(archive, ["content.xml"], unpacked)
    parse_member(archive, "content.xml", _OdsExtent(alongside), unpacked)


class _OdsExtent:
    """Tracks, table by table, the bounding box of the cells that hold something."""

    def __init__(self, alongside: XmlHandler | None = None) -> None:
        self.row = self.last_row = self.last_col = self.col = 0
        self.row_repeat = self.cell_repeat = 1
        self.row_used = self.cell_used = self.in_cell = False
        self.alongside = alongside

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self._start(name, attributes)
        if self.alongside is not None:
            self.alongside.start(name, attributes)

    def end(self, name: str) -> None:
        self._end(name)
        if self.alongside is not None:
            self.alongside.end(name)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if self.in_cell:
            self.cell_used = True           # any child (text:p ...) is content
        elif local == "table":
            self.row = self.last_row = self.last_col = 0
        elif local == "table-row":
            self.col, self.row_used = 0, False
            self.row_repeat = _repeat(attributes, "number-rows-repeated")
        elif local in ("table-cell", "covered-table-cell"):
            self.in_cell = True
            self.cell_repeat = _repeat(attributes, "number-columns-repeated")
            self.cell_used = any(key.endswith(" value-type") for key in attributes)

    def _end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local in ("table-cell", "covered-table-cell"):
            self.in_cell = False
            self.col += self.cell_repeat
            if self.cell_used:
                self.last_col, self.row_used = max(self.last_col, self.col), True
        elif local == "table-row":
            self.row += self.row_repeat
            if self.row_used:
                self.last_row = self.row
            check_declared_cells(self.last_row * self.last_col)


def _repeat(attributes: dict[str, str], name: str) -> int:
    value = next((v for k, v in attributes.items() if k.endswith(" " + name)), "1")
    return int(value) if value.isdigit() else 1


def entry_head(archive: zipfile.ZipFile, name: str, size: int) -> bytes:
    """member_head, with a damaged member called what it is."""
    try:
        return member_head(archive, name, size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise UnreadableFile(DAMAGED) from error


class XmlHandler(Protocol):
    """What expat calls for each element of a parsed archive member."""

    def start(self, name: str, attributes: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...


def parse_member(archive: zipfile.ZipFile, name: str, handler: XmlHandler,
                 unpacked: dict[str, bytes] | None = None) -> None:
    """Stream an XML member through `handler` (`stream_xml`), from `unpacked` when it is there;
    a damaged one is UnreadableFile."""
    try:
        if unpacked and name in unpacked:
            stream_xml(unpacked[name], handler.start, handler.end)
            return
        with archive.open(name) as content:
            stream_xml(content, handler.start, handler.end)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise UnreadableFile(DAMAGED) from error


def stream_xml(source: bytes | IO[bytes],
               start: Callable[[str, dict[str, str]], None] | None = None,
               end: Callable[[str], None] | None = None) -> None:
    """Stream XML through expat, calling `start` and `end` for each element (no tree is built;
    names are `namespace local`); with neither, only check it is whole, well-formed XML.
    Entity declarations are refused (ValueError), as defusedxml refuses them."""
    parser = expat.ParserCreate(namespace_separator=" ")
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.ExternalEntityRefHandler = _refuse_entities
    if isinstance(source, bytes):
        parser.Parse(source, True)
    else:
        parser.ParseFile(source)


def _refuse_entities(*_: object) -> NoReturn:
    raise ValueError("XML entity declarations are not read")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _in_words(cells: int) -> str:
    for size, word in ((10**9, "billion"), (10**6, "million")):
        if cells >= size:
            return f"{cells / size:,.0f} {word}"
    return f"{cells:,}"
