"""`chase Leeds`, `chase missing London`: show who would be chased, then queue on confirmation.

The first answer is a preview with a Confirm button. The button's value is the command itself,
naming the LAs by GSS code and ending in `confirm` (e.g. `chase E08000035 confirm`), so it runs
through the same command layer and role checks as typed text; in a terminal, typing that text
confirms.
"""

from __future__ import annotations

import re

from bot.content import Button, Reply, Section, section
from bot.parsing import Question
from bot.roles import Viewer
from bot.scope import Scope, Unmatched, resolve_scope
from bot.wording import plural
from intake.chasing.run import ChaseResult, chase_now
from store import picture
from store.context import Context

CONFIRM_ACTION = "chase_confirm"
CONFIRM_WORD = "confirm"
GSS_CODE = re.compile(r"^e\d{8}$")


def chase_command(question: Question, user: Viewer, ctx: Context) -> Reply:
    """Preview the chasers for the named LA or region (default: the user's own area); with
    `confirm`, queue them (at most one on-demand chaser per LA per day)."""
    words = [word for word in question.words if word != CONFIRM_WORD]
    confirmed = len(words) < len(question.words)
    target = _target(words, user, ctx)
    if isinstance(target, Reply):
        return target
    name, codes = target
    if not user.national and not (user.home and codes <= user.home.la_codes):
        return Reply(f"You can chase LAs in {user.home.name if user.home else 'your area'} "
                     "only; please ask the national team.", ephemeral=True)
    result = chase_now(ctx.db, ctx.settings, ctx.collection, sorted(codes), user.user_id,
                       dry_run=not confirmed)
    if confirmed:
        return result_reply(result, name)
    return _preview(result, name)


def _target(words: list[str], user: Viewer, ctx: Context) -> tuple[str, frozenset[str]] | Reply:
    """(what to call the target, its LA codes), or the answer when nothing matches."""
    if words and all(GSS_CODE.match(word) for word in words):
        names = {row["la_code"].lower(): row["la_name"] for row in picture.standings(ctx.db)}
        codes = frozenset(word.upper() for word in words if word in names)
        if len(codes) == 1:
            return names[next(iter(codes)).lower()], codes
        return plural(len(codes), "LA"), codes
    if user.home is None:
        return Reply("Sorry, I can only answer people on the returns team's list.",
                     ephemeral=True)
    scope = resolve_scope(" ".join(words), user.home)
    if isinstance(scope, Unmatched):
        hint = f" Did you mean {', '.join(scope.suggestions)}?" if scope.suggestions else ""
        return Reply(f"I couldn't find a region or LA called “{scope.text}”.{hint}")
    return scope.name, _codes(scope, ctx)


def _codes(scope: Scope, ctx: Context) -> frozenset[str]:
    if scope.kind != "national":
        return scope.la_codes
    return frozenset(row["la_code"] for row in picture.standings(ctx.db))


def _preview(result: ChaseResult, name: str) -> Reply:
    parts = _lists(result, "Would chase")
    if not result.queued and result.no_contact:
        return Reply(f"Nobody in {name} can be chased now: "
                     f"{plural(len(result.no_contact), 'LA')} without a contact.", tuple(parts))
    if not result.queued:
        return Reply(f"Nobody to chase in {name} now.", tuple(parts))
    value = " ".join(["chase", *(c.state.la_code for c in result.queued), CONFIRM_WORD])
    return Reply(f"Chase {plural(len(result.queued), 'LA')} in {name}? Each gets one chaser "
                 "email saying what is missing or must be fixed.", tuple(parts),
                 buttons=(Button(f"Send {plural(len(result.queued), 'chaser')}",
                                 CONFIRM_ACTION, value, "primary"),))


def result_reply(result: ChaseResult, name: str) -> Reply:
    """What a chase did, for the bot (on demand) and the national channel (scheduled)."""
    title = f"Queued {plural(len(result.queued), 'chaser')}"
    if result.slot is not None:
        at = result.slot.at
        title += f" for the {at:%a} {at.day} {at:%b %H:%M} slot"
    title += f" in {name}."
    if result.no_contact:
        title += f" {plural(len(result.no_contact), 'LA')} cannot be chased: no contact."
    return Reply(title, tuple(_lists(result, "Chased")))


def _lists(result: ChaseResult, verb: str) -> list[Section]:
    parts = []
    if result.queued:
        parts.append(section(f"{verb} ({len(result.queued)})", (
            f"{c.state.la_name}: {c.problem}; To {', '.join(c.to)}"
            + (f"; Cc {', '.join(c.cc)}" if c.cc else "") for c in result.queued)))
    if result.already:
        parts.append(section(f"Already chased today ({len(result.already)})",
                             (c.state.la_name for c in result.already)))
    if result.no_contact:
        parts.append(section(f"No contact to chase ({len(result.no_contact)})",
                             (f"{n.state.la_name}: {n.reason}" for n in result.no_contact)))
    if result.valid:
        parts.append(Section("", (f"{plural(len(result.valid), 'LA')} already "
                                  f"{'has' if len(result.valid) == 1 else 'have'} a valid "
                                  "return and will not be chased.",)))
    return parts
