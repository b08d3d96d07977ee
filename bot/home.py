"""The bot's Home tab in Slack: the viewer's national or regional picture (the `status`
answer), published again each time the tab is opened."""

from __future__ import annotations

from bot.commands import EXAMPLES, REFUSAL
from bot.content import Reply, Section
from bot.render_slack import to_blocks
from bot.roles import Viewer
from bot.status import status_reply
from store.context import Context

HOME_BLOCKS = 100       # Slack's limit for a Home tab view


def home_reply(viewer: Viewer, ctx: Context) -> Reply:
    """The viewer's own area's status, with a few things to ask; a polite refusal for others."""
    if viewer.home is None:
        return Reply(REFUSAL)
    picture = status_reply(ctx, viewer.home)
    return Reply(picture.title, (*picture.sections, Section("Ask me", EXAMPLES[:4])))


def home_view(reply: Reply) -> dict:
    """A `views.publish` Home tab view showing `reply`."""
    return {"type": "home", "blocks": to_blocks(reply)[:HOME_BLOCKS]}
