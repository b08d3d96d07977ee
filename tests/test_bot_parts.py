"""The bot's small parts: phrasing, themes, roles, thematic thresholds, Slack limits."""

from __future__ import annotations

import pytest

from bot.concerns import thematic_threshold
from bot.content import Attachment, Button, Reply, Section
from bot.parsing import parse
from bot.render_slack import MAX_BLOCKS, MAX_TEXT, to_blocks
from bot.roles import load_roles, viewer_for
from bot.themes import theme_actions


@pytest.mark.parametrize(("text", "intent", "place", "topic"), [
    ("<@UBOT> status", "status", None, ()),
    ("Status of Leeds please", "status", "Leeds", ()),
    ("who hasn't sent theirs in the North East?", "missing", "North East", ()),
    ("How many have not returned in London", "missing", "London", ()),
    ("any concerns about testing in Kent?", "concerns", "Kent", ("testing",)),
    ("chase missing London", "chase", "London", ()),
    ("what can you do", "help", None, ()),
    ("Leeds", "status", "Leeds", ()),
])
def test_plain_phrasing_finds_intent_place_and_topic(text, intent, place, topic):
    question = parse(text)
    assert (question.intent, question.scope and question.scope.name, question.topic) == (
        intent, place, topic)


def test_release_and_dismiss_take_a_reference_forgivingly():
    release = parse("release chr-42 as Bath & NE Somerset")
    assert (release.intent, release.ref, release.target) == ("release", "CHR-000042",
                                                              "bath & ne somerset")
    dismiss = parse("/returns dismiss CHR-000007 because spam")
    assert (dismiss.intent, dismiss.ref, dismiss.target) == ("dismiss", "CHR-000007", "spam")


@pytest.mark.parametrize(("words", "actions"), [
    (["testing"], {"2.1", "2.2"}),
    (["ppe"], {"3.1", "3.2"}),
    (["workforce"], {"4.1", "4.2", "4.3", "4.4", "4.5"}),
    (["infection", "control"], {"1.1", "1.2", "1.3"}),
    (["clinical"], {"3.1", "3.2", "5.1", "5.2"}),
    (["volunteers"], {"4.5"}),
    (["kent"], set()),
])
def test_themes_map_to_the_collections_actions(collection, words, actions):
    assert theme_actions(words, collection)[0] == actions


def test_thematic_threshold_is_three_or_a_quarter_whichever_is_fewer(collection):
    assert [thematic_threshold(collection, n) for n in (33, 12, 9, 8, 4)] == [3, 3, 3, 2, 1]


def test_roles_match_regions_forgivingly_and_skip_unknown_ones(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text("user_id,role\nU1,National\nU2,north east\nU3,Londn\nU4,Narnia\nU5,Midlands\n")
    roles = load_roles(path)
    assert roles["U1"].national
    assert (roles["U2"].home.name, len(roles["U2"].home.la_codes)) == ("North East", 12)
    assert roles["U3"].home.name == "London"
    assert roles["U5"].home.name == "Midlands" and not roles["U5"].national
    assert "U4" not in roles and not viewer_for("U4", roles).known


def test_slack_blocks_stay_within_limits_and_say_what_was_left_out():
    long_lines = tuple(f"Council number {i}: nothing received; 3 working days late"
                       for i in range(400))
    reply = Reply("All the LAs", tuple(Section(f"Region {r}", long_lines) for r in range(10)),
                  attachment=Attachment("all.csv", "a\n1\n"),
                  buttons=(Button("Go", "release_message", "release x"),
                           Button("Stop", "release_message", "dismiss x")))
    blocks = to_blocks(reply)
    assert len(blocks) == MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= MAX_TEXT for b in blocks if b["type"] == "section")
    assert "not shown" in blocks[-3]["elements"][0]["text"]
    actions = blocks[-2]["elements"]
    assert [a["action_id"] for a in actions] == ["release_message:0", "release_message:1"]
    assert "all.csv" in blocks[-1]["elements"][0]["text"]


def test_slack_text_is_escaped():
    (title,) = to_blocks(Reply("<script> & co"))
    assert title["text"]["text"] == "*&lt;script&gt; &amp; co*"
