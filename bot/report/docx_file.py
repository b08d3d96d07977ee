"""The report as a Word document a regional lead can edit and send (python-docx)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentType
from docx.shared import Inches, Pt

from bot.concern_report import ranked_items
from bot.concerns import ConcernReport
from bot.report.data import ReportData, concern_over
from bot.report.wording import (
    COUNT_COLUMNS,
    EVIDENCE_LINES,
    REGIONAL_HEADINGS,
    count_row,
    headline,
    plan_line,
    thematic_line,
)
from bot.wording import plural

TABLE_STYLE = "Light Grid Accent 1"
PLACES = 10         # places in the document's table; the workbook has them all
TOP = 3             # items named under "Needs attention first" on page 1


def write_docx(data: ReportData, chart: bytes | None = None) -> bytes:
    """The report as .docx bytes: the seed's four parts for a region, the overview for England."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    title = ("National overview for ministers" if data.national
             else f"Regional return: {data.where}")
    doc.add_heading(f"COVID-19 care home support: {title}", 0)
    doc.add_paragraph(f"Drafted from the returns on {data.drafted}. {headline(data)}")
    items = ranked_items(ConcernReport(data.places, data.thematic), national=data.national)
    if items:
        doc.add_paragraph("Needs attention first:")
        _bullets(doc, [item.heading for item in items[:TOP]], "")
    if data.national:
        _national(doc, data, chart)
    else:
        _regional(doc, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _regional(doc: DocumentType, data: ReportData) -> None:
    places, thematic, planned, nhs = REGIONAL_HEADINGS
    doc.add_heading(places, 1)
    _places_table(doc, data)
    doc.add_heading(thematic, 1)
    _bullets(doc, [thematic_line(t) for t in data.thematic],
             "No action is weak in enough places to be thematic.")
    if data.themes:
        doc.add_paragraph("What the LAs wrote about in their letters and free text:")
        _bullets(doc, [f"{name}: {', '.join(las)}" for name, las in data.themes], "")
    doc.add_heading(planned, 1)
    _bullets(doc, [plan_line(p) for p in data.plans if not p["by_nhs"]],
             "No planned action recorded yet: record one with `plan PLACE: what`.")
    if data.support:
        doc.add_paragraph("Support requested by the LAs, by action:")
        _bullets(doc, [f"{s.action.code} {s.action.label}: {', '.join(s.la_names)}" for s in data.support],
                 "")
    doc.add_heading(nhs, 1)
    _bullets(doc, [plan_line(p) for p in data.plans if p["by_nhs"]],
             "None recorded yet: record one with `plan PLACE: NHS …`.")
    _returns(doc, data)


def _national(doc: DocumentType, data: ReportData, chart: bytes | None) -> None:
    doc.add_heading("Returns by region", 1)
    _table(doc, COUNT_COLUMNS, [count_row(region, tally) for region, tally in
                                (*data.counts, ("Total", data.total))])
    if chart is not None:
        doc.add_picture(io.BytesIO(chart), width=Inches(6.5))
    doc.add_heading("What councils wrote about (letters and free text)", 1)
    _table(doc, ("Theme", "LAs", "Share of returns"),
           [(name, len(las), f"{len(las) / max(1, data.returns):.0%}") for name, las in data.themes])
    doc.add_heading("Support asked, by action", 1)
    _table(doc, ("Action", "LAs asking", "What they asked for (examples)"),
           [(f"{s.action.code} {s.action.label}", len(s.la_names), "; ".join(s.asks[:3]))
            for s in data.support])
    doc.add_heading("Places of concern by region", 1)
    for region, _ in data.counts:
        places = [p for p in data.places if p.region == region]
        themes = [t for t in data.thematic if t.region == region]
        doc.add_heading(f"{region}: {len(places)} places, {len(themes)} thematic", 2)
        _bullets(doc, [f"{p.la_name} (severity {p.severity:g}): {concern_over(p)}"
                       for p in places[:5]] + [thematic_line(t) for t in themes[:3]],
                 "No concerns from the returns received.")
    doc.add_heading("Planned actions", 1)
    _bullets(doc, [plan_line(p) for p in data.plans], "None recorded yet.")


def _places_table(doc: DocumentType, data: ReportData) -> None:
    if not data.places:
        doc.add_paragraph("No place has a concern in the returns received so far.")
        return
    _table(doc, ("Place", "Severity", "Concern over", "Evidence (most severe first)"),
           [(p.la_name, f"{p.severity:g}", concern_over(p),
             "\n".join(i.text for i in p.worst()[:EVIDENCE_LINES]))
            for p in data.places[:PLACES]])
    if len(data.places) > PLACES:
        more = plural(len(data.places) - PLACES, "more place")
        doc.add_paragraph(f"and {more}: every one is on the "
                          "workbook's “Places of concern” sheet.")


def _returns(doc: DocumentType, data: ReportData) -> None:
    doc.add_heading("Returns", 1)
    total = data.total
    _bullets(doc, [f"Valid: {total.valid} of {total.las}",
                   f"Needs fixing ({total.needs_fixing}): {', '.join(data.needs_fixing) or '-'}",
                   f"Letter missing ({total.letter_missing}): "
                   f"{', '.join(data.letter_missing) or '-'}",
                   f"Not received ({total.not_received}): "
                   f"{', '.join(data.not_received) or '-'}"], "")


def _bullets(doc: DocumentType, lines: Sequence[str], empty: str) -> None:
    for line in lines or ([empty] if empty else []):
        doc.add_paragraph(line, style="List Bullet")


def _table(doc: DocumentType, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = TABLE_STYLE
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = str(value)
