"""The sentences a report shares between its Word document, its workbook and its Slack reply."""

from __future__ import annotations

from collections.abc import Mapping

from bot.concerns import ThematicConcern
from bot.report.data import ReportData

# The regional return's four parts, as seed 001 sets them out.
REGIONAL_HEADINGS = (
    "1. Places where there are concerns over implementation (resourcing, pace, relationships)",
    "2. Thematic concerns (commitments where confidence is low in several places)",
    "3. Summary of planned regional action",
    "4. Action NHS regional teams are planning",
)
EVIDENCE_LINES = 3


def headline(data: ReportData) -> str:
    """'20 of 33 LAs have a valid return; 4 need fixing; 9 not received.'"""
    total = data.total
    return (f"{total.valid} of {total.las} LAs have a valid return; {total.needs_fixing} need "
            f"fixing; {total.not_received} not received. {len(data.places)} places have "
            f"concerns and {len(data.thematic)} actions are thematic concerns.")


def thematic_line(item: ThematicConcern) -> str:
    return (f"{item.region}: {item.action} {item.label}: {len(item.la_names)} of "
            f"{item.region_returns} returns low or asking for support "
            f"({', '.join(item.la_names)}); severity {item.severity:g}")


def plan_line(plan: Mapping) -> str:
    """'Kent: weekly call with the CCG on testing (U123, 2020-05-28 10:02)'."""
    about = plan["la_name"] or plan["theme"] or plan["region"] or "England"
    return f"{about}: {plan['text']} ({plan['author']}, {plan['created_at'][:16].replace('T', ' ')})"
