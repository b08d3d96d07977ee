"""Concerns from the counting returns: per place (low coverage, support asked, issues raised,
invalid, late or missing return) and thematic per region, each with its evidence and severity.

Severity is in points a person can follow: an action below the coverage threshold scores up to
4 for how far below it is and one per 20 homes it is short (up to 5); support asked scores 2,
an issue raised 1, an invalid return 3 (incomplete 2), nothing received 3 plus one per working
day late. A place's severity is the sum of its concerns; a thematic concern's is the sum of the
concerns on that action across the region, so a theme weak in many places ranks high.

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
from store.collection import Action, Collection

QUOTE_LIMIT = 200
GAP_POINTS = 4.0            # an action at 0% of homes, against the threshold
HOMES_POINTS = 5.0          # the most a count of homes short of the threshold adds
HOMES_PER_POINT = 20        # homes short of the threshold per point
POINTS = {"support": 2.0, "issue": 1.0, "invalid": 3.0, "incomplete": 2.0, "missing": 3.0,
          "late": 1.0}


@dataclass(frozen=True)
class Concern:
    """One thing worth a look in one LA, in plain words with where it came from."""

    kind: str                   # 'low' | 'support' | 'issue' | 'return' | 'missing'
    action: str | None
    text: str
    severity: float = 0.0


@dataclass(frozen=True)
class PlaceConcerns:
    la_code: str
    la_name: str
    region: str
    items: tuple[Concern, ...]

    @property
    def severity(self) -> float:
        return sum(item.severity for item in self.items)

    @property
    def spoken(self) -> bool:
        """Whether it has a concern beyond nothing received."""
        return any(item.kind != "missing" for item in self.items)

    def worst(self) -> list[Concern]:
        """Its concerns, most severe first."""
        return sorted(self.items, key=lambda item: -item.severity)


@dataclass(frozen=True)
class ThematicConcern:
    """An action that is low in, or asked for support by, enough LAs of one region."""

    region: str
    action: Action
    la_names: tuple[str, ...]
    threshold: int
    region_returns: int
    evidence: tuple[str, ...]           # most severe first
    severity: float = 0.0


@dataclass(frozen=True)
class ConcernReport:
    places: tuple[PlaceConcerns, ...]       # most severe first
    thematic: tuple[ThematicConcern, ...]   # most severe first


def thematic_threshold(collection: Collection, region_returns: int) -> int:
    """How many LAs must be weak on an action for a thematic concern: the collection's share
    of the region's returns, and never fewer than `thematic_min_las`."""
    limits = collection.thresholds
    return max(limits.thematic_min_las, math.ceil(limits.thematic_share * region_returns))


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
    answered: set[str] = set()
    for row in answers:
        answered.add(row["la_code"])
        by_la[row["la_code"]].extend(_answer_concerns(labels, low, row))
    if actions is None:
        for row in texts:
            by_la[row["la_code"]].extend(_text_concerns(row))
        for state in states:
            by_la[state["la_code"]].extend(_return_concerns(collection, now, state))
    else:
        by_la = {code: [c for c in items if c.action in actions] for code, items in by_la.items()}
    places = sorted(
        (PlaceConcerns(s["la_code"], s["la_name"], s["region"], tuple(by_la[s["la_code"]]))
         for s in states if by_la.get(s["la_code"])),
        key=lambda place: (-place.severity, place.la_name))
    names = {s["la_code"]: s["la_name"] for s in states}
    thematic = sorted(
        (concern
         for region, codes in (groups or {}).items()
         for concern in _thematic(collection, region, codes, names, by_la,
                                  len(answered.intersection(codes)))),
        key=lambda item: (-item.severity, item.region, item.action.code))
    return ConcernReport(tuple(places), tuple(thematic))


def _answer_concerns(labels: Mapping[str, str], low: float, row: Mapping) -> list[Concern]:
    code, total, homes = row["action"], row["total_care_homes"], row["homes_in_place"]
    source = _source(row)
    found = []
    if total and homes is not None and homes / total < low:
        found.append(Concern("low", code, f"{code} {labels.get(code, code)}: in place in "
                             f"{homes} of {total} homes ({homes / total:.0%}) [{source}]",
                             low_severity(low, homes, total)))
    if row["support_needed"] == "yes":
        wanted = _quote(row["support_description"]) or "no description given"
        found.append(Concern("support", code, f"{code} asks for support: {wanted} [{source}]",
                             POINTS["support"]))
    if (row["issues"] or "").strip():
        found.append(Concern("issue", code, f"{code} issue raised: {_quote(row['issues'])} "
                             f"[{source}]", POINTS["issue"]))
    return found


def low_severity(low: float, homes: int, total: int) -> float:
    """Points for an action in place in `homes` of `total`, below the `low` share."""
    gap = (low - homes / total) / low
    short = max(0, math.ceil(low * total) - homes)
    return round(GAP_POINTS * gap + min(HOMES_POINTS, short / HOMES_PER_POINT), 1)


def _text_concerns(row: Mapping) -> list[Concern]:
    source = ", ".join(part for part in (row["message_ref"], row["template_file"]) if part)
    found = []
    if (row["support_benefit"] or "").strip():
        found.append(Concern("support", None, f"Support that would help: "
                             f"{_quote(row['support_benefit'])} [{source}]", POINTS["issue"]))
    if (row["regional_issues"] or "").strip():
        found.append(Concern("issue", None, f"Issues for regional and national teams: "
                             f"{_quote(row['regional_issues'])} [{source}]", POINTS["issue"]))
    return found


def _return_concerns(collection: Collection, now: datetime, state: Mapping) -> list[Concern]:
    status, ref = state["status"], state["message_ref"]
    words = picture.status_words(status)
    if status == picture.NEEDS_FIXING:
        problem = (state["problems"] or "").splitlines()[:1]
        detail = f": {problem[0]}" if problem else ""
        return [Concern("return", None, f"Return: {words} (version {state['version']}, {ref})"
                                        f"{detail}", POINTS["invalid"])]
    if status == picture.LETTER_MISSING:
        return [Concern("return", None, f"Return: {words} (version {state['version']}, {ref})",
                        POINTS["incomplete"])]
    if status == picture.NOT_RECEIVED:
        late = collection.working_days_late(now)
        if late:
            return [Concern("missing", None, f"{words.capitalize()}: {late} working days late",
                            POINTS["missing"] + late)]
        return []
    late = collection.working_days_late(datetime.fromisoformat(state["first_received_at"]))
    if late:
        return [Concern("return", None, f"First return arrived {late} working days late",
                        POINTS["late"])]
    return []


def _thematic(collection: Collection, region: str, codes: Codes[str],
              names: Mapping[str, str], by_la: Mapping[str, list[Concern]],
              returns: int) -> list[ThematicConcern]:
    threshold = thematic_threshold(collection, returns)
    weak: dict[str, dict[str, list[Concern]]] = defaultdict(dict)
    for code in codes:
        for concern in by_la.get(code, ()):
            if concern.kind in ("low", "support") and concern.action:
                weak[concern.action].setdefault(code, []).append(concern)
    found = []
    for action in collection.action_codes:
        places = weak.get(action, {})
        if len(places) >= threshold:
            evidence = sorted(((names.get(code, code), c) for code, items in places.items()
                               for c in items), key=lambda pair: (-pair[1].severity, pair[0]))
            found.append(ThematicConcern(
                region, collection.action(action),
                tuple(sorted(names.get(code, code) for code in places)), threshold, returns,
                tuple(f"{name}: {c.text}" for name, c in evidence),
                round(sum(c.severity for _, c in evidence), 1),
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
