"""Concerns from the counting returns: per place (low coverage, support asked, issues raised,
invalid, late or missing return) and thematic per region, each with its evidence.

Pure functions over rows from `store.queries`, so the same logic serves the bot and the digest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection as Codes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from store import picture
from store.collection import Collection

QUOTE_LIMIT = 200


@dataclass(frozen=True)
class Concern:
    """One thing worth a look in one LA, in plain words with where it came from."""

    kind: str                   # 'low' | 'support' | 'issue' | 'return' | 'missing'
    action: str | None
    text: str


@dataclass(frozen=True)
class PlaceConcerns:
    la_code: str
    la_name: str
    region: str
    items: tuple[Concern, ...]


@dataclass(frozen=True)
class ThematicConcern:
    """An action that is low in, or asked for support by, enough LAs of one region."""

    region: str
    action: str
    label: str
    la_names: tuple[str, ...]
    threshold: int
    region_las: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ConcernReport:
    places: tuple[PlaceConcerns, ...]
    thematic: tuple[ThematicConcern, ...]


def thematic_threshold(collection: Collection, region_las: int) -> int:
    """At least `thematic_min_las` LAs, or a quarter of the region's, whichever is fewer."""
    limits = collection.thresholds
    return max(1, min(limits.thematic_min_las, math.ceil(limits.thematic_fraction * region_las)))


def find_concerns(
    collection: Collection,
    now: datetime,
    states: Iterable[Mapping],
    answers: Iterable[Mapping],
    texts: Iterable[Mapping] = (),
    *,
    groups: Mapping[str, Codes[str]] | None = None,
    actions: Codes[str] | None = None,
) -> ConcernReport:
    """Concerns for the LAs in `states`; thematic ones for each group (region name -> LA codes).

    `actions` limits the report to a theme's actions (return and free-text concerns are left out).
    """
    states = list(states)
    labels = {action.code: action.label for action in collection.actions}
    low = collection.thresholds.low_coverage
    by_la: dict[str, list[Concern]] = defaultdict(list)
    for row in answers:
        by_la[row["la_code"]].extend(_answer_concerns(labels, low, row))
    if actions is None:
        for row in texts:
            by_la[row["la_code"]].extend(_text_concerns(row))
        for state in states:
            by_la[state["la_code"]].extend(_return_concerns(collection, now, state))
    else:
        by_la = {code: [c for c in items if c.action in actions] for code, items in by_la.items()}
    places = tuple(
        PlaceConcerns(s["la_code"], s["la_name"], s["region"], tuple(by_la[s["la_code"]]))
        for s in states if by_la.get(s["la_code"])
    )
    names = {s["la_code"]: s["la_name"] for s in states}
    thematic = tuple(
        concern
        for region, codes in (groups or {}).items()
        for concern in _thematic(collection, region, codes, names, by_la)
    )
    return ConcernReport(places, thematic)


def _answer_concerns(labels: Mapping[str, str], low: float, row: Mapping) -> list[Concern]:
    code, total, homes = row["action"], row["total_care_homes"], row["homes_in_place"]
    source = _source(row)
    found = []
    if total and homes is not None and homes / total < low:
        found.append(Concern("low", code, f"{code} {labels.get(code, code)}: in place in "
                             f"{homes} of {total} homes ({homes / total:.0%}) [{source}]"))
    if row["support_needed"] == "yes":
        wanted = _quote(row["support_description"]) or "no description given"
        found.append(Concern("support", code, f"{code} asks for support: {wanted} [{source}]"))
    if (row["issues"] or "").strip():
        found.append(Concern("issue", code, f"{code} issue raised: {_quote(row['issues'])} "
                             f"[{source}]"))
    return found


def _text_concerns(row: Mapping) -> list[Concern]:
    source = ", ".join(part for part in (row["message_ref"], row["template_file"]) if part)
    found = []
    if (row["support_benefit"] or "").strip():
        found.append(Concern("support", None, f"Support that would help: "
                             f"{_quote(row['support_benefit'])} [{source}]"))
    if (row["regional_issues"] or "").strip():
        found.append(Concern("issue", None, f"Issues for regional and national teams: "
                             f"{_quote(row['regional_issues'])} [{source}]"))
    return found


def _return_concerns(collection: Collection, now: datetime, state: Mapping) -> list[Concern]:
    status, ref = state["status"], state["message_ref"]
    words = picture.status_words(status)
    if status == picture.NEEDS_FIXING:
        problem = (state["problems"] or "").splitlines()[:1]
        detail = f": {problem[0]}" if problem else ""
        return [Concern("return", None, f"Return: {words} (version {state['version']}, {ref})"
                                        f"{detail}")]
    if status == picture.LETTER_MISSING:
        return [Concern("return", None, f"Return: {words} (version {state['version']}, {ref})")]
    if status == picture.NOT_RECEIVED:
        late = collection.working_days_late(now)
        if late:
            return [Concern("missing", None, f"{words.capitalize()}: {late} working days late")]
        return []
    late = collection.working_days_late(datetime.fromisoformat(state["first_received_at"]))
    if late:
        return [Concern("return", None, f"First return arrived {late} working days late")]
    return []


def _thematic(collection: Collection, region: str, codes: Codes[str],
              names: Mapping[str, str], by_la: Mapping[str, list[Concern]]
              ) -> list[ThematicConcern]:
    threshold = thematic_threshold(collection, len(codes))
    weak: dict[str, dict[str, list[Concern]]] = defaultdict(dict)
    for code in codes:
        for concern in by_la.get(code, ()):
            if concern.kind in ("low", "support") and concern.action:
                weak[concern.action].setdefault(code, []).append(concern)
    found = []
    for action in collection.action_codes:
        places = weak.get(action, {})
        if len(places) >= threshold:
            found.append(ThematicConcern(
                region, action, collection.action(action).label,
                tuple(sorted(names.get(code, code) for code in places)), threshold, len(codes),
                tuple(f"{names.get(code, code)}: {c.text}"
                      for code, items in sorted(places.items(), key=lambda p: names.get(p[0], ""))
                      for c in items),
            ))
    return found


def _source(row: Mapping) -> str:
    where = " ".join(part for part in (row["template_file"], row["cell"]) if part)
    return ", ".join(part for part in (row["message_ref"], where) if part)


def _quote(text: str | None) -> str:
    text = " ".join((text or "").split())
    if not text:
        return ""
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1] + "…"
    return f"“{text}”"
