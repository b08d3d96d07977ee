"""The failures staff met, asked through the real Slack app (signed requests, fake Web API):
everyday words taken for places, plain questions with no keyword, the City of London, a DM
that also mentions the bot, a choice offered instead of a guess, and the Home tab."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.bot_helpers import (
    LONDON,
    NATIONAL,
    STRANGER,
    FakeSlack,
    action_body,
    add_return,
    event_body,
    poll_until,
    send,
    send_marker_and_wait,
    signed_headers,
)


async def ask(bot: str, slack: FakeSlack, text: str, user: str = NATIONAL) -> dict:
    """Mention the bot with `text` in a fresh channel; the one post it answers with."""
    channel = f"C{abs(hash(text)) % 10**8}"
    body = event_body(f"<@UBOT> {text}", user=user, channel=channel)
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    (post,) = await poll_until(lambda: [p for p in slack.bodies("chat.postMessage")
                                        if p["channel"] == channel])
    return post


def shown(post: dict) -> str:
    return post["text"] + json.dumps(post.get("blocks", []))


@pytest.mark.parametrize("question", [
    "how many have come in so far?", "how far have we got", "where are we overall?",
    "did the minister get the figures?",
])
async def test_everyday_words_are_not_taken_for_places(bot, slack, question):
    post = await ask(bot, slack, question)
    assert "couldn't find" not in shown(post) and "Westminster" not in shown(post)
    if "minister" not in question:
        assert post["text"].startswith("3 of 151 returned: 2 valid, 1 needs fixing")


async def test_a_regional_users_our_and_we_mean_their_region(bot, slack):
    post = await ask(bot, slack, "how many of ours are in?", user=LONDON)
    assert post["text"].startswith("London: 2 of 33 returned: 1 valid, 1 needs fixing")
    post = await ask(bot, slack, "who are we still waiting for", user=LONDON)
    assert post["text"].startswith("32 of 33 LAs in London have no valid return")
    assert "Camden: needs fixing" in shown(post) and "Leeds" not in shown(post)


async def test_plain_questions_without_a_keyword_get_their_answer(bot, slack, db):
    add_return(db, "E09000005", support={"2.1": "more test kits please"},     # Brent
               received_at="2020-05-28T10:00:00+01:00")
    post = await ask(bot, slack, "who asked for help with testing?")
    assert post["text"].startswith("1 LA in England asked for support on Testing (2.1, 2.2)")
    assert "more test kits please" in shown(post) and "Barnet" not in shown(post)
    post = await ask(bot, slack, "what's changed since yesterday?")
    assert post["text"].startswith("What changed in England since")
    assert "Brent" in shown(post) and "Nothing received" not in shown(post)


async def test_place_understood_and_so_is_what_is_asked_about_it(bot, slack, db):
    db.execute("INSERT INTO contacts (la_code, email, role, source, added_at) VALUES "
               "('E10000016', 'asc.returns@kent.gov.uk', 'return contact', 'csv', '')")
    db.conn.commit()
    post = await ask(bot, slack, "who's the contact at Kent?")
    assert post["text"] == "Contacts for Kent"
    assert "asc.returns@kent.gov.uk" in shown(post)
    post = await ask(bot, slack, "who are we still waiting for in London?")
    assert post["text"].startswith("32 of 33 LAs in London have no valid return")


async def test_what_an_la_wrote_about_a_topic_is_searched_not_its_status(bot, slack, db):
    add_return(db, "E10000016", issues={"2.1": "Testing kits arrive late in the east"})  # Kent
    add_return(db, "E10000030", issues={"2.1": "Testing is fine"})                       # Surrey
    post = await ask(bot, slack, "what did Kent say about testing?")
    assert "Kent" in post["text"] and "kits arrive late" in shown(post)
    assert "Surrey" not in shown(post) and "valid return" not in post["text"]


async def test_status_city_of_london_is_the_la_not_the_region(bot, slack):
    post = await ask(bot, slack, "status City of London")
    assert post["text"].startswith("City of London (London): nothing received")
    assert "33 LAs" not in shown(post)


async def test_a_direct_message_that_mentions_the_bot_is_answered_once(bot, slack):
    text = "<@UBOT> status"
    for kind in ("message", "app_mention"):
        body = event_body(text, user=NATIONAL, kind=kind, channel="D7")
        assert (await send(bot, body, signed_headers(body)))[0] == 200
    await poll_until(lambda: slack.bodies("chat.postMessage"))
    await send_marker_and_wait(bot, slack)
    assert sorted(p["channel"] for p in slack.bodies("chat.postMessage")) == ["CMARK", "D7"]


async def test_close_readings_get_buttons_and_a_press_answers_the_one_chosen(bot, slack):
    post = await ask(bot, slack, "status Berkshire")
    assert "Did you mean" in post["text"] and "Reading" in post["text"]
    (actions,) = [b for b in post["blocks"] if b["type"] == "actions"]
    chosen = next(e for e in actions["elements"] if e["text"]["text"] == "Reading")
    assert not slack.bodies("response_url")
    body = action_body(chosen["action_id"], chosen["value"], user=NATIONAL,
                       response_url=f"{slack.base_url}/response/7")
    await send(bot, body, signed_headers(body, content_type="application/x-www-form-urlencoded"))
    (reply,) = await poll_until(lambda: slack.bodies("response_url"))
    assert reply["text"].startswith("Reading (South East): nothing received")


@pytest.mark.parametrize(("user", "title"), [
    (NATIONAL, "3 of 151 returned: 2 valid, 1 needs fixing"),
    (LONDON, "London: 2 of 33 returned: 1 valid, 1 needs fixing"),
    (STRANGER, "Sorry, I can only answer people on the returns team's list"),
])
async def test_the_home_tab_shows_the_users_picture_when_opened(bot, slack, user, title):
    body = json.dumps({"token": "legacy", "team_id": "T1", "api_app_id": "A1",
                       "type": "event_callback", "event_id": f"EvHome{user}",
                       "event_time": 1590000000,
                       "event": {"type": "app_home_opened", "user": user, "channel": "D1",
                                 "tab": "home", "event_ts": "1590000000.1"}})
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    (published,) = await poll_until(lambda: slack.bodies("views.publish"))
    view = published["view"] if isinstance(published["view"], dict) else json.loads(
        published["view"])
    assert published["user_id"] == user and view["type"] == "home"
    assert title in json.dumps(view["blocks"])
    if user != NATIONAL:
        assert "Leeds" not in json.dumps(view["blocks"])


async def test_health_check_answers_beside_slack(bot):
    async with aiohttp.ClientSession() as session, \
            session.get(bot.replace("/slack/events", "/healthz")) as response:
        assert response.status == 200
        assert (await response.json()) == {"status": "ok", "slack": True}
