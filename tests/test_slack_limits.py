"""On a full store (151 LAs, 5 versions each), every answer and digest, for every region and
nationally, is posted to the fake Slack (which refuses what Slack refuses) and measured, and
its first screen names the top items by severity."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bench.full_store import fill_full_store
from bot.app import post
from bot.commands import answer
from bot.content import Reply
from bot.digest import build_digest
from bot.render_slack import to_blocks
from bot.roles import viewer_from_role
from bot.scheduler import post_digest
from store.collection import load_collection
from store.context import Context
from store.db import open_db
from store.register import REGIONS
from store.settings import Settings
from tests.bot_helpers import FakeSlack, slack_refusal

NATIONAL = viewer_from_role("UNAT", "national")
QUESTIONS = ("status {}", "missing {}", "concerns {}", "concerns testing {}",
             "search testing in {}", "digest {}", "report {}")
SCOPES = ("national", *REGIONS)
SEVERITY = re.compile(r"severity ([\d.]+)")
# The last versions arrive on Fri 29 May: that evening's digest has the most to say.
BUSY_DAY = datetime(2020, 5, 29, 17, tzinfo=UTC)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Context:
    path = tmp_path_factory.mktemp("full")
    collection = load_collection()
    fill_full_store(path / "returns.db", collection.action_codes)
    settings = Settings(_env_file=None, returns_db=path / "returns.db",
                        returns_data_dir=path / "data",
                        returns_now=datetime(2020, 6, 2, 9, 30, tzinfo=UTC).isoformat())
    return Context(open_db(settings.returns_db), settings, collection)


@pytest.fixture(scope="module")
def answers(full) -> dict[tuple[str, str], Reply]:
    """Every question's answer for every scope, asked once for the module (they only read)."""
    return {(question, scope): answer(question.format(scope), NATIONAL, full)
            for scope in SCOPES for question in QUESTIONS}


def test_every_answer_and_digest_fits_slack_when_posted(full, answers):
    async def post_all() -> list[dict]:
        slack = FakeSlack()
        client = AsyncWebClient(token="xoxb-test", base_url=await slack.start())
        try:
            for scope in SCOPES:
                for question in QUESTIONS:
                    await post(client, answers[question, scope], channel="C1", user="UNAT",
                               private_channel=False)
                for moment in (BUSY_DAY, full.now):
                    digest = build_digest(full.db, full.collection, moment, scope)
                    await post_digest(client, "C2", digest, None)
        finally:
            await slack.stop()
        return slack

    slack = asyncio.run(post_all())
    posted = slack.bodies("chat.postMessage")
    assert len(posted) == len(SCOPES) * (len(QUESTIONS) + 2)
    assert [slack_refusal(body) for body in posted] == [None] * len(posted)
    # Each report's .docx and .xlsx went up with files_upload_v2, beside its message.
    titles = [item["title"] for body in slack.bodies("files.completeUploadExternal")
              for item in json.loads(body["files"])]
    assert sorted(t for t in titles if t.startswith("Draft report: ")) == sorted(
        f"Draft report: {'England' if scope == 'national' else scope}" for scope in SCOPES)
    assert sum(t.startswith("Report workbook: ") for t in titles) == len(SCOPES)


@pytest.mark.parametrize("scope", SCOPES)
def test_the_first_screen_names_the_top_items_by_severity(full, answers, scope):
    for question in ("concerns {}", "report {}"):
        reply = answers[question, scope]
        first = [reply.sections[i].heading for i in range(3)]
        assert [h.split(".")[0] for h in first] == ["1", "2", "3"]
        scores = [float(SEVERITY.search(h)[1]) for h in first]
        assert scores == sorted(scores, reverse=True)
    digest = build_digest(full.db, full.collection, BUSY_DAY, scope)
    headings = [s.heading for s in digest.sections]
    assert headings[1:3] == ["Needs attention first", headings[2]]
    assert headings[2].startswith("1. ")
    blocks = to_blocks(digest)
    screen = " ".join(b["text"]["text"] for b in blocks[:6] if b["type"] == "section")
    assert "Needs attention first" in screen and "1. " in screen


def test_a_quiet_day_is_one_line(full):
    digest = build_digest(full.db, full.collection, full.now, "London")
    assert not digest.sections and "nothing has changed since Mon 1 Jun 09:00" in digest.title


def test_a_regional_answer_summarises_the_rest_with_the_full_list_as_csv(full):
    reply = answer("concerns London", NATIONAL, full)
    rest = next(s for s in reply.sections if s.heading == "Also of concern")
    assert re.fullmatch(r"and \d+ more: full list attached as CSV", rest.lines[-1])
    assert reply.attachment is not None and reply.attachment.filename == "concerns.csv"
