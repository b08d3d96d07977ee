"""The .xlsx cells python-calamine cannot render as the LA saw them: percents and errors.

calamine gives values but not number formats, so a percent cell would read 0.9 where the LA
saw 90%. The formats come from a small parse of xl/styles.xml plus each cell's `s` (style)
attribute in the sheet XML. The same pass finds where the cells are: calamine allocates the
whole used range, so a cell far past our caps, or cells placed by position only (no `r`),
send the workbook to openpyxl, which streams rows and stops at the caps.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress

from intake.reading.safety import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    entry_head,
    stream_xml,
)

CELL_TAG = re.compile(rb"<(?:\w+:)?(c|row)(\s[^>]*)?/?>")
REF_ATTR = re.compile(rb"""\sr=["']\$?([A-Z]{0,3})\$?(\d+)["']""")
# A CELL_TAG with its name and the parts of its first REF_ATTR; the row b"" when it has none.
PLACED_TAG = re.compile(rb"""<(?:\w+:)?(c|row)(?:(?=\s)[^>]*?\sr=["']\$?([A-Z]{0,3})\$?(\d+)["']"""
                        rb"""[^>]*|(?:\s[^>]*)?)/?>""")
STYLE_ATTR = re.compile(rb"""\ss=["'](\d+)["']""")
PERCENT_FORMAT_IDS = frozenset({"9", "10"})    # Excel's built-in "0%" and "0.00%"
BUILT_IN_PERCENT = re.compile(rb"""numFmtId\s*=\s*["'](?:9|10)["']""")
DECLARED_ENCODING = re.compile(
    rb"""(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]*)["']""")
RELATIONSHIP_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"

# calamine reads an error cell (#DIV/0!) as empty; the sheet XML has its text.
ERROR_TYPE = re.compile(rb"""\st=["']e["']""")
MAYBE_ERROR = re.compile(rb"""t=["']e["']""")          # found fast by its first letters
ERROR_VALUE = re.compile(
    rb"(?:<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>))?<(?:\w+:)?v>([^<]*)</")


@dataclass(frozen=True)
class SpecialCells:
    """The cells of one sheet whose text calamine cannot give: (row, col) on a 0-based grid."""

    percent: frozenset[tuple[int, int]] = frozenset()
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


NO_SPECIAL_CELLS = SpecialCells()
WorkbookCells = dict[str, SpecialCells]


def xlsx_special_cells(archive: zipfile.ZipFile,
                       unpacked: dict[str, bytes] | None = None) -> WorkbookCells | None:
    """Sheet name -> its percent and error cells; None to read the workbook with openpyxl.

    `unpacked` holds members already unpacked whole (by the safety check), read from there.
    """
    def member(name: str) -> bytes:
        if unpacked and name in unpacked:
            return unpacked[name]
        return entry_head(archive, name, MAX_UNPACKED_BYTES)

    percent_styles = _percent_styles(member("xl/styles.xml"))
    found: WorkbookCells = {}
    for name, path in _worksheet_paths(member).items():
        cells = _special_cells_of(member(path), percent_styles)
        if cells is None:
            return None
        found[name] = cells
    return found


def _percent_styles(styles: bytes) -> frozenset[str]:
    """The cell style indexes (`s`) whose number format shows a percentage."""
    if not styles:
        return frozenset()
    if _no_percent_format(styles):
        stream_xml(styles)      # read all the same: damage or a DTD refuses it, as below
        return frozenset()
    sections = _sections(styles, ("numFmts", "cellXfs"))
    percent_ids = set(PERCENT_FORMAT_IDS) | {
        fmt.get("numFmtId", "") for fmt in sections["numFmts"]
        if "%" in fmt.get("formatCode", "")}
    return frozenset(str(index) for index, xf in enumerate(sections["cellXfs"])
                     if xf.get("numFmtId", "0") in percent_ids)


def _no_percent_format(styles: bytes) -> bool:
    """Whether styles.xml surely shows no percentage, from its bytes (most have none): no "%"
    in any format, no built-in percent format named, in an encoding where those read as ASCII.

    Its elements one by one through Python cost more than all the rest of the workbook's checks.
    """
    if b"%" in styles or b"&#" in styles or b"\x00" in styles or BUILT_IN_PERCENT.search(styles):
        return False
    declared = DECLARED_ENCODING.match(styles)
    return declared is None or declared.group(1).lower() in (b"utf-8", b"us-ascii")


def _sections(xml: bytes, names: tuple[str, ...]) -> dict[str, list[dict[str, str]]]:
    """For each of `names`, the attributes of the children of the root's first child so named."""
    sections: dict[str, list[dict[str, str]]] = {name: [] for name in names}
    seen: set[str] = set()
    depth, current = 0, None

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, current
        depth += 1
        local = name.rpartition(" ")[2]
        if depth == 2:
            current = local if local in sections and local not in seen else None
            seen.add(local)
        elif depth == 3 and current:
            sections[current].append(attributes)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    stream_xml(xml, start, end)
    return sections


def _worksheet_paths(member: Callable[[str], bytes]) -> dict[str, str]:
    """Sheet name -> its part in the archive, from xl/workbook.xml and its relationships."""
    targets: dict[str | None, str] = {}
    paths: dict[str, str] = {}
    depth = 0

    def relationship(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 2:
            targets[attributes.get("Id")] = attributes.get("Target", "")

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "sheet":
            target = targets.get(attributes.get(RELATIONSHIP_ID), "")
            paths[attributes.get("name", "")] = (
                target.lstrip("/") if target.startswith("/") else f"xl/{target}")

    def up(name: str) -> None:
        nonlocal depth
        depth -= 1

    stream_xml(member("xl/_rels/workbook.xml.rels"), relationship, up)
    stream_xml(member("xl/workbook.xml"), sheet, lambda name: None)
    return paths


def _special_cells_of(sheet_xml: bytes, percent_styles: frozenset[str]) -> SpecialCells | None:
    """The sheet's percent and error cells; None when a cell lies past the caps or has no `r`."""
    if not _cells_placed_within_caps(sheet_xml):
        return None
    if not percent_styles and not MAYBE_ERROR.search(sheet_xml):
        return NO_SPECIAL_CELLS             # most sheets: nothing to look at cell by cell
    percent, errors = set(), {}
    for tag in CELL_TAG.finditer(sheet_xml):
        attributes = tag.group(2) or b""
        ref = REF_ATTR.search(attributes)
        if tag.group(1) == b"row" or ref is None:    # every tag has an `r`, checked above
            continue
        col = _column_index(ref.group(1))
        if col is None:                  # checked above too
            continue
        where = (int(ref.group(2)) - 1, col)
        style = STYLE_ATTR.search(attributes)
        if style and style.group(1).decode() in percent_styles:
            percent.add(where)
        if ERROR_TYPE.search(attributes) and (value := ERROR_VALUE.match(sheet_xml, tag.end())):
            errors[where] = value.group(1).decode("utf-8", "replace")
    return SpecialCells(frozenset(percent), errors)


def _cells_placed_within_caps(sheet_xml: bytes) -> bool:
    """Whether every row and cell has an `r`, inside the row and column caps (one scan)."""
    found = PLACED_TAG.findall(sheet_xml)
    if not found:
        return True
    names, columns, rows = zip(*found, strict=True)
    if b"" in rows or max(map(int, rows)) > MAX_ROWS:
        return False
    cell_columns = set(compress(columns, map(b"c".__eq__, names)))
    return all(_column_index(letters) is not None for letters in cell_columns)


def _column_index(letters: bytes) -> int | None:
    """0-based column of "A".."ZZZ"; None when it is missing or past the column cap."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number - 1 if 0 < number <= MAX_COLUMNS else None
