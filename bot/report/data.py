"""What a report says, gathered once from the store for a region or England."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.concern_report import region_groups
from bot.concerns import PlaceConcerns, ThematicConcern, find_concerns
from bot.scope import Scope
from bot.status import in_scope
from store import picture, queries
from store.collection import Action
from store.context import Context
from store.picture import Tally
from store.plans import planned_actions
from store.search import count_themes

# The seed's words for what a place's concerns are over, by kind of concern.
CONCERN_OVER = {"low": "pace", "return": "pace", "missing": "pace", "support": "resourcing",
                "issue": "issues raised"}


@dataclass(frozen=True)
class SupportAsked:
    """The LAs asking for support on one action, with what they asked for."""

    action: Action
    la_names: tuple[str, ...]
    asks: tuple[str, ...]


@dataclass(frozen=True)
class ReportData:
    where: str                                  # 'London' or 'England'
    national: bool
    drafted: str                                # the collection clock, in words
    counts: tuple[tuple[str, Tally], ...]       # each region and how its LAs stand
    places: tuple[PlaceConcerns, ...]           # most severe first; not 'nothing received'
    thematic: tuple[ThematicConcern, ...]       # most severe first
    themes: tuple[tuple[str, tuple[str, ...]], ...]   # theme -> LAs that wrote about it
    support: tuple[SupportAsked, ...]
    plans: tuple[dict, ...]
    not_received: tuple[str, ...]
    needs_fixing: tuple[str, ...]
    letter_missing: tuple[str, ...]
    returns: int                                # LAs with a counting return

    @property
    def total(self) -> Tally:
        return Tally(*(sum(getattr(t, f) for _, t in self.counts) for f in
                       ("valid", "needs_fixing", "letter_missing", "not_received")))


def concern_over(place: PlaceConcerns) -> str:
    """'pace, resourcing': what the place's concerns are over, in the seed's words."""
    return ", ".join(dict.fromkeys(CONCERN_OVER[item.kind] for item in place.worst()))


def report_data(ctx: Context, scope: Scope) -> ReportData:
    """Everything a report on `scope` (a region or England) needs, as of the collection clock."""
    states = in_scope(picture.standings(ctx.db), scope)
    codes = {row["la_code"] for row in states}
    names = {row["la_code"]: row["la_name"] for row in states}
    answers = [row for row in queries.counting_answers(ctx.db) if row["la_code"] in codes]
    report = find_concerns(ctx.collection, ctx.now, states, answers,
                           queries.counting_texts(ctx.db), groups=region_groups(states, scope))
    local = ctx.collection.local(ctx.now)
    return ReportData(
        where=scope.name, national=scope.kind == "national",
        drafted=f"{local:%a} {local.day} {local:%B %Y %H:%M}",
        counts=_counts(states),
        places=tuple(p for p in report.places if p.spoken),
        thematic=report.thematic,
        themes=tuple((theme.name, tuple(sorted(names[c] for c in las)))
                     for theme, las in count_themes(ctx.db, ctx.collection.themes, codes)
                     if las),
        support=_support(ctx, answers, names),
        plans=tuple(planned_actions(ctx.db, None if scope.kind == "national" else scope.name)),
        not_received=tuple(row["la_name"] for row in states
                           if row["status"] == picture.NOT_RECEIVED),
        needs_fixing=tuple(row["la_name"] for row in states
                           if row["status"] == picture.NEEDS_FIXING),
        letter_missing=tuple(row["la_name"] for row in states
                             if row["status"] == picture.LETTER_MISSING),
        returns=sum(row["status"] != picture.NOT_RECEIVED for row in states),
    )


def _counts(states: list) -> tuple[tuple[str, Tally], ...]:
    regions: dict[str, list] = defaultdict(list)
    for row in states:
        regions[row["region"]].append(row)
    return tuple((region, picture.tally_rows(rows)) for region, rows in sorted(regions.items()))


def _support(ctx: Context, answers: list, names: dict[str, str]) -> tuple[SupportAsked, ...]:
    asked: dict[str, list[dict]] = defaultdict(list)
    for row in answers:
        if row["support_needed"] == "yes":
            asked[row["action"]].append(row)
    found = [SupportAsked(ctx.collection.action(code),
                          tuple(sorted(names[r["la_code"]] for r in asked[code])),
                          tuple(dict.fromkeys(" ".join((r["support_description"] or "").split())
                                              for r in asked[code]
                                              if (r["support_description"] or "").strip())))
             for code in ctx.collection.action_codes if asked.get(code)]
    return tuple(sorted(found, key=lambda s: -len(s.la_names)))
