"""Reading generated returns as the intake does, and counting what came out right."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.models import TemplateReading
from intake.reading.sheets import read_sheets
from intake.reading.template import find_template
from intake.reading.values import parse_count, parse_support, parse_total
from store.collection import Collection
from store.names import match_authority
from tests.return_variants import Variant


@dataclass
class Score:
    """How many generated cells, totals and LA fields the reader got right."""

    cells: int = 0
    cells_right: int = 0
    totals: int = 0
    totals_right: int = 0
    las: int = 0
    las_right: int = 0
    las_wrong: int = 0
    misses: list[str] = field(default_factory=list)

    def rates(self) -> dict[str, float]:
        """Each share right, as a percentage."""
        return {"cells": 100 * self.cells_right / max(self.cells, 1),
                "totals": 100 * self.totals_right / max(self.totals, 1),
                "las": 100 * self.las_right / max(self.las, 1)}


def score(variants: list[Variant], collection: Collection) -> Score:
    """Read every variant as the intake does and compare with its truth."""
    result = Score()
    for variant in variants:
        reading = find_template(read_sheets(variant.filename, variant.data), variant.filename,
                                collection)
        _score_one(result, variant, reading)
    return result


def _score_one(result: Score, variant: Variant, reading: TemplateReading | None) -> None:
    truth = variant.truth
    wrong: list[str] = []
    total = parse_total(reading.total_raw or "") if reading else None
    result.totals += 1
    result.totals_right += total == truth.total
    if total != truth.total:
        wrong.append(f"total {reading.total_raw if reading else None!r}")
    rows = {row.code: row for row in reading.rows} if reading else {}
    for code, count in truth.counts.items():
        row = rows.get(code)
        got = parse_count(row.homes_raw, total).value if row else None
        needed = parse_support(row.support_raw).needed if row else None
        result.cells += 2
        result.cells_right += (got == count) + (needed == truth.support[code])
        if got != count or needed != truth.support[code]:
            wrong.append(f"{code} {row.homes_raw if row else None!r}/"
                         f"{row.support_raw if row else None!r}")
    match = match_authority(reading.la_name) if reading and reading.la_name else None
    result.las += 1
    result.las_right += bool(match and match.authority.code == truth.la_code)
    if match and match.authority.code != truth.la_code:
        result.las_wrong += 1
    if not (match and match.authority.code == truth.la_code):
        wrong.append(f"LA {reading.la_name if reading else None!r}")
    if wrong:
        result.misses.append(f"{variant.choices}: {'; '.join(wrong[:4])}")
