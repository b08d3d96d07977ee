"""The bot process's scheduler: each morning's digests, and the chase slots, by the collection
clock (`settings.now()`, RETURNS_NOW in tests and demos).

At start and then every minute: a digest due (the digest time on a working day) and not yet
posted today is claimed, then posted; a chase slot due and not yet run is run. Claims live in
the store (store.schedule_log) inside BEGIN IMMEDIATE transactions, so two bot processes or a
restart never post twice. A failed post gives its claim back, to be retried next minute.
Database work and the chart run in worker threads with their own connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.announce import announcement, claim_unannounced
from bot.chart import digest_chart
from bot.chase_command import result_reply
from bot.content import Reply
from bot.digest import (
    NATIONAL_NAME,
    UnknownScope,
    build_digest,
    digest_day,
    digest_scope,
    scope_key,
)
from bot.render_slack import fallback_text, to_blocks
from bot.scope import Scope
from intake.chasing.run import ChaseResult, run_slot
from store.collection import Collection
from store.db import Database, open_db
from store.schedule_log import claim_digest, release_digest
from store.settings import Settings

if TYPE_CHECKING:   # the client is the caller's: `bot digest --print` never loads slack_sdk
    from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
T = TypeVar("T")
# Digests and chase slots are claimed, so a short tick costs a few queries and lets held mail be
# announced within seconds of arriving.
TICK_SECONDS = 10.0


@dataclass(frozen=True)
class DigestChannel:
    """Where one scope's digest goes."""

    scope: Scope
    channel: str

    @property
    def key(self) -> str:
        return scope_key(self.scope)


@dataclass(frozen=True)
class DigestOutcome:
    key: str
    channel: str
    posted: bool


def load_digest_channels(path: Path | None) -> list[DigestChannel]:
    """Read the `scope,channel_id` CSV; unknown scopes are logged and skipped."""
    if path is None:
        return []
    channels = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            scope, channel = (row.get("scope") or "").strip(), (row.get("channel_id") or "").strip()
            if not channel:
                continue
            try:
                channels.append(DigestChannel(digest_scope(scope), channel))
            except UnknownScope as error:
                log.warning("DIGEST_CHANNELS: skipping %s: %s", channel, error)
    return channels


def digest_due(collection: Collection, now: datetime) -> bool:
    """True from the digest time on a working day."""
    local = collection.local(now)
    return collection.is_working_day(local.date()) and local.time() >= collection.digest_time


async def in_worker(settings: Settings, fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(db, *args)` in a thread with its own connection to the store."""
    def call() -> T:
        db = open_db(settings.returns_db, migrate=False)
        try:
            return fn(db, *args)
        finally:
            db.close()
    return await asyncio.to_thread(call)


def digest_content(db: Database, collection: Collection, now: datetime,
                   scope: Scope) -> tuple[Reply, bytes | None]:
    """The digest and, for the national one, its chart."""
    reply = build_digest(db, collection, now, scope)
    chart = digest_chart(db, collection, now) if scope.kind == "national" else None
    return reply, chart


async def post_digest(client: AsyncWebClient, channel: str, reply: Reply,
                      chart: bytes | None) -> None:
    """Post the digest as Block Kit, then its chart and CSV in one upload."""
    await client.chat_postMessage(channel=channel, text=fallback_text(reply),
                                  blocks=to_blocks(reply))
    uploads: list[dict[str, Any]] = []
    if chart is not None:
        uploads.append({"file": chart, "filename": "digest_chart.png",
                        "title": "Returns over time and by region"})
    uploads += [{"content": f.content, "filename": f.filename, "title": f.title or f.filename}
                for f in reply.uploads]
    if uploads:
        await client.files_upload_v2(channel=channel, file_uploads=uploads)


async def publish_digest(settings: Settings, collection: Collection, client: AsyncWebClient,
                         target: DigestChannel, now: datetime, *,
                         force: bool = False) -> DigestOutcome:
    """Claim today's digest for `target` and post it; not posted when already claimed."""
    day = digest_day(collection, now)
    claimed = await in_worker(settings, _claim, target.key, day, target.channel, now, force)
    if not claimed:
        return DigestOutcome(target.key, target.channel, False)
    try:
        reply, chart = await in_worker(settings, digest_content, collection, now, target.scope)
        await post_digest(client, target.channel, reply, chart)
    except Exception:
        await in_worker(settings, _release, target.key, day)
        raise
    log.info("posted the %s digest for %s to %s", target.key, day, target.channel)
    return DigestOutcome(target.key, target.channel, True)


def _claim(db: Database, key: str, day: date, channel: str, now: datetime, force: bool) -> bool:
    return claim_digest(db, key, day, channel, now, force=force)


def _release(db: Database, key: str, day: date) -> None:
    release_digest(db, key, day)


def _run_slot_once(db: Database, settings: Settings, collection: Collection,
                   now: datetime) -> ChaseResult | None:
    return run_slot(db, settings, collection, now, once=True)


class Scheduler:
    """Posts due digests and runs due chase slots, every `interval` seconds until stopped."""

    def __init__(self, settings: Settings, collection: Collection,
                 client: AsyncWebClient | None, channels: list[DigestChannel], *,
                 interval: float = TICK_SECONDS) -> None:
        """`client` may be None with no channels (Slack off): then only chasers run."""
        self.settings = settings
        self.collection = collection
        self.client = client
        self.channels = channels
        self.interval = interval

    async def run(self, stop: asyncio.Event) -> None:
        """Tick at once, then every interval, until `stop` is set; a failed tick is logged."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed; retrying at the next tick")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)

    async def tick(self) -> list[DigestOutcome]:
        """One round: the due digests (each channel on its own), then the due chase slot."""
        now = self.settings.now()
        outcomes = []
        if digest_due(self.collection, now) and self.client is not None:
            for target in self.channels:
                try:
                    outcomes.append(await publish_digest(self.settings, self.collection,
                                                         self.client, target, now))
                except Exception:
                    log.exception("could not post the %s digest to %s", target.key,
                                  target.channel)
        await self.chase(now)
        await self.announce()
        return outcomes

    @property
    def national_channel(self) -> str | None:
        return next((c.channel for c in self.channels if c.key == NATIONAL_NAME), None)

    async def announce(self) -> int:
        """Announce newly quarantined mail in the national channel; returns how many."""
        channel = self.national_channel
        if channel is None or self.client is None:
            return 0
        rows = await in_worker(self.settings, claim_unannounced)
        for row in rows:
            reply = announcement(row, self.collection)
            await self.client.chat_postMessage(channel=channel, text=fallback_text(reply),
                                               blocks=to_blocks(reply))
        return len(rows)

    async def chase(self, now: datetime) -> ChaseResult | None:
        """Run the slot due at `now` unless anyone ran it; report it in the national channel."""
        result = await in_worker(self.settings, _run_slot_once, self.settings,
                                 self.collection, now)
        if result is None:
            return None
        log.info("chase slot %s: %d queued, %d without contact", result.slot and result.slot.day,
                 len(result.queued), len(result.no_contact))
        channel = self.national_channel
        if channel is not None and self.client is not None:
            reply = result_reply(result, "England")
            await self.client.chat_postMessage(channel=channel, text=fallback_text(reply),
                                               blocks=to_blocks(reply))
        return result
