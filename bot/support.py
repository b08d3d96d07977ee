"""Who asked for support, and on what: the concerns of kind 'support', for a theme or all."""

from __future__ import annotations

from bot.concerns import find_concerns
from bot.content import Reply, section
from bot.scope import Scope
from bot.status import in_scope
from bot.wording import plural
from store import picture, queries
from store.context import Context


def support_reply(ctx: Context, scope: Scope, actions: frozenset[str] | None = None,
                  theme: str = "") -> Reply:
    """The LAs in `scope` that asked for support (on `actions` when given), with their words."""
    states = in_scope(picture.standings(ctx.db), scope)
    report = find_concerns(ctx.collection, ctx.now, states, queries.counting_answers(ctx.db),
                           queries.counting_texts(ctx.db), actions=actions)
    asked = [(place, [item for item in place.items if item.kind == "support"])
             for place in report.places]
    asked = [(place, items) for place, items in asked if items]
    about = f" on {theme} ({', '.join(sorted(actions))})" if actions else ""
    where = "England" if scope.kind == "national" else scope.name
    if not asked:
        return Reply(f"Nobody in {where} has asked for support{about} in the returns so far.")
    title = f"{plural(len(asked), 'LA')} in {where} asked for support{about}"
    return Reply(title, tuple(section(f"{place.la_name} ({place.region})",
                                      (item.text for item in items))
                              for place, items in asked))
