"""The scheduler and `python -m bot digest` posting to a fake Slack Web API, with frozen time."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import datetime

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.digest_cli import digest_main
from bot.scheduler import Scheduler, load_digest_channels
from store.contacts import add_contact
from store.messages import set_disposition, store_raw
from store.transactions import immediate
from tests.bot_helpers import FakeSlack, add_return

NATIONAL_CHANNEL, LONDON_CHANNEL, YORKSHIRE_CHANNEL = "CNAT", "CLDN", "CYKS"
LEEDS, CAMDEN = "E08000035", "E09000007"


class RecordingSlack(FakeSlack):
    """The shared fake, keeping uploaded files as bytes (a PNG is not text) and able to fail."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.failures = 0

    async def _upload(self, request: web.Request) -> web.Response:
        self.files[request.match_info["file_id"]] = await request.read()
        return await super()._upload(request)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.failures and method == "chat.postMessage":
            self.failures -= 1
            return web.json_response({"ok": False, "error": "internal_error"})
        return await super()._api(request)

    def posted_to(self) -> list[str]:
        """The channels digests were posted to, in order."""
        return [body["channel"] for body in self.bodies("chat.postMessage")
                if body["text"].startswith("Daily digest")]


@pytest.fixture
async def slack():
    fake = RecordingSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def channels_file(tmp_path):
    path = tmp_path / "digest_channels.csv"
    path.write_text("scope,channel_id\nnational,CNAT\nlondon,CLDN\nYorkshire & Humber,CYKS\n"
                    "Atlantis,CXXX\n")
    return path


def at(settings, when: str):
    return settings.model_copy(update={"returns_now": datetime.fromisoformat(when)})


def scheduler(settings, collection, slack) -> Scheduler:
    client = AsyncWebClient(token="xoxb-test", base_url=settings.slack_api_url)
    return Scheduler(settings, collection, client,
                     load_digest_channels(settings.digest_channels), interval=0.01)


@pytest.fixture
def tuesday(settings, channels_file, slack, db):
    add_return(db, CAMDEN, received_at="2020-05-25T12:00:00+01:00")
    add_contact(db, LEEDS, "asha.patel@leeds.gov.uk", "return contact", "csv")
    return settings.model_copy(update={
        "returns_now": datetime.fromisoformat("2020-05-26T09:30:00+01:00"),
        "digest_channels": channels_file, "slack_bot_token": "xoxb-test",
        "slack_api_url": f"{slack.base_url}/api/"})


def test_digest_channels_are_matched_forgivingly(channels_file):
    assert [(c.key, c.channel) for c in load_digest_channels(channels_file)] == [
        ("national", NATIONAL_CHANNEL), ("London", LONDON_CHANNEL),
        ("Yorkshire and The Humber", YORKSHIRE_CHANNEL)]


async def test_two_schedulers_post_each_digest_once_with_the_chart(tuesday, collection,
                                                                   slack, db):
    first, second = scheduler(tuesday, collection, slack), scheduler(tuesday, collection, slack)
    await asyncio.gather(first.tick(), second.tick(), first.tick())
    assert sorted(slack.posted_to()) == sorted([NATIONAL_CHANNEL, LONDON_CHANNEL,
                                                YORKSHIRE_CHANNEL])
    national = next(b for b in slack.bodies("chat.postMessage") if b["channel"] == "CNAT")
    assert national["text"].startswith("Daily digest for England, Tue 26 May: 1 of 151")
    assert any("Not received (" in block["text"]["text"]
               for block in national["blocks"] if block["type"] == "section")
    uploads = [json_files(body) for body in slack.bodies("files.completeUploadExternal")]
    assert len(uploads) == 1 and uploads[0] == ["Returns over time and by region",
                                                "LAs with no valid return"]
    png, table = (slack.files[f] for f in sorted(slack.files, key=lambda f: int(f[1:])))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(list(csv.DictReader(io.StringIO(table.decode())))) == 150
    # A restarted scheduler later that day posts nothing more.
    await scheduler(at(tuesday, "2020-05-26T17:00:00+01:00"), collection, slack).tick()
    assert len(slack.posted_to()) == 3


def json_files(body: dict) -> list[str]:
    return [item["title"] for item in json.loads(body["files"])]


async def test_no_digest_before_the_digest_time_or_on_a_non_working_day(tuesday, collection,
                                                                        slack):
    for moment in ("2020-05-26T08:59:00+01:00", "2020-05-25T10:00:00+01:00",
                   "2020-05-30T09:30:00+01:00"):
        await scheduler(at(tuesday, moment), collection, slack).tick()
    assert slack.posted_to() == []


async def test_a_failed_post_is_retried_at_the_next_tick(tuesday, collection, slack):
    slack.failures = 1
    only_london = scheduler(tuesday, collection, slack)
    only_london.channels = [c for c in only_london.channels if c.key == "London"]
    await only_london.tick()
    assert slack.posted_to() == [] and slack.failures == 0
    await only_london.tick()
    assert slack.posted_to() == [LONDON_CHANNEL]
    await only_london.tick()
    assert slack.posted_to() == [LONDON_CHANNEL]


async def test_the_scheduler_runs_a_chase_slot_once_and_reports_it(tuesday, collection,
                                                                   slack, db):
    ten = at(tuesday, "2020-05-26T10:00:00+01:00")
    first, second = scheduler(ten, collection, slack), scheduler(ten, collection, slack)
    await asyncio.gather(first.tick(), second.tick())
    assert db.execute("SELECT dedupe_key FROM outbox").fetchall() == [
        (f"chase:{LEEDS}:2020-05-26",)]
    reports = [b for b in slack.bodies("chat.postMessage") if b["text"].startswith("Queued")]
    assert len(reports) == 1 and reports[0]["channel"] == NATIONAL_CHANNEL
    assert reports[0]["text"] == ("Queued 1 chaser for the Tue 26 May 10:00 slot in England. "
                                  "149 LAs cannot be chased: no contact.")


async def test_the_digest_command_posts_once_a_day_unless_forced(tuesday, slack, capsys):
    early = ["--now", "2020-05-26T07:00"]
    assert await asyncio.to_thread(digest_main, early, tuesday) == 0
    assert "Posted the national digest for Tue 26 May 2020 to CNAT." in capsys.readouterr().out
    assert await asyncio.to_thread(digest_main, early, tuesday) == 0
    out = capsys.readouterr().out
    assert out.count("was already posted") == 3
    assert await asyncio.to_thread(digest_main, [*early, "--force"], tuesday) == 0
    assert len(slack.posted_to()) == 6


async def test_quarantined_mail_is_announced_once_in_the_national_channel(tuesday, collection,
                                                                          slack, db):
    held, _ = store_raw(db, b"Subject: our return\r\n\r\nsee attached", message_id="<q1@x>",
                        mail_from="asha@gmail.com", rcpt_to=["inbox@x"],
                        collection_time=tuesday.now(), subject="our return")
    with immediate(db):
        set_disposition(db, held.id, "quarantined", "sent from gmail.com, which is not a Leeds "
                        "address", la_code=LEEDS)
    first, second = scheduler(tuesday, collection, slack), scheduler(tuesday, collection, slack)
    assert await first.announce() + await second.announce() == 1
    [said] = [b for b in slack.bodies("chat.postMessage") if held.ref in b["text"]]
    assert said["channel"] == NATIONAL_CHANNEL
    assert "asha@gmail.com" in said["text"]
    buttons = [element for block in said["blocks"] if block["type"] == "actions"
               for element in block["elements"]]
    assert [b["value"] for b in buttons] == [f"release {held.ref} as Leeds",
                                            f"dismiss {held.ref}"]
