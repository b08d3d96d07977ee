"""A bot process killed with SIGKILL in the middle of posting digests posts none twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from aiohttp import web

from tests.bot_helpers import SIGNING_SECRET, FakeSlack, add_return, poll_until
from tests.hostile_files import free_port

REPO = Path(__file__).resolve().parents[1]
CHANNELS = {"national": "CNAT", "London": "CLDN", "North East": "CNE"}


class SlowSlack(FakeSlack):
    """Holds the first digest until it is stopped, so the bot can be killed while posting it."""

    def __init__(self) -> None:
        super().__init__()
        self.digest_started = asyncio.Event()
        self.slow = True
        self._held = asyncio.Event()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage" and self.slow:
            self.digest_started.set()
            await self._held.wait()
        return await super()._api(request)

    async def stop(self) -> None:
        # The held request's bot is dead by now: let it finish instead of waiting it out.
        self._held.set()
        await super().stop()

    def digests(self) -> list[str]:
        return [body["channel"] for body in self.bodies("chat.postMessage")
                if str(body.get("text", "")).startswith("Daily digest")]


def start_bot(tmp_path: Path, api_url: str) -> subprocess.Popen:
    channels = tmp_path / "channels.csv"
    channels.write_text("scope,channel_id\n" + "".join(f"{scope},{channel}\n"
                                                        for scope, channel in CHANNELS.items()))
    env = {**os.environ, "RETURNS_DB": str(tmp_path / "returns.db"),
           "RETURNS_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO),
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": api_url, "BOT_PORT": str(free_port()),
           "DIGEST_CHANNELS": str(channels), "RETURNS_NOW": "2020-05-28T09:30:00"}
    with (tmp_path / "bot.log").open("ab") as log:
        # Ctrl-C's signal as a terminal sends it, even when this run inherited it ignored (a
        # shell's background job): the test stops the bot with it.
        return subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env,
                                stdout=log, stderr=log, preexec_fn=_default_sigint)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def test_sigkill_mid_digest_then_restart_posts_no_digest_twice(tmp_path, db, settings):
    add_return(db, "E09000003")                 # Barnet: something to report
    slack = SlowSlack()
    api_url = await slack.start()
    bot = start_bot(tmp_path, api_url)
    try:
        await asyncio.wait_for(slack.digest_started.wait(), 60)
        bot.send_signal(signal.SIGKILL)
        bot.wait(10)
        slack.slow = False
        bot = start_bot(tmp_path, api_url)
        # The restarted scheduler ticks at once and posts what is still due.
        await poll_until(lambda: len(set(slack.digests())) >= len(CHANNELS) - 1, timeout=60)
        # Stopped as Ctrl-C stops it, the bot finishes its tick first: a second post of any
        # digest is made by the time it has exited.
        bot.send_signal(signal.SIGINT)
        assert await asyncio.to_thread(bot.wait, 30) == 0
    finally:
        bot.terminate()
        bot.wait(10)
        await slack.stop()
    posted = slack.digests()
    assert len(posted) == len(set(posted)), f"a digest was posted twice: {posted}"
    assert set(posted) >= set(CHANNELS.values()) - {"CNAT"}
