"""The report as a workbook (openpyxl): one sheet per part, every row, for sorting and filtering."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.report.data import ReportData, concern_over
from bot.report.wording import COUNT_COLUMNS, count_row, headline, plan_line

WIDTH = 60          # the widest a column is made, in characters


def write_xlsx(data: ReportData) -> bytes:
    """The report as .xlsx bytes: summary, counts, places, thematic, themes, support, plans."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    _fill(summary, ("Report", "Drafted", "Headline"),
          [(f"{'National overview' if data.national else 'Regional return'}: {data.where}",
            data.drafted, headline(data))])
    _sheet(book, "Returns by region", COUNT_COLUMNS,
           [count_row(region, tally) for region, tally in (*data.counts, ("Total", data.total))])
    _sheet(book, "Places of concern",
           ("Rank", "LA", "Region", "Severity", "Concern over", "Kind", "Action",
            "Item severity", "Evidence"),
           [(rank, p.la_name, p.region, p.severity, concern_over(p), item.kind,
             item.action or "", item.severity, item.text)
            for rank, p in enumerate(data.places, 1) for item in p.worst()])
    _sheet(book, "Thematic concerns",
           ("Region", "Action", "Label", "LAs", "Returns in region", "Threshold", "Severity",
            "LA names"),
           [(t.region, t.action.code, t.action.label, len(t.la_names), t.region_returns, t.threshold,
             t.severity, ", ".join(t.la_names)) for t in data.thematic])
    _sheet(book, "Themes from letters", ("Theme", "LAs", "LA names"),
           [(name, len(las), ", ".join(las)) for name, las in data.themes])
    _sheet(book, "Support asked", ("Action", "Label", "LAs asking", "LA names", "Asks"),
           [(s.action.code, s.action.label, len(s.la_names), ", ".join(s.la_names), "; ".join(s.asks))
            for s in data.support])
    _sheet(book, "Planned actions",
           ("About", "LA", "Region", "Theme", "NHS", "Action", "Author", "Recorded", "Line"),
           [(p["la_name"] or p["theme"] or p["region"] or "England", p["la_name"] or "",
             p["region"] or "", p["theme"] or "", "yes" if p["by_nhs"] else "", p["text"],
             p["author"], p["created_at"], plan_line(p)) for p in data.plans])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, header: Sequence[str],
           rows: Iterable[Sequence[object]]) -> None:
    _fill(book.create_sheet(title), header, rows)


def _fill(sheet, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for row in rows:
        sheet.append(list(row))
        widths = [max(w, len(str(v))) for w, v in zip(widths, row, strict=True)]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(WIDTH, width + 2)
    sheet.freeze_panes = "A2"
