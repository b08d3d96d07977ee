"""The .xls cells python-calamine cannot render as the LA saw them: percentages.

calamine gives a percent-formatted number's value (0.9, or 1 for 100%) without its format.
The formats are in the BIFF8 records of the Workbook stream: FORMAT records name the number
formats, XF records give each cell style its format, and each number cell (NUMBER, RK,
MULRK, FORMULA) carries its style. One pass over the records finds the cells shown as
percentages, sheet by sheet. Anything unexpected in the records just means no formats.
"""

from __future__ import annotations

import struct

import olefile

from intake.reading.ole import FILEPASS
from intake.reading.safety import MAX_COLUMNS, MAX_ROWS
from intake.reading.xlsx_cells import SpecialCells, WorkbookCells

BOF, BOUNDSHEET, FORMAT, XF = 0x0809, 0x0085, 0x041E, 0x00E0
NUMBER, RK, MULRK, FORMULA = 0x0203, 0x027E, 0x00BD, 0x0006
PERCENT_FORMATS = frozenset({9, 10})      # the built-in "0%" and "0.00%"
MAX_RECORDS = 1_000_000        # a return has a few thousand; the caps stop calamine long before


def xls_special_cells(data: bytes) -> WorkbookCells:
    """Sheet name -> its percent-formatted cells, (row, col) on a 0-based grid."""
    try:
        with olefile.OleFileIO(data) as ole:
            names = {"/".join(path).lower(): path for path in ole.listdir()}
            path = names.get("workbook") or names.get("book")
            stream = ole.openstream(path).read() if path else b""
    except Exception:  # olefile raises OSError, struct.error, IndexError ... on damage
        return {}
    try:
        return _percent_cells(stream)
    except (struct.error, IndexError, UnicodeDecodeError):
        return {}


def _percent_cells(stream: bytes) -> WorkbookCells:
    formats: set[int] = set(PERCENT_FORMATS)
    styles: list[int] = []
    sheets_at: dict[int, str] = {}
    found: dict[str, set[tuple[int, int]]] = {}
    current: set[tuple[int, int]] | None = None
    offset = 0
    for _ in range(MAX_RECORDS):
        if offset + 4 > len(stream):
            break
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4:offset + 4 + length]
        if kind == FILEPASS:
            return {}
        if kind == BOF and offset in sheets_at:
            current = found.setdefault(sheets_at[offset], set())
        elif kind == BOUNDSHEET:
            sheets_at[struct.unpack_from("<I", body)[0]] = _sheet_name(body)
        elif kind == FORMAT and "%" in _format_text(body):
            formats.add(struct.unpack_from("<H", body)[0])
        elif kind == XF:
            styles.append(struct.unpack_from("<H", body, 2)[0])
        elif current is not None and kind in (NUMBER, RK, FORMULA, MULRK):
            current.update(_styled_cells(kind, body, styles, formats))
        offset += 4 + length
    return {name: SpecialCells(frozenset(cells)) for name, cells in found.items()}


def _styled_cells(kind: int, body: bytes, styles: list[int],
                  formats: set[int]) -> list[tuple[int, int]]:
    """The cells of one record whose style shows a percentage."""
    row, col = struct.unpack_from("<HH", body)
    if kind == MULRK:
        count = (len(body) - 6) // 6
        xfs = [(col + n, struct.unpack_from("<H", body, 4 + 6 * n)[0]) for n in range(count)]
    else:
        xfs = [(col, struct.unpack_from("<H", body, 4)[0])]
    return [(row, c) for c, xf in xfs
            if xf < len(styles) and styles[xf] in formats and row < MAX_ROWS and c < MAX_COLUMNS]


def _sheet_name(body: bytes) -> str:
    length, wide = body[6], body[7] & 1
    raw = body[8:8 + length * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1")


def _format_text(body: bytes) -> str:
    length, wide = struct.unpack_from("<H", body, 2)[0], body[4] & 1
    raw = body[5:5 + length * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", errors="replace")
