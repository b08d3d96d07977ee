"""The `concerns` answer: places with concerns and thematic concerns, with their evidence."""

from __future__ import annotations

from collections import defaultdict

from bot.concerns import ConcernReport, PlaceConcerns, ThematicConcern, find_concerns
from bot.content import Attachment, Reply, Section, section, to_csv
from bot.context import Context
from bot.scope import Scope
from bot.status import in_scope
from bot.wording import plural
from store import picture, queries

# Beyond this many sections (one per place or thematic concern) the answer is summarised by
# region and the full evidence goes in the attached file (Slack's 50-block limit).
MAX_SECTIONS = 30


def concerns_reply(ctx: Context, scope: Scope, actions: frozenset[str] | None = None,
                   theme: str = "") -> Reply:
    """Concerns in `scope`, optionally limited to a theme's actions."""
    states = in_scope(picture.standings(ctx.db), scope)
    report = find_concerns(
        ctx.collection, ctx.now, states, queries.counting_answers(ctx.db),
        queries.counting_texts(ctx.db), groups=_groups(states, scope), actions=actions)
    about = f" about {theme} ({', '.join(sorted(actions))})" if actions else ""
    where = "England" if scope.kind == "national" else scope.name
    if not report.places and not report.thematic:
        return Reply(f"No concerns{about} in {where} from the returns received so far.")
    silent = [p for p in report.places if all(i.kind == "missing" for i in p.items)]
    spoken = [p for p in report.places if p not in silent]
    title = (f"Concerns{about} in {where}: {plural(len(spoken), 'place')} with concerns, "
             f"{plural(len(report.thematic), 'thematic concern')}"
             + (f", {len(silent)} {picture.status_words(picture.NOT_RECEIVED)}" if silent else ""))
    summarise = scope.kind == "national" or len(spoken) + len(report.thematic) > MAX_SECTIONS
    if summarise:
        parts = _thematic_by_region(report.thematic) + _places_by_region(spoken)
    else:
        parts = [Section(_thematic_heading(item), item.evidence) for item in report.thematic]
        parts.extend(section(p.la_name, (item.text for item in p.items)) for p in spoken)
    if silent:
        parts.append(section(f"{picture.status_words(picture.NOT_RECEIVED).capitalize()} "
                             f"({len(silent)}, {picture.lateness(ctx.collection, ctx.now)})",
                             (", ".join(p.la_name for p in silent),)))
    return Reply(title, tuple(parts), attachment=_csv(report) if summarise else None)


def _groups(states: list, scope: Scope) -> dict[str, set[str]]:
    if scope.kind == "la":
        return {}
    if scope.kind == "region":
        return {scope.name: {row["la_code"] for row in states}}
    groups: dict[str, set[str]] = defaultdict(set)
    for row in states:
        groups[row["region"]].add(row["la_code"])
    return groups


def _thematic_heading(item: ThematicConcern) -> str:
    return (f"Thematic: {item.action} {item.label}: {len(item.la_names)} of "
            f"{item.region_las} LAs low or asking for support (threshold {item.threshold})")


def _thematic_by_region(items: tuple[ThematicConcern, ...]) -> list[Section]:
    regions: dict[str, list[ThematicConcern]] = defaultdict(list)
    for item in items:
        regions[item.region].append(item)
    return [section(f"Thematic concerns in {region}",
                    (f"{t.action} {t.label}: {len(t.la_names)} of {t.region_las} LAs "
                     f"({', '.join(t.la_names)})" for t in members))
            for region, members in sorted(regions.items())]


def _places_by_region(places: list[PlaceConcerns]) -> list[Section]:
    regions: dict[str, list[PlaceConcerns]] = defaultdict(list)
    for place in places:
        regions[place.region].append(place)
    return [section(f"{region}: {plural(len(members), 'place')} with concerns",
                    (f"{p.la_name}: {_summary(p)}" for p in members))
            for region, members in sorted(regions.items())]


def _summary(place: PlaceConcerns) -> str:
    parts = []
    for kind, label in (("low", "low on"), ("support", "support asked on"),
                        ("issue", "issues raised on")):
        actions = dict.fromkeys(i.action or "general" for i in place.items if i.kind == kind)
        if actions:
            parts.append(f"{label} {', '.join(actions)}")
    parts.extend(item.text for item in place.items if item.kind == "return")
    return "; ".join(parts)


def _csv(report: ConcernReport) -> Attachment:
    rows = [(p.la_code, p.la_name, p.region, "place", item.kind, item.action or "", item.text)
            for p in report.places for item in p.items]
    rows += [("", "; ".join(t.la_names), t.region, "thematic", "thematic", t.action, line)
             for t in report.thematic for line in t.evidence]
    text = to_csv(("la_code", "la_name", "region", "scope", "kind", "action", "evidence"), rows)
    return Attachment("concerns.csv", text, "Concerns with their evidence")
