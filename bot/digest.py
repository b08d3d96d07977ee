"""The daily digest: counts and their change since the last digest, new returns, new concerns,
the missing list and the deadline, for England or one region.

"Since the last digest" is the previous working day's digest time, and the counts then are
worked out from the submissions' receipt times, so a digest reads the same however often it
is built and whether or not yesterday's was posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from bot.concerns import find_concerns
from bot.content import Attachment, Reply, Section, section, to_csv
from bot.context import Context
from bot.parsing import Question
from bot.roles import Viewer
from bot.scope import NATIONAL, Scope, Unmatched, region_scope, resolve_scope
from bot.status import counts_line, in_scope
from bot.wording import deadline_phrase, plural, when
from intake.chasing.ladder import contact_problems
from store import picture, queries
from store.collection import Collection
from store.picture import Tally

NATIONAL_NAME = "national"


class UnknownScope(ValueError):
    """A digest scope that is neither `national` nor a region."""


@dataclass(frozen=True)
class Version:
    la_code: str
    version: int
    status: str
    received_at: datetime
    ref: str


def digest_scope(name: str) -> Scope:
    """'national' (or 'England') or a region named forgivingly ('NE', 'yorkshire')."""
    if name.strip().lower() in (NATIONAL_NAME, "england", "all"):
        return NATIONAL
    scope = region_scope(name)
    if scope is None:
        raise UnknownScope(f"{name!r} is neither 'national' nor a region")
    return scope


def scope_key(scope: Scope) -> str:
    """The name a digest is recorded under: 'national' or the region as in the register."""
    return NATIONAL_NAME if scope.kind == "national" else scope.name


def previous_digest_time(collection: Collection, now: datetime) -> datetime:
    """The digest time of the working day before `now`'s day: what 'since' means."""
    day = collection.add_working_days(collection.local(now).date(), -1)
    return datetime.combine(day, collection.digest_time, tzinfo=collection.zone)


def versions(db: Database) -> list[Version]:
    """Every submission version with its receipt time (collection clock)."""
    return [Version(row["la_code"], row["version"], row["status"],
                    datetime.fromisoformat(row["received_at"]), row["ref"] or "")
            for row in db.query("""SELECT s.la_code, s.version, s.status, s.received_at, m.ref
                                   FROM submissions s LEFT JOIN messages m ON m.id = s.message_id
                                   ORDER BY s.received_at, s.id""")]


def tally(all_versions: Iterable[Version], la_codes: set[str], until: datetime | None) -> Tally:
    """How `la_codes` stood at `until` (None: now), from the versions received by then."""
    return picture.tally_at(((v.la_code, v.status, v.received_at) for v in all_versions),
                            la_codes, until)


def build_digest(db: Database, collection: Collection, now: datetime,
                 scope: str | Scope) -> Reply:
    """The digest for 'national' or a region, as of `now` (the collection clock)."""
    scope = digest_scope(scope) if isinstance(scope, str) else scope
    since = previous_digest_time(collection, now)
    states = in_scope(picture.standings(db), scope)
    codes = {row["la_code"] for row in states}
    history = versions(db)
    today, before = tally(history, codes, None), tally(history, codes, since)
    new = [v for v in history if v.la_code in codes and v.received_at > since]
    where = "England" if scope.kind == "national" else scope.name
    local = collection.local(now)
    title = (f"Daily digest for {where}, {local:%a} {local.day} {local:%b}: "
             f"{today.line()}; {deadline_phrase(collection, now)}")
    parts = [Section("Returns", (counts_line(states), _change(today, before, since,
                                                               collection)))]
    if new:
        parts.append(_new_returns(new, states, scope))
        parts.extend(_new_concerns(db, collection, now, states, {v.la_code for v in new},
                                   scope))
    missing = [row for row in states if not picture.has_valid_return(row["status"])]
    parts.extend(_missing(db, collection, now, missing, scope))
    attachment = (_missing_csv(db, collection, now, missing)
                  if scope.kind == "national" and missing else None)
    return Reply(title, tuple(parts), attachment=attachment)


def _change(today: Tally, before: Tally, since: datetime, collection: Collection) -> str:
    if today == before:
        return f"Nothing has changed since {when(since.isoformat(), collection)}."
    return f"Since {when(since.isoformat(), collection)}: {today.change_since(before)}"


def _new_returns(new: list[Version], states: list[Mapping], scope: Scope) -> Section:
    names = {row["la_code"]: row["la_name"] for row in states}
    regions = {row["la_code"]: row["region"] for row in states}
    heading = f"New returns ({len(new)})"
    if scope.kind != "national":
        return section(heading, (f"{names[v.la_code]}: version {v.version}, "
                                 f"{picture.status_words(v.status)} ({v.ref})" for v in new))
    grouped: dict[str, list[str]] = defaultdict(list)
    for v in new:
        grouped[regions[v.la_code]].append(f"{names[v.la_code]} "
                                           f"({picture.status_words(v.status)})")
    return section(heading, (f"{region} ({len(items)}): {'; '.join(items)}"
                             for region, items in sorted(grouped.items())))


def _new_concerns(db: Database, collection: Collection, now: datetime, states: list[Mapping],
                  fresh: set[str], scope: Scope) -> list[Section]:
    """Concerns raised by the returns that came in since the last digest."""
    groups: dict[str, set[str]] = defaultdict(set)
    for row in states:
        groups[row["region"]].add(row["la_code"])
    report = find_concerns(collection, now, states, queries.counting_answers(db),
                           queries.counting_texts(db), groups=groups)
    places = [p for p in report.places if p.la_code in fresh]
    fresh_names = {row["la_name"] for row in states if row["la_code"] in fresh}
    thematic = [t for t in report.thematic if fresh_names & set(t.la_names)]
    if not places and not thematic:
        return [Section("New concerns", ("None in the returns that came in.",))]
    if scope.kind == "national":
        lines = [f"{p.la_name} ({p.region}): {plural(len(p.items), 'concern')}" for p in places]
    else:
        lines = [f"{p.la_name}: {item.text}" for p in places for item in p.items]
    lines += [f"Thematic in {t.region}: {t.action} {t.label}: {len(t.la_names)} of "
              f"{t.region_las} LAs ({'; '.join(t.la_names)})" for t in thematic]
    return [section(f"New concerns ({len(places) + len(thematic)})", lines)]


def _missing(db: Database, collection: Collection, now: datetime, missing: list[Mapping],
             scope: Scope) -> list[Section]:
    if not missing:
        return [Section("No valid return", ("Every LA has a valid return.",))]
    late = picture.lateness(collection, now)
    heading = f"No valid return ({len(missing)}, {late})"
    if scope.kind == "national":
        grouped: dict[str, list[str]] = defaultdict(list)
        for row in missing:
            grouped[row["region"]].append(row["la_name"])
        parts = [section(heading, (f"{region} ({len(names)}): {'; '.join(names)}"
                                   for region, names in sorted(grouped.items())))]
    else:
        parts = [section(heading, (f"{row['la_name']}: {picture.status_words(row['status'])}; "
                                   f"{_chased(row, collection)}" for row in missing))]
    problems = contact_problems(db, collection, now, [row["la_code"] for row in missing])
    if problems:
        names = {row["la_code"]: row["la_name"] for row in missing}
        heading = f"Cannot be chased: no contact ({len(problems)})"
        if scope.kind == "national":
            parts.append(Section(heading, (f"{plural(len(problems), 'LA')} with no valid "
                                           "return have no contact to chase: see the "
                                           "contact_problem column of the attached file.",)))
        else:
            parts.append(section(heading, (f"{names[code]}: {reason}"
                                           for code, reason in problems.items())))
    return parts


def _chased(row: Mapping, collection: Collection) -> str:
    if not row["last_chased"]:
        return "not chased yet"
    return f"last chased {when(row['last_chased'], collection)}"


def _missing_csv(db: Database, collection: Collection, now: datetime,
                 missing: list[Mapping]) -> Attachment:
    problems = contact_problems(db, collection, now, [row["la_code"] for row in missing])
    text = to_csv(
        ("la_code", "la_name", "region", "state", "version", "message_ref", "last_chased",
         "contact_problem"),
        ((row["la_code"], row["la_name"], row["region"], picture.status_words(row["status"]),
          row["version"], row["message_ref"], row["last_chased"],
          problems.get(row["la_code"], "")) for row in missing))
    return Attachment("no_valid_return.csv", text, "LAs with no valid return")


def digest_command(question: Question, user: Viewer, ctx: Context) -> Reply:
    """The bot's `digest [REGION]`: today's digest for the place named, or the user's own."""
    if user.home is None:
        return Reply("Sorry, I can only answer people on the returns team's list.",
                     ephemeral=True)
    scope = resolve_scope(question.rest, user.home)
    if isinstance(scope, Unmatched):
        return Reply(f"I couldn't find a region called “{scope.text}”.")
    if scope.kind == "la":
        return Reply(f"Digests cover England or a region; try `status {scope.name}` for one LA.")
    return build_digest(ctx.db, ctx.collection, ctx.now, scope)


def digest_day(collection: Collection, now: datetime) -> date:
    """The day a digest built at `now` belongs to (collection-local)."""
    return collection.local(now).date()
