"""The daily digest, on one screen: the headline and its movement since the last digest, the
top items needing attention, new returns, who needs fixing and who has sent nothing (names for
a region, counts and a CSV nationally), and the deadline, for England or one region.

"Since the last digest" is the previous working day's digest time, and the counts then are
worked out from the submissions' receipt times, so a digest reads the same however often it
is built and whether or not yesterday's was posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.concern_report import attention_sections, count_by_region, ranked_items
from bot.concerns import find_concerns
from bot.content import Attachment, Reply, Section, section, to_csv
from bot.parsing import Question
from bot.roles import Viewer
from bot.scope import NATIONAL, Scope, Unmatched, region_scope, resolve_scope
from bot.status import counts_line, in_scope
from bot.wording import deadline_phrase, plural, when
from intake.chasing.ladder import contact_problems
from store import picture, queries
from store.collection import Collection
from store.context import Context
from store.db import Database
from store.picture import Tally

NATIONAL_NAME = "national"
TOP = 3             # items needing attention on the digest's first screen
EVIDENCE = 2        # evidence lines for each
NAMED = 10          # places named nationally before "and N more"


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


def _day_before(collection: Collection, since: datetime, now: datetime) -> str:
    """'yesterday', or the day of the last digest after a weekend ('Fri')."""
    then, today = collection.local(since).date(), collection.local(now).date()
    return "yesterday" if (today - then).days == 1 else f"{collection.local(since):%a}"


def build_digest(db: Database, collection: Collection, now: datetime,
                 scope: str | Scope, *, standing: bool = True) -> Reply:
    """The digest for 'national' or a region, as of `now` (the collection clock): the headline
    and its movement, the top items needing attention, new returns, and (with `standing`) who
    needs fixing and who has sent nothing. A day without change is one line, no sections."""
    scope = digest_scope(scope) if isinstance(scope, str) else scope
    since = previous_digest_time(collection, now)
    states = in_scope(picture.standings(db), scope)
    codes = {row["la_code"] for row in states}
    history = versions(db)
    today, before = tally(history, codes, None), tally(history, codes, since)
    new = [v for v in history if v.la_code in codes and v.received_at > since]
    where = "England" if scope.kind == "national" else scope.name
    local = collection.local(now)
    head = f"Daily digest for {where}, {local:%a} {local.day} {local:%b}: "
    if today == before and not new:
        return Reply(f"{head}{today.line()}; nothing has changed since "
                     f"{when(since.isoformat(), collection)}; {deadline_phrase(collection, now)}")
    title = (f"{head}{today.line()} ({today.valid - before.valid:+d} valid since "
             f"{_day_before(collection, since, now)}); "
             f"{deadline_phrase(collection, now)}")
    national = scope.kind == "national"
    parts = [Section("Returns", (counts_line(states), _change(today, before, since,
                                                               collection)))]
    parts += _attention(db, collection, now, states, {v.la_code for v in new}, national)
    if new:
        parts.append(_new_returns(new, states, national))
    if not standing:
        return Reply(title, tuple(parts))
    missing = [row for row in states if not picture.has_valid_return(row["status"])]
    # One pass over the contacts serves both the section and the CSV.
    problems = contact_problems(db, collection, now, [row["la_code"] for row in missing])
    parts += _not_valid(collection, now, states, problems, national)
    attachment = _missing_csv(missing, problems) if national and missing else None
    return Reply(title, tuple(parts), attachment=attachment)


def _change(today: Tally, before: Tally, since: datetime, collection: Collection) -> str:
    if today == before:
        return f"Nothing has changed since {when(since.isoformat(), collection)}."
    return f"Since {when(since.isoformat(), collection)}: {today.change_since(before)}"


def _attention(db: Database, collection: Collection, now: datetime, states: list[Mapping],
               fresh: set[str], national: bool) -> list[Section]:
    """The top items by severity, and which places have new concerns since yesterday."""
    scope_groups: dict[str, set[str]] = defaultdict(set)
    for row in states:
        scope_groups[row["region"]].add(row["la_code"])
    report = find_concerns(collection, now, states, queries.counting_answers(db),
                           queries.counting_texts(db), groups=scope_groups)
    items = ranked_items(report, national=national)
    if not items:
        return []
    parts = [Section("Needs attention first"),
             *attention_sections(items, TOP, EVIDENCE, "ask `concerns` for all of them")]
    places = [p.la_name for p in report.places
              if p.la_code in fresh and p.spoken]
    if places:
        parts.append(Section(f"New concerns ({len(places)})", (_names(places, national),)))
    return parts


def _new_returns(new: list[Version], states: list[Mapping], national: bool) -> Section:
    names = {row["la_code"]: row["la_name"] for row in states}
    regions = {row["la_code"]: row["region"] for row in states}
    heading = f"New returns ({len(new)})"
    if national:
        return section(heading, (count_by_region(regions[v.la_code] for v in new),))
    return section(heading, ("; ".join(f"{names[v.la_code]} ({picture.status_words(v.status)}, "
                                       f"{v.ref})" for v in new),))


def _not_valid(collection: Collection, now: datetime, states: list[Mapping],
               problems: Mapping[str, str], national: bool) -> list[Section]:
    """Who needs fixing and who has sent nothing: names for a region, counts nationally;
    `problems` are the contact problems of the LAs without a valid return."""
    fixing = [row for row in states
              if row["status"] in (picture.NEEDS_FIXING, picture.LETTER_MISSING)]
    silent = [row for row in states if row["status"] == picture.NOT_RECEIVED]
    if not fixing and not silent:
        return [Section("No valid return", ("Every LA has a valid return.",))]
    parts = []
    if fixing:
        parts.append(section(f"Needs fixing or letter missing ({len(fixing)})", (
            count_by_region(row["region"] for row in fixing) if national else
            "; ".join(f"{row['la_name']} ({picture.status_words(row['status'])}, "
                      f"{row['message_ref']})" for row in fixing),)))
    if silent:
        parts.append(section(
            f"Not received ({len(silent)}, {picture.lateness(collection, now)})",
            (count_by_region(row["region"] for row in silent),) if national else
            (", ".join(row["la_name"] for row in silent), _chased(silent, collection))))
    problems = {row["la_code"]: problems[row["la_code"]] for row in fixing + silent
                if row["la_code"] in problems}     # in the order the sections list them
    if problems:
        heading = f"Cannot be chased: no contact ({len(problems)})"
        parts.append(Section(heading, (
            f"{plural(len(problems), 'LA')} with no valid return have no contact to chase: "
            "see the contact_problem column of the attached file.",) if national else
            _by_reason(problems, {row["la_code"]: row["la_name"] for row in states})))
    if national:
        parts.append(Section("", ("Names and states of every LA without a valid return: "
                                  "attached as CSV.",)))
    return parts


def _names(names: list[str], national: bool) -> str:
    if national and len(names) > NAMED:
        return f"{', '.join(names[:NAMED])} and {len(names) - NAMED} more"
    return ", ".join(names)


def _chased(rows: list[Mapping], collection: Collection) -> str:
    chased = [row["last_chased"] for row in rows if row["last_chased"]]
    if not chased:
        return "None chased yet."
    return (f"{len(chased)} of {len(rows)} chased, last {when(max(chased), collection)}; "
            "`missing` shows each.")


def _by_reason(problems: Mapping[str, str], names: Mapping[str, str]) -> tuple[str, ...]:
    """'no contact on file: Camden, Hackney', one line per reason."""
    reasons: dict[str, list[str]] = defaultdict(list)
    for code, reason in problems.items():
        reasons[reason].append(names[code])
    return tuple(f"{reason}: {', '.join(las)}" for reason, las in reasons.items())


def _missing_csv(missing: list[Mapping], problems: Mapping[str, str]) -> Attachment:
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
