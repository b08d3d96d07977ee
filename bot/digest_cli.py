"""`python -m bot digest [--now ISO] [--print] [--force]`: post (or print) the digest now.

Posting obeys the scheduler's rule of one digest per scope a day (`--force` posts again);
`--print` prints the national and every region's digest and uses nothing up. With no Slack
token or no DIGEST_CHANNELS there is nowhere to post, so the digests are printed instead.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.digest import build_digest, digest_day, digest_scope
from bot.render_text import to_text
from bot.scheduler import DigestChannel, load_digest_channels, publish_digest
from intake.chase_cli import parse_now
from store.collection import Collection, load_collection
from store.db import open_db
from store.register import REGIONS
from store.settings import Settings


def digest_main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    """Post today's digests to DIGEST_CHANNELS (or print them); 0 unless Slack refuses."""
    parser = argparse.ArgumentParser(prog="python -m bot digest", description=__doc__)
    parser.add_argument("--now", help="ISO time to use as the collection clock")
    parser.add_argument("--print", action="store_true", dest="print_only",
                        help="print the national and regional digests; post nothing")
    parser.add_argument("--force", action="store_true",
                        help="post even if today's digest was already posted")
    args = parser.parse_args(argv)
    settings = settings or Settings()
    collection = load_collection(settings.collection)
    if args.now:
        try:
            now = parse_now(args.now, collection)
        except ValueError as error:
            parser.error(str(error))
        settings = settings.model_copy(update={"returns_now": now})
    open_db(settings.returns_db).close()    # create or migrate the store before posting
    channels = load_digest_channels(settings.digest_channels)
    if args.print_only or not (settings.slack_bot_token and channels):
        if not args.print_only:
            print("Nowhere to post (SLACK_BOT_TOKEN or DIGEST_CHANNELS unset): printing the "
                  "digests instead; nothing was posted.", file=sys.stderr)
        print(print_digests(settings, collection))
        return 0
    return asyncio.run(_post(settings, collection, channels, force=args.force))


def print_digests(settings: Settings, collection: Collection) -> str:
    """The national digest then each region's, as plain text."""
    db = open_db(settings.returns_db, migrate=False)
    try:
        now = settings.now()
        replies = [build_digest(db, collection, now, digest_scope(name))
                   for name in ("national", *REGIONS)]
    finally:
        db.close()
    return "\n\n".join(to_text(reply) for reply in replies)


async def _post(settings: Settings, collection: Collection, channels: list[DigestChannel],
                *, force: bool) -> int:
    # slack_sdk (and aiohttp under it) only to post: `--print` never loads them.
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    now = settings.now()
    day = digest_day(collection, now)
    failed = 0
    for target in channels:
        try:
            outcome = await publish_digest(settings, collection, client, target, now,
                                           force=force)
        except Exception as error:    # one channel's failure must not stop the others
            print(f"Could not post the {target.key} digest to {target.channel}: {error}",
                  file=sys.stderr)
            failed += 1
            continue
        if outcome.posted:
            print(f"Posted the {target.key} digest for {day:%a %d %b %Y} to {target.channel}.")
        else:
            print(f"The {target.key} digest for {day:%a %d %b %Y} was already posted; "
                  "nothing posted (use --force to post again).")
    return 1 if failed else 0
