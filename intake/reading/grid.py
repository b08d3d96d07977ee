"""The one grid model every spreadsheet format is read into: a sheet as rows of cell text.

.xlsx, .xlsm, .xls, .ods and .csv all become `Sheet`s (`intake.reading.sheets`), so finding
the template (`intake.reading.template`, `action_rows`, `fields`) is written once, over text on
a grid, whatever wrote the file. A sheet can also be looked at transposed (actions written as
columns) without copying where its cells really are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from intake.reading.safety import UnreadableFile

MAX_CELLS = 200_000                     # filled cells in the whole workbook


@dataclass(frozen=True)
class Sheet:
    """One sheet as cell text on a 0-based grid (row, column); every row is the same width."""

    name: str
    hidden: bool
    rows: tuple[tuple[str, ...], ...]
    transposed: bool = False        # rows here are the file's columns (actions written across)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def cell(self, row: int, col: int) -> str:
        """The text at (row, col), '' outside the grid."""
        if row < 0 or col < 0:
            return ""
        try:
            return self.rows[row][col]      # every row is the sheet's width
        except IndexError:
            return ""

    def ref(self, row: int, col: int) -> str:
        """The A1 reference of (row, col) in the file, e.g. `Sheet1!C7` or `'My sheet'!C7`."""
        if self.transposed:
            row, col = col, row
        return f"{_name_in_ref(self.name)}!{column_letters(col + 1)}{row + 1}"

    def transpose(self) -> Sheet:
        """The same cells with rows and columns swapped; `ref` still names the file's cells."""
        return Sheet(self.name, self.hidden, tuple(zip(*self.rows, strict=True)),
                     not self.transposed)


@dataclass(frozen=True)
class Region:
    """A block of a sheet's grid, inclusive: the template's table, say."""

    top: int
    bottom: int
    left: int
    right: int

    def transpose(self) -> Region:
        """The same block on the transposed grid."""
        return Region(self.left, self.right, self.top, self.bottom)


def to_text(value: object) -> str:
    """Cell text as a person reads it: 45.0 -> '45', dates as ISO, TRUE/FALSE, errors as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)  # a timedelta too: '1:30:00'


def number_text(number: float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}" if isinstance(number, float) else str(number)


class CellBudget:
    """Counts filled cells across a workbook, so a huge one stops early rather than at the end."""

    def __init__(self) -> None:
        self.filled = 0

    def take(self, row: list[str]) -> list[str]:
        self.filled += len(row) - row.count("")
        if self.filled > MAX_CELLS:
            raise UnreadableFile(f"the workbook has more than {MAX_CELLS:,} filled cells, more "
                                 "than a return can have")
        return row


def to_sheet(name: str, hidden: bool, rows: Iterable[list[str]], budget: CellBudget) -> Sheet:
    grid = [budget.take(row) for row in rows]
    while grid and not any(grid[-1]):
        grid.pop()
    width = max((_used_width(row) for row in grid), default=0)
    padded = tuple(tuple(row) if len(row) == width else
                   tuple(row[:width]) + ("",) * (width - min(len(row), width)) for row in grid)
    return Sheet(name=name, hidden=hidden, rows=padded)


def _used_width(row: list[str]) -> int:
    for index in range(len(row) - 1, -1, -1):
        if row[index]:
            return index + 1
    return 0


@lru_cache(maxsize=256)
def _name_in_ref(name: str) -> str:
    """A sheet's name as an A1 reference writes it: quoted unless it is one word."""
    return name if re.fullmatch(r"\w+", name) else "'{}'".format(name.replace("'", "''"))


@lru_cache(maxsize=1024)
def column_letters(number: int) -> str:
    """Excel's letters for a column numbered from 1: 1 is A, 28 is AB (as openpyxl's, without
    importing openpyxl, which costs a reader process a fifth of a second and numpy)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
