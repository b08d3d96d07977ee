"""The bot's HTTP side at BOT_HOST:BOT_PORT: `GET /healthz` always (for a PaaS or a load
balancer, and a newcomer's curl), `/slack/events` when the Slack credentials are set."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_app
from bot.scheduler import Scheduler, load_digest_channels
from store.collection import Collection
from store.db import open_db
from store.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
BOLT_APP = web.AppKey("bolt_app", AsyncApp)
SETTINGS = web.AppKey("settings", Settings)


def build_web_app(bolt: AsyncApp | None, settings: Settings) -> web.Application:
    """The aiohttp application: the health check, and Slack's requests when `bolt` is given."""
    web_app = web.Application()
    web_app[SETTINGS] = settings
    web_app.router.add_get(HEALTH_PATH, _health)
    if bolt is not None:
        web_app[BOLT_APP] = bolt
        web_app.router.add_post(EVENTS_PATH, _events)
    return web_app


async def _health(request: web.Request) -> web.Response:
    """200 when the store answers; 503 (and why) when it does not."""
    settings = request.app[SETTINGS]
    try:
        await asyncio.to_thread(_store_answers, settings)
    except sqlite3.Error as error:
        log.warning("health check: the store does not answer: %s", error)
        return web.json_response({"status": "unavailable", "store": str(error)}, status=503)
    return web.json_response({"status": "ok", "slack": BOLT_APP in request.app})


def _store_answers(settings: Settings) -> None:
    db = open_db(settings.returns_db, migrate=False)
    try:
        db.execute("SELECT COUNT(*) FROM authorities").fetchone()
    finally:
        db.close()


async def _events(request: web.Request) -> web.Response:
    bolt = request.app[BOLT_APP]
    bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)


async def serve(settings: Settings, collection: Collection) -> None:
    """Listen at BOT_HOST:BOT_PORT and run the scheduler (digests only with Slack), until
    cancelled."""
    db = open_db(settings.returns_db)
    client, bolt, channels = None, None, []
    if settings.slack_enabled:
        bolt = build_app(settings, collection, db)
        client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        channels = load_digest_channels(settings.digest_channels)
    runner = web.AppRunner(build_web_app(bolt, settings))
    await runner.setup()
    stop = asyncio.Event()
    schedule = asyncio.create_task(Scheduler(settings, collection, client, channels).run(stop))
    try:
        await web.TCPSite(runner, settings.bot_host, settings.bot_port).start()
        host, port = runner.addresses[0][:2]
        slack = f", Slack at http://{host}:{port}{EVENTS_PATH}" if bolt else ""
        print(f"bot listening: health check at http://{host}:{port}{HEALTH_PATH}{slack}; "
              f"{'digests and ' if bolt else ''}chasers scheduled", flush=True)
        await asyncio.Event().wait()
    finally:
        stop.set()
        await schedule
        await runner.cleanup()
        db.close()
