"""Bot answer latency on a full store, in the command layer and through Slack, and the time
to acknowledge a Slack request while an SMTP burst is being stored into the same database.

The bot runs as `python -m bot` (HTTP mode) against a fake Slack Web API in this process;
questions arrive as signed app mentions, and an answer's time runs from sending the request
to its `chat.postMessage` reaching the fake. The intake for the burst is `python -m intake`
on the same store, as the Procfile runs them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.mail import Mail
from bench.processes import NOW, base_env, free_port, started, wait_listening
from bench.slack import mention, post_signed, slash_command
from bench.smtp_client import send_burst
from bench.stats import repeat, spread
from bench.throughput import message_count, wait_settled
from bot.commands import answer
from bot.render_slack import to_blocks
from bot.roles import viewer_from_role
from intake.samples.sending import SendReport
from store.collection import Collection
from store.context import Context
from store.db import open_db
from store.settings import Settings
from tests.bot_helpers import FakeSlack

NATIONAL_USER = "UNAT"
COMMANDS = ("status", "status London", "status Leeds", "missing", "missing South West",
            "concerns", "concerns Midlands", "concerns testing", "quarantine")
ACK_COMMAND = "status"
ACK_INTERVAL = 0.1           # seconds between Slack requests while measuring acks
BURST_SENDERS = 8


def command_latency(settings: Settings, collection: Collection, times: int) -> dict[str, Any]:
    """Per command: seconds to answer and render for Slack, as the bot does in its worker
    thread (a fresh connection per question)."""
    viewer = viewer_from_role(NATIONAL_USER, "national")

    def ask(text: str) -> None:
        db = open_db(settings.returns_db, migrate=False)
        try:
            to_blocks(answer(text, viewer, Context(db, settings, collection)))
        finally:
            db.close()

    return {text: spread(repeat(lambda t=text: ask(t), times)).to_json() for text in COMMANDS}


def measure_bot(db: Path, workdir: Path, collection: Collection, fill: Callable[[], dict],
                times: tuple[int, int, int], burst_mails: Sequence[Mail]) -> dict[str, Any]:
    """The whole bot part. `fill` fills the store at `db`; `times` is (answers per command in
    the command layer, answers per command through Slack, Slack requests timed idle)."""
    return asyncio.run(_measure_bot(db, workdir, collection, fill, times, burst_mails))


async def _measure_bot(db: Path, workdir: Path, collection: Collection, fill: Callable[[], dict],
                       times: tuple[int, int, int], burst_mails: Sequence[Mail]) -> dict[str, Any]:
    layer_times, slack_times, idle_acks = times
    fake = FakeSlack()
    api_url = await fake.start()
    workdir.mkdir(parents=True, exist_ok=True)
    roles = workdir / "roles.csv"
    roles.write_text(f"user_id,role\n{NATIONAL_USER},national\n")
    bot_port, smtp_port = free_port(), free_port()
    env = {**base_env(db, workdir / "bot-data"), "SLACK_BOT_TOKEN": "xoxb-bench",
           "SLACK_SIGNING_SECRET": "bench-signing-secret", "SLACK_API_URL": api_url,
           "BOT_PORT": str(bot_port), "BOT_ROLES": str(roles)}
    url = f"http://127.0.0.1:{bot_port}/slack/events"
    intake_env = {**base_env(db, workdir / "intake-data"), "SMTP_PORT": str(smtp_port)}
    try:
        # Both processes start while the store fills (one transaction, so the intake never
        # sees a fixture message unprocessed) and the command layer is timed.
        with started("bot", ["-m", "bot"], env, bot_port, workdir) as bot, \
                started("intake-beside-bot", ["-m", "intake"], intake_env, smtp_port,
                        workdir) as intake:
            store = fill()
            settings = Settings(_env_file=None, returns_db=db, returns_data_dir=workdir,
                                returns_now=NOW)
            layer = command_latency(settings, collection, layer_times)
            wait_listening(bot)
            wait_listening(intake)
            slack = await _through_slack(fake, url, slack_times, idle_acks,
                                         _Intake(db, smtp_port, collection.inbox), burst_mails)
            slack["peak_memory"] = bot.peak_memory_mb()
    finally:
        await fake.stop()
    commands = _merge(layer, slack.pop("commands"))
    return {"store": store, "commands": commands, **slack}


def _merge(layer: dict[str, Any], slack: dict[str, Any]) -> dict[str, Any]:
    return {text: {"command_layer": layer[text], "slack_ack": slack[text]["ack"],
                   "slack_answer": slack[text]["answer"]} for text in COMMANDS}


@dataclass(frozen=True)
class _Intake:
    db: Path
    port: int
    inbox: str


async def _through_slack(fake: FakeSlack, url: str, times: int, idle_acks: int, intake: _Intake,
                         burst_mails: Sequence[Mail]) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        await _ask(session, fake, url, "help", "CWARM")   # bolt's first auth.test
        answers = {text: await _answers(session, fake, url, text, times) for text in COMMANDS}
        idle = await _acks(session, fake, url, asyncio.sleep(idle_acks * ACK_INTERVAL))
        burst_task = asyncio.ensure_future(_burst_until_settled(intake, burst_mails))
        during = await _acks(session, fake, url, burst_task)
    burst, settled = burst_task.result()
    return {"commands": answers, "ack_idle": spread(idle).to_json(),
            "ack_during_burst": spread(during).to_json(),
            "burst": {"messages": len(burst.deliveries), "accepted": burst.accepted,
                      "seconds_to_last_250": round(burst.seconds, 3),
                      "seconds_to_settled": round(settled, 3)}}


async def _burst_until_settled(intake: _Intake, mails: Sequence[Mail]) -> tuple[SendReport, float]:
    """Send the burst and wait until the intake has processed and acknowledged all of it:
    its writes to the shared store go on well after the last 250."""
    expected = message_count(intake.db) + len(mails)
    started = time.perf_counter()
    burst = await send_burst("127.0.0.1", intake.port, mails, intake.inbox, BURST_SENDERS)
    settled = await asyncio.to_thread(wait_settled, intake.db, expected, started)
    return burst, settled


async def _ask(session: aiohttp.ClientSession, fake: FakeSlack, url: str, text: str,
               channel: str) -> tuple[float, float]:
    """One mention; (seconds to the HTTP ack, seconds to the answer's post)."""
    body, content_type = mention(text, NATIONAL_USER, channel)
    started = time.perf_counter()
    status, ack = await post_signed(session, url, body, content_type)
    if status != 200:
        raise RuntimeError(f"the bot answered {status} to {text!r}")
    arrived = await fake.answered(channel)
    return ack, arrived - started


async def _answers(session: aiohttp.ClientSession, fake: FakeSlack, url: str, text: str,
                   times: int) -> dict[str, Any]:
    results = [await _ask(session, fake, url, text, f"C{text.replace(' ', '')}{i}")
               for i in range(times)]
    return {"ack": spread([ack for ack, _ in results]).to_json(),
            "answer": spread([answered for _, answered in results]).to_json()}


async def _acks(session: aiohttp.ClientSession, fake: FakeSlack, url: str,
                until: Any) -> list[float]:
    """Send a `/returns` command every ACK_INTERVAL until `until` is done; each ack's seconds."""
    task = asyncio.ensure_future(until)
    acks = []
    while not task.done():
        body, content_type = slash_command(ACK_COMMAND, NATIONAL_USER,
                                           f"{fake.base_url}/response/ack{len(acks)}")
        status, took = await post_signed(session, url, body, content_type)
        if status != 200:
            raise RuntimeError(f"the bot answered {status} to a command")
        acks.append(took)
        await asyncio.sleep(ACK_INTERVAL)
    await task
    return acks
