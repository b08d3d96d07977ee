"""`report REGION|national` and `plan PLACE: what`: the commands behind the reports."""

from __future__ import annotations

import re

from bot.concern_report import attention_sections, ranked_items
from bot.concerns import ConcernReport
from bot.content import Attachment, Reply, Section
from bot.question import Question
from bot.report.data import report_data
from bot.report.wording import headline
from bot.roles import Viewer
from bot.scope import Scope, Unmatched
from bot.themes import theme_actions, theme_name
from store.context import Context
from store.plans import PlannedAction, record_plan

NHS = "nhs"
WORD = re.compile(r"[^a-z0-9]+")


def report_command(scope: Scope, ctx: Context) -> Reply:
    """The regional return (or the national overview) as a .docx and an .xlsx, with the top
    concerns on screen."""
    if scope.kind == "la":
        return Reply(f"Reports cover a region or England; try `concerns {scope.name}` for "
                     "one LA.")
    return report_reply(ctx, scope)


def report_reply(ctx: Context, scope: Scope) -> Reply:
    """The report on a region or England, its files attached."""
    # python-docx and openpyxl take ~0.1 s to import: loaded for a report, not every answer.
    from bot.report.docx_file import write_docx
    from bot.report.xlsx_file import write_xlsx

    data = report_data(ctx, scope)
    chart = None
    if data.national:
        from bot.chart import digest_chart  # matplotlib is only loaded to draw

        chart = digest_chart(ctx.db, ctx.collection, ctx.now)
    name = WORD.sub("_", data.where.lower()).strip("_")
    day = ctx.collection.local(ctx.now).date().isoformat()
    kind = "national_overview" if data.national else "regional_return"
    files = (Attachment(f"{kind}_{name}_{day}.docx", title=f"Draft report: {data.where}",
                        data=write_docx(data, chart)),
             Attachment(f"{kind}_{name}_{day}.xlsx", title=f"Report workbook: {data.where}",
                        data=write_xlsx(data)))
    what = "National overview for ministers" if data.national else \
        f"Draft regional return for {data.where}"
    items = ranked_items(ConcernReport(data.places, data.thematic), national=data.national)
    parts = attention_sections(items, 3, 2)
    parts.append(Section("", (f"{len(data.plans)} planned actions in the report; record one "
                              "with `plan PLACE: what`.",)))
    return Reply(f"{what}: {headline(data)}", tuple(parts), files=files)


def plan_command(question: Question, user: Viewer, ctx: Context) -> Reply:
    """Record a planned action against an LA, a region or a theme, with author and time.

    An action whose text starts with "NHS", or a place named with "nhs", is one NHS regional
    teams are planning (the regional return's fourth part)."""
    if user.home is None or not question.target:
        return Reply("Say what is planned and for where, e.g. `plan Kent: weekly call with the "
                     "CCG on testing`.", ephemeral=user.home is None)
    scope, theme, by_nhs = _about(question, user.home, ctx)
    if isinstance(scope, Unmatched):
        return Reply(f"I couldn't find a region, LA or theme called “{scope.text}”; the plan "
                     "was not recorded. Try `plan Kent: weekly call with the CCG on testing`.")
    by_nhs = by_nhs or question.target.lower().startswith(NHS)
    la_code = next(iter(scope.la_codes)) if scope.kind == "la" else None
    region = _region(ctx, scope, la_code)
    record_plan(ctx.db, PlannedAction(region, la_code, theme, question.target, user.user_id,
                                      ctx.now.isoformat(), by_nhs))
    about = ", ".join(part for part in (
        scope.name if scope.kind != "national" or not theme else "", theme) if part)
    who = "NHS regional action" if by_nhs else "Planned action"
    return Reply(f"{who} recorded for {about}: {question.target}",
                 (Section("", (f"It will appear in `report {region or 'national'}`.",)),))


def _about(question: Question, home: Scope, ctx: Context
           ) -> tuple[Scope | Unmatched, str | None, bool]:
    """Where a plan is for (the asker's area when only a theme is named), its theme, and
    whether "nhs" was said with the place."""
    words = [w for w in question.words if w != NHS]
    by_nhs = len(words) < len(question.words)
    actions, theme_words = theme_actions(words, ctx.collection)
    theme = theme_name(actions, theme_words, ctx.collection) if actions else None
    scope = question.scope
    if isinstance(scope, Unmatched):
        if any(w not in (NHS, *theme_words) for w in scope.text.lower().split()):
            return scope, theme, by_nhs
        scope = None
    return scope or home, theme, by_nhs


def _region(ctx: Context, scope: Scope, la_code: str | None) -> str | None:
    if scope.kind == "region":
        return scope.name
    if la_code is not None:
        row = next(ctx.db.query("SELECT region FROM authorities WHERE code = ?", [la_code]))
        return row["region"]
    return None
