"""The Slack app over real HTTP: signed requests shaped like Slack's, a fake Web API."""

from __future__ import annotations

import json
import time

import pytest

from tests.bot_helpers import (
    LONDON,
    NATIONAL,
    STRANGER,
    FakeSlack,
    action_body,
    command_body,
    event_body,
    poll_until,
    quarantine_message,
    send,
    send_marker_and_wait,
    signed_headers,
)


def said(slack: FakeSlack) -> list[str]:
    """Everything the bot said, as one string per post (text and blocks)."""
    return [json.dumps(post) for post in slack.posts()]


async def test_mention_from_a_national_user_gets_national_counts(bot, slack):
    body = event_body("<@UBOT> status", user=NATIONAL)
    status, _ = await send(bot, body, signed_headers(body))
    assert status == 200
    (post,) = await poll_until(lambda: slack.bodies("chat.postMessage"))
    assert post["channel"] == "C1"
    assert "3 of 151 returned: 2 valid, 1 needs fixing" in post["text"]
    assert "London: 2 of 33 returned: 1 valid, 1 needs fixing" in json.dumps(post["blocks"])


async def test_direct_message_from_a_regional_user_defaults_to_their_region(bot, slack):
    body = event_body("who hasn't sent theirs?", user=LONDON, kind="message", channel="D1")
    await send(bot, body, signed_headers(body))
    (post,) = await poll_until(lambda: slack.bodies("chat.postMessage"))
    blocks = json.dumps(post["blocks"])
    assert post["channel"] == "D1"
    assert "32 of 33 LAs in London have no valid return" in post["text"]
    assert "Camden: needs fixing" in blocks
    assert "Barnet" not in blocks and "Leeds" not in blocks


async def test_regional_user_may_ask_about_another_region(bot, slack):
    body = event_body("<@UBOT> status Leeds", user=LONDON)
    await send(bot, body, signed_headers(body))
    (post,) = await poll_until(lambda: slack.bodies("chat.postMessage"))
    assert post["text"].startswith("Leeds (Yorkshire and The Humber): valid, version 1")


async def test_unknown_user_in_a_channel_gets_an_ephemeral_refusal_with_no_data(bot, slack):
    body = event_body("<@UBOT> missing", user=STRANGER)
    await send(bot, body, signed_headers(body))
    (post,) = await poll_until(lambda: slack.bodies("chat.postEphemeral"))
    assert post["user"] == STRANGER
    assert "Sorry" in post["text"]
    assert "LA" not in json.dumps(post["blocks"]).replace("LAs", "")
    assert not slack.bodies("chat.postMessage")


async def test_slash_command_is_acknowledged_and_answered_through_response_url(bot, slack):
    body = command_body("missing", user=NATIONAL, response_url=f"{slack.base_url}/response/1")
    status, text = await send(bot, body, signed_headers(
        body, content_type="application/x-www-form-urlencoded"))
    assert status == 200 and text == ""
    (reply,) = await poll_until(lambda: slack.bodies("response_url"))
    assert "149 of 151 LAs have no valid return" in reply["text"]
    assert reply["response_type"] == "in_channel"
    assert len(reply["blocks"]) <= 50
    upload = await poll_until(lambda: slack.bodies("file_upload"))
    csv_text = upload[0]["content"]
    assert csv_text.startswith("la_code,la_name,region,state")
    assert len(csv_text.strip().splitlines()) == 150
    assert "Camden" in csv_text and "Barnet" not in csv_text


async def test_quarantine_buttons_release_only_for_national_users(bot, slack, db):
    ref = quarantine_message(db, mail_from="someone@gmail.com", subject="return",
                             reason="sender not trusted")
    body = action_body("dismiss_message:0", f"dismiss {ref}", user=LONDON,
                       response_url=f"{slack.base_url}/response/2")
    await send(bot, body, signed_headers(body, content_type="application/x-www-form-urlencoded"))
    (refusal,) = await poll_until(lambda: slack.bodies("response_url"))
    assert refusal["response_type"] == "ephemeral"
    assert "Only national users" in refusal["text"]
    body = action_body("dismiss_message:0", f"dismiss {ref}", user=NATIONAL,
                       response_url=f"{slack.base_url}/response/3")
    await send(bot, body, signed_headers(body, content_type="application/x-www-form-urlencoded"))
    replies = await poll_until(lambda: len(slack.bodies("response_url")) == 2
                               and slack.bodies("response_url"))
    assert replies[1]["text"] == f"{ref} dismissed."
    row = next(db.query("SELECT disposition FROM messages WHERE ref = ?", [ref]))
    assert row["disposition"] == "rejected"


@pytest.mark.parametrize("headers", [
    {"Content-Type": "application/json"},
    {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time())),
     "X-Slack-Signature": "v0=" + "0" * 64},
], ids=["unsigned", "wrong signature"])
async def test_unsigned_or_badly_signed_requests_are_refused(bot, slack, headers):
    body = event_body("<@UBOT> status", user=NATIONAL)
    status, _ = await send(bot, body, headers)
    assert status == 401
    assert slack.calls == []


async def test_stale_request_is_refused(bot, slack):
    body = event_body("<@UBOT> status", user=NATIONAL)
    status, _ = await send(bot, body, signed_headers(body, timestamp=int(time.time()) - 6 * 60))
    assert status == 401
    assert slack.calls == []


async def test_retried_event_is_answered_once(bot, slack):
    body = event_body("<@UBOT> status", user=NATIONAL, event_id="Ev0RETRY")
    await send(bot, body, signed_headers(body))
    await poll_until(lambda: slack.bodies("chat.postMessage"))
    retry = {**signed_headers(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"}
    status, _ = await send(bot, body, retry)
    assert status == 200
    await send_marker_and_wait(bot, slack)
    assert [p["channel"] for p in slack.bodies("chat.postMessage")] == ["C1", "CMARK"]


async def test_replayed_signed_command_is_answered_once(bot, slack):
    body = command_body("status", user=NATIONAL, response_url=f"{slack.base_url}/response/9")
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    assert (await send(bot, body, headers))[0] == 200
    assert (await send(bot, body, headers))[0] == 200
    await poll_until(lambda: slack.bodies("response_url"))
    await send_marker_and_wait(bot, slack)
    assert len(slack.bodies("response_url")) == 1


async def test_a_failing_answer_gets_an_apology_not_silence(bot, slack, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("bot.app.answer", broken)
    body = event_body("<@UBOT> status", user=NATIONAL)
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    (post,) = await poll_until(lambda: slack.bodies("chat.postMessage"))
    assert post["text"].startswith("Sorry, something went wrong")
    assert "fire" not in json.dumps(post)
