"""The Slack side: a slack-bolt AsyncApp served over aiohttp at /slack/events.

Bolt verifies signatures and timestamps (401, no listener runs). Events are acknowledged before
their listener runs; commands and button presses call `ack()` first. Answers are computed in
a worker thread with their own database connection, so the loop keeps acknowledging.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import seen
from bot.commands import answer
from bot.content import Reply
from bot.home import home_reply, home_view
from bot.render_slack import fallback_text, to_blocks
from bot.roles import Viewer, load_roles, viewer_for
from store.collection import Collection
from store.context import Context
from store.db import Database, open_db
from store.settings import Settings

log = logging.getLogger(__name__)

BUTTONS = re.compile(r"^(release_message|dismiss_message|chase_confirm|choose)(:\d+)?$")
APOLOGY = "Sorry, something went wrong while answering that. Please try again in a minute."


@dataclass(frozen=True)
class Services:
    """What the Slack listeners share: settings, the collection and who may ask."""

    settings: Settings
    collection: Collection
    roles: dict[str, Viewer]

    async def answer(self, text: str, viewer: Viewer) -> Reply:
        """The command layer's answer, computed off the loop with its own connection."""
        return await asyncio.to_thread(self._blocking, partial(answer, text), viewer)

    async def home(self, viewer: Viewer) -> Reply:
        """What the viewer's Home tab shows, computed off the loop."""
        return await asyncio.to_thread(self._blocking, home_reply, viewer)

    def _blocking(self, compute: Callable[[Viewer, Context], Reply], viewer: Viewer) -> Reply:
        db = open_db(self.settings.returns_db, migrate=False)
        try:
            return compute(viewer, Context(db, self.settings, self.collection))
        finally:
            db.close()


def build_app(settings: Settings, collection: Collection, db: Database) -> AsyncApp:
    """The bolt app with its listeners; `db` (the loop's own connection) remembers deliveries."""
    services = Services(settings, collection, load_roles(settings.bot_roles))
    app = AsyncApp(
        signing_secret=settings.slack_signing_secret,
        client=AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
    )
    app.use(_dedupe(db))
    _listen(app, services)
    return app


def _dedupe(db: Database) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def once(req: AsyncBoltRequest, resp: BoltResponse,
                   next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse | None:
        # Runs after bolt's signature check, so only genuine deliveries are remembered.
        if not seen.first_time(db, seen.delivery_key(req.body, req.raw_body)):
            log.info("duplicate Slack delivery ignored (retry %s)",
                     req.headers.get("x-slack-retry-num", ["-"])[0])
            return BoltResponse(status=200, body="")
        return await next()

    return once


def _listen(app: AsyncApp, services: Services) -> None:
    @app.event("app_mention")
    async def on_mention(event: dict, client: AsyncWebClient) -> None:
        viewer = viewer_for(event.get("user", ""), services.roles)
        reply = await services.answer(event.get("text", ""), viewer)
        await post(client, reply, channel=event["channel"], user=viewer.user_id,
                   thread_ts=event.get("thread_ts"), private_channel=False)

    @app.event("message")
    async def on_direct_message(event: dict, client: AsyncWebClient) -> None:
        if not seen.direct_message(event):
            return
        viewer = viewer_for(event.get("user", ""), services.roles)
        reply = await services.answer(event.get("text", ""), viewer)
        await post(client, reply, channel=event["channel"], user=viewer.user_id,
                   private_channel=True)

    @app.event("app_home_opened")
    async def on_home_opened(event: dict, client: AsyncWebClient) -> None:
        # Opened on the Messages tab, the Home tab is left as it is.
        if event.get("tab", "home") != "home":
            return
        viewer = viewer_for(event.get("user", ""), services.roles)
        reply = await services.home(viewer)
        await client.views_publish(user_id=viewer.user_id, view=home_view(reply))

    @app.command("/returns")
    async def on_command(ack, command: dict, respond, client: AsyncWebClient) -> None:
        await ack()
        viewer = viewer_for(command.get("user_id", ""), services.roles)
        reply = await services.answer(command.get("text") or "help", viewer)
        await respond_with(respond, client, reply, channel=command.get("channel_id"))

    @app.action(BUTTONS)
    async def on_button(ack, body: dict, action: dict, respond, client: AsyncWebClient) -> None:
        await ack()
        # A button's value is the command it stands for, so roles are checked as for text.
        viewer = viewer_for(body.get("user", {}).get("id", ""), services.roles)
        reply = await services.answer(action.get("value", ""), viewer)
        channel = (body.get("channel") or {}).get("id")
        await respond_with(respond, client, reply, channel=channel)

    @app.error
    async def on_error(error: Exception, body: dict, client: AsyncWebClient) -> None:
        log.exception("Slack listener failed", exc_info=error)
        event = body.get("event") or {}
        if event.get("channel"):
            await client.chat_postMessage(channel=event["channel"], text=APOLOGY)


async def post(client: AsyncWebClient, reply: Reply, *, channel: str, user: str,
               thread_ts: str | None = None, private_channel: bool) -> None:
    """Say `reply` in `channel`: ephemeral to `user` when asked for and others could see it."""
    text, blocks = fallback_text(reply), to_blocks(reply)
    if reply.ephemeral and not private_channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks,
                                        thread_ts=thread_ts)
        return
    await client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)
    await upload(client, reply, channel, thread_ts)


async def respond_with(respond, client: AsyncWebClient, reply: Reply, *,
                       channel: str | None) -> None:
    """Answer a slash command or a button through its response_url."""
    kind = "ephemeral" if reply.ephemeral else "in_channel"
    await respond(text=fallback_text(reply), blocks=to_blocks(reply), response_type=kind,
                  replace_original=False)
    if channel and not reply.ephemeral:
        await upload(client, reply, channel, None)


async def upload(client: AsyncWebClient, reply: Reply, channel: str,
                 thread_ts: str | None) -> None:
    """Send the reply's files, if any; a channel the bot is not in gets a note, not a crash."""
    if not reply.uploads:
        return
    try:
        await client.files_upload_v2(
            channel=channel, thread_ts=thread_ts,
            file_uploads=[{"content": f.content, "filename": f.filename,
                           "title": f.title or f.filename} for f in reply.uploads])
    except SlackApiError as error:
        log.warning("could not upload %s to %s: %s",
                    ", ".join(f.filename for f in reply.uploads), channel,
                    error.response.get("error"))
