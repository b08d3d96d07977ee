"""What changed since yesterday: the digest's movement (counts, new returns, new concerns)
for the asker's place, without its missing list."""

from __future__ import annotations

from bot.content import Reply
from bot.digest import build_digest, previous_digest_time
from bot.scope import Scope
from bot.wording import when
from store.context import Context


def changes_reply(ctx: Context, scope: Scope) -> Reply:
    """Counts and their change since the last digest time, new returns and new concerns."""
    if scope.kind == "la":
        return Reply(f"Changes are counted for England or a region; try `status {scope.name}` "
                     "for one LA's versions and what changed between them.")
    digest = build_digest(ctx.db, ctx.collection, ctx.now, scope, standing=False)
    since = when(previous_digest_time(ctx.collection, ctx.now).isoformat(), ctx.collection)
    where = "England" if scope.kind == "national" else scope.name
    if not digest.sections:
        return Reply(f"Nothing has changed in {where} since {since}.")
    return Reply(f"What changed in {where} since {since}", digest.sections)
