"""The .ods cells python-calamine cannot render as the LA saw them: percentages.

calamine gives a percentage cell's value (0.9) but not its type, so the count "90%" would read
0.9. The type is in content.xml (`office:value-type="percentage"`); one streaming pass finds
where those cells are on each sheet's grid, counting the row and column repeats LibreOffice
writes. That pass runs alongside the safety check's own (`safety.check_ods`), which refuses
the file first when it must.
"""

from __future__ import annotations

from intake.reading.safety import MAX_COLUMNS, MAX_ROWS
from intake.reading.xlsx_cells import SpecialCells, WorkbookCells

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CELLS = (f"{TABLE} table-cell", f"{TABLE} covered-table-cell")
MAX_REPEATED = 10_000               # a percentage repeated wider than a return: not worth keeping


class PercentCells:
    """Walks content.xml's tables, rows and cells (an XML handler for `safety.check_ods`),
    keeping the position of each percentage cell."""

    def __init__(self) -> None:
        self.found: dict[str, set[tuple[int, int]]] = {}
        self.sheet: set[tuple[int, int]] | None = None
        self.row = self.col = 0
        self.row_repeat = 1

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == f"{TABLE} table":
            self.sheet = self.found.setdefault(attributes.get(f"{TABLE} name", ""), set())
            self.row = 0
        elif name == f"{TABLE} table-row":
            self.col = 0
            self.row_repeat = _repeat(attributes, "number-rows-repeated")
        elif name in CELLS:
            repeat = _repeat(attributes, "number-columns-repeated")
            if (self.sheet is not None and attributes.get(f"{OFFICE} value-type") == "percentage"
                    and self.row < MAX_ROWS and repeat * self.row_repeat <= MAX_REPEATED):
                self.sheet.update((self.row + r, self.col + c)
                                  for r in range(min(self.row_repeat, MAX_ROWS - self.row))
                                  for c in range(min(repeat, max(0, MAX_COLUMNS - self.col))))
            self.col += repeat

    def end(self, name: str) -> None:
        if name == f"{TABLE} table-row":
            self.row += self.row_repeat
        elif name == f"{TABLE} table":
            self.sheet = None

    def special_cells(self) -> WorkbookCells:
        """Sheet name -> its percentage cells, (row, col) on a 0-based grid."""
        return {name: SpecialCells(frozenset(cells)) for name, cells in self.found.items()}


def _repeat(attributes: dict[str, str], name: str) -> int:
    try:
        return max(1, int(attributes.get(f"{TABLE} {name}", "1")))
    except ValueError:
        return 1
