"""`status` and `missing` answers: counts by region, an LA's versions, the LAs without a valid return."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from bot.content import Attachment, Reply, Section, section, to_csv
from bot.scope import Scope
from bot.wording import deadline_phrase, plural, when
from store import picture, queries
from store.changes import changes_between
from store.collection import Collection
from store.context import Context


def in_scope(states: Iterable[Mapping], scope: Scope) -> list[Mapping]:
    return [row for row in states if scope.covers(row["la_code"])]


def counts_line(rows: list[Mapping]) -> str:
    """'75 of 151 returned: 54 valid, 15 need fixing, 6 letter missing; 76 not received'."""
    return picture.tally_rows(rows).line()


def status_reply(ctx: Context, scope: Scope) -> Reply:
    """Counts for England or a region; versions and figures for one LA."""
    if scope.kind == "la":
        return authority_status_reply(ctx, next(iter(scope.la_codes)))
    rows = in_scope(picture.standings(ctx.db), scope)
    where = "" if scope.kind == "national" else f"{scope.name}: "
    title = f"{where}{counts_line(rows)}; {deadline_phrase(ctx.collection, ctx.now)}"
    overall = Section(scope.name, (counts_line(rows),))
    if scope.kind == "national":
        return Reply(title, (overall, section("By region", _by_region(rows))))
    return Reply(title, (overall, *_state_sections(rows, ctx.collection)))


def _by_region(rows: list[Mapping]) -> list[str]:
    regions: dict[str, list[Mapping]] = defaultdict(list)
    for row in rows:
        regions[row["region"]].append(row)
    return [f"{region}: {counts_line(members)}" for region, members in sorted(regions.items())]


def _state_sections(rows: list[Mapping], collection: Collection) -> list[Section]:
    parts = []
    for state, heading in picture.STATUS_WORDS.items():
        members = [row for row in rows if row["status"] == state]
        if members:
            parts.append(section(f"{heading.capitalize()} ({len(members)})",
                                 (_la_line(row, collection) for row in members)))
    return parts


def _la_line(row: Mapping, collection: Collection) -> str:
    if not row["version"]:
        return row["la_name"]
    return (f"{row['la_name']}: version {row['version']} of {row['versions']}, "
            f"{when(row['received_at'], collection)}, {row['message_ref']}")


def authority_status_reply(ctx: Context, la_code: str) -> Reply:
    """One LA: each version with its status and problems, key figures, changes between versions."""
    state = next(row for row in picture.standings(ctx.db) if row["la_code"] == la_code)
    versions = queries.authority_versions(ctx.db, la_code)
    if not versions:
        return Reply(f"{state['la_name']} ({state['region']}): nothing received yet; "
                     f"{picture.lateness(ctx.collection, ctx.now)}",
                     (Section("", (_chased(state, ctx.collection),)),))
    title = (f"{state['la_name']} ({state['region']}): {picture.status_words(state['status'])}, "
             f"version {state['version']} of {len(versions)} counts")
    parts = [_version_section(v, ctx.collection) for v in versions]
    counting = next(v for v in versions if v["id"] == state["submission_id"])
    parts.append(_figures_section(ctx, counting))
    for older, newer in zip(versions, versions[1:], strict=False):
        changes = changes_between(ctx.db, older["id"], newer["id"])
        if changes:
            parts.append(section(f"Changes from version {older['version']} to {newer['version']}",
                                 (str(change) for change in changes)))
    return Reply(title, tuple(parts))


def _version_section(version: Mapping, collection: Collection) -> Section:
    words = picture.status_words(version["status"])
    heading = (f"Version {version['version']}: {words}, received "
               f"{when(version['received_at'], collection)} ({version['message_ref']}, "
               f"{version['template_file'] or 'no template file'})")
    lines = [f"{'Error' if f['severity'] == 'error' else 'Query'}"
             f"{' ' + f['action'] if f['action'] else ''}"
             f"{' (' + f['cell'] + ')' if f['cell'] else ''}: {f['text']}"
             for f in version["findings"]]
    return Section(heading, tuple(lines) or ("No problems found",))


def _figures_section(ctx: Context, counting: Mapping) -> Section:
    total = counting["total_care_homes"]
    lines = [f"Total CQC registered care homes: {total if total is not None else 'not given'}"]
    answers = {row["action"]: row for row in ctx.db.query(
        "SELECT * FROM answers WHERE submission_id = ? ORDER BY action", [counting["id"]])}
    for action in ctx.collection.actions:
        row = answers.get(action.code)
        if row is None:
            lines.append(f"{action.code} {action.label}: not answered")
            continue
        lines.append(f"{action.code} {action.label}: {_coverage(row, total)}{_support(row)}")
    return Section(f"Key figures (version {counting['version']})", tuple(lines))


def _coverage(row: Mapping, total: int | None) -> str:
    homes = row["homes_in_place"]
    if homes is None:
        written = (row["raw_homes_in_place"] or "").strip()
        return f"not a number (written “{written}”)" if written else "blank"
    if total:
        return f"{homes} of {total} ({homes / total:.0%})"
    return str(homes)


def _support(row: Mapping) -> str:
    if row["support_needed"] != "yes":
        return ""
    return f"; support wanted: {row['support_description'] or 'yes'}"


def missing_reply(ctx: Context, scope: Scope) -> Reply:
    """LAs in `scope` with no valid return: state, lateness, last chased; national also as CSV."""
    rows = in_scope(picture.standings(ctx.db), scope)
    missing = [row for row in rows if not picture.has_valid_return(row["status"])]
    where = "" if scope.kind == "national" else f" in {scope.name}"
    late = picture.lateness(ctx.collection, ctx.now)
    title = (f"{len(missing)} of {plural(len(rows), 'LA')}{where} have no valid return: "
             f"{picture.tally_rows(missing).missing_line()} ({late})")
    if not missing:
        return Reply(f"Every LA{where} has a valid return.")
    lines = {row["la_code"]: _missing_line(row, ctx.collection, late) for row in missing}
    if scope.kind != "national":
        return Reply(title, (section("", lines.values()),))
    regions: dict[str, list[str]] = defaultdict(list)
    for row in missing:
        regions[row["region"]].append(lines[row["la_code"]])
    parts = tuple(section(f"{region} ({len(items)})", items)
                  for region, items in sorted(regions.items()))
    return Reply(title, parts, attachment=_missing_csv(missing, ctx.collection, late))


def _missing_line(row: Mapping, collection: Collection, late: str) -> str:
    state = picture.status_words(row["status"])
    if row["version"]:
        state += f" (version {row['version']}, {row['message_ref']})"
    return f"{row['la_name']}: {state}; {late}; {_chased(row, collection)}"


def _chased(row: Mapping, collection: Collection) -> str:
    if not row["last_chased"]:
        return "not chased yet"
    return f"last chased {when(row['last_chased'], collection)}"


def _missing_csv(rows: list[Mapping], collection: Collection, late: str) -> Attachment:
    text = to_csv(
        ("la_code", "la_name", "region", "state", "version", "message_ref", "lateness",
         "last_chased"),
        ((row["la_code"], row["la_name"], row["region"], picture.status_words(row["status"]),
          row["version"], row["message_ref"], late, row["last_chased"]) for row in rows))
    return Attachment("missing_returns.csv", text, "LAs with no valid return")
