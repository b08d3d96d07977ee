"""The sentences a report shares between its Word document, its workbook and its Slack reply."""

from __future__ import annotations

from collections.abc import Mapping

from bot.concerns import ThematicConcern
from bot.report.data import ReportData
from store.picture import Tally

# The regional return's four parts, as seed 001 sets them out.
REGIONAL_HEADINGS = (
    "1. Places where there are concerns over implementation (resourcing, pace, relationships)",
    "2. Thematic concerns (commitments where confidence is low in several places)",
    "3. Summary of planned regional action",
    "4. Action NHS regional teams are planning",
)
EVIDENCE_LINES = 3
COUNT_COLUMNS = ("Region", "LAs", "Returned", "Valid", "Needs fixing", "Letter missing",
                 "Not received")


def count_row(region: str, tally: Tally) -> tuple[object, ...]:
    """A row of the counts table, in COUNT_COLUMNS' order."""
    return (region, tally.las, tally.returned, tally.valid, tally.needs_fixing,
            tally.letter_missing, tally.not_received)


def headline(data: ReportData) -> str:
    """'8 of 33 returned: 7 valid, 1 needs fixing, 0 letter missing; 25 not received. …'"""
    return (f"{data.total.line()}. {len(data.places)} places have concerns and "
            f"{len(data.thematic)} actions are thematic concerns.")


def thematic_line(item: ThematicConcern) -> str:
    return (f"{item.region}: {item.action.code} {item.action.label}: {len(item.la_names)} of "
            f"{item.region_returns} returns low or asking for support "
            f"({', '.join(item.la_names)}); severity {item.severity:g}")


def plan_line(plan: Mapping) -> str:
    """'Kent: weekly call with the CCG on testing (U123, 2020-05-28 10:02)'."""
    about = plan["la_name"] or plan["theme"] or plan["region"] or "England"
    return f"{about}: {plan['text']} ({plan['author']}, {plan['created_at'][:16].replace('T', ' ')})"
