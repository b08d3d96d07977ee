"""The `concerns` answer: the few that matter most first, ranked by severity with their evidence,
then the rest in a line each, and everything in the attached CSV."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.concerns import ConcernReport, PlaceConcerns, ThematicConcern, find_concerns
from bot.content import Attachment, Reply, Section, section, to_csv
from bot.scope import Scope
from bot.status import in_scope
from bot.wording import plural
from store import picture, queries
from store.context import Context

TOP = 3             # items on the "needs attention first" list
EVIDENCE = 4        # evidence lines shown for each of them
REST = 12           # one-line summaries after them, before "and N more"
NAMES = 8           # LAs named in a thematic concern's line


@dataclass(frozen=True)
class Item:
    """A place or a thematic concern, as ranked for a person to act on."""

    severity: float
    heading: str
    line: str                       # the whole item in one line
    evidence: tuple[str, ...]       # most severe first


def concerns_reply(ctx: Context, scope: Scope, actions: frozenset[str] | None = None,
                   theme: str = "") -> Reply:
    """Concerns in `scope`, optionally limited to a theme's actions, most severe first."""
    states = in_scope(picture.standings(ctx.db), scope)
    report = find_concerns(
        ctx.collection, ctx.now, states, queries.counting_answers(ctx.db),
        queries.counting_texts(ctx.db), groups=region_groups(states, scope), actions=actions)
    about = f" about {theme} ({', '.join(sorted(actions))})" if actions else ""
    where = "England" if scope.kind == "national" else scope.name
    silent = [p for p in report.places if not p.spoken]
    items = ranked_items(report, national=scope.kind == "national")
    if not items and not silent:
        return Reply(f"No concerns{about} in {where} from the returns received so far.")
    spoken = len(report.places) - len(silent)
    title = (f"Concerns{about} in {where}: {plural(spoken, 'place')} with concerns, "
             f"{plural(len(report.thematic), 'thematic concern')}"
             + (f", {len(silent)} {picture.status_words(picture.NOT_RECEIVED)}" if silent else "")
             + ("; most severe first" if len(items) > 1 else ""))
    # One LA's answer shows all its evidence; wider ones the top items' most severe lines.
    shown, evidence = ((len(items), sum(len(i.evidence) for i in items)) if scope.kind == "la"
                       else (TOP, EVIDENCE))
    parts = attention_sections(items, shown, evidence, "see the attached CSV")
    parts += rest_sections(items[shown:], REST, "the attached CSV")
    if silent:
        parts.append(_silent(silent, ctx, national=scope.kind == "national"))
    hidden = (len(items) > shown + REST or (silent and scope.kind == "national")
              or any(len(item.evidence) > evidence for item in items[:shown]))
    return Reply(title, tuple(parts), attachment=concerns_csv(report) if hidden else None)


def region_groups(states: Sequence, scope: Scope) -> dict[str, set[str]]:
    """Region name -> its LA codes in `states`; none for one LA (no thematic concerns)."""
    if scope.kind == "region":      # an NHS region ('Midlands') is judged as one
        return {scope.name: {row["la_code"] for row in states}}
    groups: dict[str, set[str]] = {}
    if scope.kind == "national":
        for row in states:
            groups.setdefault(row["region"], set()).add(row["la_code"])
    return groups


def ranked_items(report: ConcernReport, *, national: bool) -> list[Item]:
    """Places (not those with only nothing received) and thematic concerns, most severe first."""
    items = [_place_item(p, national) for p in report.places if p.spoken]
    items += [_thematic_item(t) for t in report.thematic]
    return sorted(items, key=lambda item: -item.severity)


def attention_sections(items: Sequence[Item], count: int, evidence: int,
                       more: str = "in the full list") -> list[Section]:
    """The first `count` items, numbered, each with up to `evidence` lines of evidence, and
    `more` saying where the rest of it is."""
    parts = []
    for rank, item in enumerate(items[:count], 1):
        lines = list(item.evidence[:evidence])
        if len(item.evidence) > evidence:
            lines.append(f"and {len(item.evidence) - evidence} more: {more}")
        parts.append(Section(f"{rank}. {item.heading}", tuple(lines)))
    return parts


def rest_sections(items: Sequence[Item], count: int, where: str) -> list[Section]:
    """The next `count` items in a line each, and how many more are in `where`."""
    if not items:
        return []
    lines = [item.line for item in items[:count]]
    if len(items) > count:
        lines.append(f"and {len(items) - count} more: full list attached as CSV"
                     if where == "the attached CSV" else f"and {len(items) - count} more")
    return [section("Also of concern", lines)]


def _place_item(place: PlaceConcerns, national: bool) -> Item:
    name = f"{place.la_name} ({place.region})" if national else place.la_name
    score = f"severity {place.severity:g}"
    return Item(place.severity, f"{name}: {score}", f"{name}: {_summary(place)} · {score}",
                tuple(item.text for item in place.worst()))


def _thematic_item(item: ThematicConcern) -> Item:
    what = (f"{item.action.code} {item.action.label}: {len(item.la_names)} of {item.region_returns} returns "
            f"low or asking for support")
    names = ", ".join(item.la_names[:NAMES]) + (
        f" and {len(item.la_names) - NAMES} more" if len(item.la_names) > NAMES else "")
    return Item(item.severity,
                f"Thematic: {what} (threshold {item.threshold}) in {item.region} · "
                f"severity {item.severity:g}",
                f"Thematic in {item.region}: {what} ({names}) · severity {item.severity:g}",
                item.evidence)


def _summary(place: PlaceConcerns) -> str:
    parts = []
    for kind, label in (("low", "low on"), ("support", "support asked on"),
                        ("issue", "issues raised on")):
        actions = dict.fromkeys(i.action or "general" for i in place.items if i.kind == kind)
        if actions:
            parts.append(f"{label} {', '.join(actions)}")
    parts.extend(item.text for item in place.items if item.kind == "return")
    return "; ".join(parts)


def _silent(silent: list[PlaceConcerns], ctx: Context, *, national: bool) -> Section:
    heading = (f"{picture.status_words(picture.NOT_RECEIVED).capitalize()} "
               f"({len(silent)}, {picture.lateness(ctx.collection, ctx.now)})")
    if not national:
        return section(heading, (", ".join(p.la_name for p in silent),))
    return section(heading, (count_by_region(p.region for p in silent),
                             "Names in the attached CSV."))


def count_by_region(regions: Iterable[str]) -> str:
    """'London 3 · North West 2': how many in each region."""
    counts = Counter(regions)
    return " · ".join(f"{region} {count}" for region, count in sorted(counts.items()))


def concerns_csv(report: ConcernReport) -> Attachment:
    """Every concern with its evidence and severity, places and thematic, most severe first."""
    rows = [(f"{p.severity:g}", p.la_code, p.la_name, p.region, "place", item.kind,
             item.action or "", f"{item.severity:g}", item.text)
            for p in report.places for item in p.worst()]
    rows += [(f"{t.severity:g}", "", "; ".join(t.la_names), t.region, "thematic", "thematic",
              t.action.code, "", line) for t in report.thematic for line in t.evidence]
    rows.sort(key=lambda row: -float(row[0]))
    text = to_csv(("severity", "la_code", "la_name", "region", "scope", "kind", "action",
                   "item_severity", "evidence"), rows)
    return Attachment("concerns.csv", text, "Concerns with their evidence, most severe first")
