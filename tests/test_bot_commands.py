"""The command layer on a real store: the numbers agree with the store, in plain words."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bot.commands import answer
from bot.render_slack import MAX_BLOCKS, MAX_TEXT, to_blocks
from bot.render_text import to_text
from bot.roles import Viewer, viewer_from_role
from intake.samples.returns import make_sample_returns
from store.context import Context
from store.exports import export_rows
from store.register import authorities_by_code
from store.submissions import Finding
from tests.bot_helpers import add_return, fill_full_store, quarantine_message

NATIONAL = viewer_from_role("UNAT", "national")
NORTH_EAST = viewer_from_role("UNE", "north east")


@pytest.fixture
def ctx(db, settings, collection) -> Context:
    settings = settings.model_copy(update={"returns_now": datetime(2020, 6, 2, 11, tzinfo=UTC)})
    add_return(db, "E06000001", homes={"2.1": 10, "3.1": 20},            # Hartlepool
               support={"2.1": "more test kits"}, issues={"3.1": "PPE supplies are short"})
    add_return(db, "E06000002", status="invalid", homes={"2.1": 30},     # Middlesbrough v1
               findings=(Finding("error", "Count is more than the total", "1.2", "Template!C8"),))
    add_return(db, "E06000002", homes={"2.1": 12}, received_at="2020-06-01T09:00:00+01:00")
    add_return(db, "E06000003", homes={"2.1": 5}, regional_issues="Staffing is our worry")
    add_return(db, "E06000004", status="invalid")                         # Stockton-on-Tees
    add_return(db, "E08000035", status="incomplete")                      # Leeds
    with db.conn:
        db.execute("INSERT INTO outbox (id, kind, dedupe_key, la_code, recipients, created_at, "
                   "collection_time, next_attempt_at) VALUES (1, 'chaser', 'c1', 'E06000005', "
                   "'[]', '2020-06-01T09:00:00+00:00', '2020-06-01T10:00:00+01:00', '')")
        db.execute("INSERT INTO outbox_raw (id, raw) VALUES (1, x'00')")
    return Context(db, settings, collection)


def text_of(text: str, ctx: Context, user: Viewer = NATIONAL) -> str:
    return to_text(answer(text, user, ctx))


def test_national_status_counts_agree_with_the_store(ctx):
    reply = answer("status", NATIONAL, ctx)
    statuses = [row["status"] for row in export_rows(ctx.db, "authorities")]
    assert statuses.count("valid") == 3
    assert reply.title.startswith("5 of 151 returned: 3 valid, 1 needs fixing, 1 letter missing; "
                                  "146 not received")
    assert "the deadline passed 4 days ago" in reply.title
    text = to_text(reply)
    assert ("North East: 4 of 12 returned: 3 valid, 1 needs fixing, 0 letter missing; "
            "8 not received") in text
    assert ("Yorkshire and The Humber: 1 of 15 returned: 0 valid, 0 need fixing, "
            "1 letter missing; 14 not received") in text


def test_regional_user_gets_their_region_by_default(ctx):
    text = text_of("how are we doing?", ctx, NORTH_EAST)
    assert text.startswith("North East: 4 of 12 returned: 3 valid, 1 needs fixing")
    assert "Middlesbrough: version 2 of 2" in text
    assert "Leeds" not in text


def test_status_of_an_la_shows_versions_problems_figures_and_changes(ctx):
    text = text_of("status middlesbro", ctx)
    assert text.startswith("Middlesbrough (North East): valid, version 2 of 2 counts")
    assert "Version 1: needs fixing" in text
    assert "Error 1.2 (Template!C8): Count is more than the total" in text
    assert "2.1 Access to testing for all residents and asymptomatic staff: 12 of 50 (24%)" in text
    assert "2.1 homes: 30 → 12" in text


@pytest.mark.parametrize("question", [
    "missing North East", "who hasn't sent theirs in the North East?", "outstanding NE",
    "Which councils have not returned in the north east please",
])
def test_missing_in_a_region_in_plain_words(ctx, question):
    text = text_of(question, ctx)
    assert text.startswith("9 of 12 LAs in North East have no valid return: 1 needs fixing, "
                           "0 letter missing, 8 not received (2 working days late)")
    assert "Stockton-on-Tees: needs fixing (version 1, CHR-" in text
    assert "Darlington: not received; 2 working days late; last chased Mon 1 Jun 10:00" in text
    assert "Hartlepool" not in text


def test_national_missing_is_grouped_by_region_with_the_full_list_as_csv(ctx):
    reply = answer("missing", NATIONAL, ctx)
    assert reply.title.startswith("148 of 151 LAs have no valid return")
    assert [s.heading for s in reply.sections][:2] == ["East Midlands (9)", "East of England (11)"]
    rows = reply.attachment.text.strip().splitlines()
    assert len(rows) == 149
    assert sum(len(s.lines) for s in reply.sections) == 148
    blocks = to_blocks(reply)
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= MAX_TEXT for b in blocks if b["type"] == "section")


def test_concerns_in_a_region_show_evidence_and_thematic_concerns(ctx):
    text = text_of("any worries in the north east?", ctx)
    assert "Thematic: 2.1 Access to testing" in text
    assert "3 of 4 returns low or asking for support (threshold 2)" in text
    assert "2.1 asks for support: “more test kits” [CHR-000001, return.xlsx Template!C10]" in text
    assert "3.1 issue raised: “PPE supplies are short”" in text
    assert "Issues for regional and national teams: “Staffing is our worry”" in text
    assert "Return: needs fixing (version 1, CHR-" in text       # Stockton
    assert "First return arrived 1 working days late" not in text
    assert "Not received (8, 2 working days late)" in text


def test_concerns_about_a_theme_keep_to_its_actions(ctx):
    reply = answer("concerns PPE", NATIONAL, ctx)
    assert reply.title.startswith(
        "Concerns about Personal Protective Equipment (PPE) and Clinical Equipment (3.1, 3.2) "
        "in England: 1 place")
    assert "1. Hartlepool (North East): severity 4" in to_text(reply)
    assert "3.1 issue raised: “PPE supplies are short”" in to_text(reply)
    assert "2.1" not in to_text(reply)


def test_concerns_of_one_la(ctx):
    text = text_of("concerns Hartlepool", ctx)
    assert "in place in 20 of 50 homes (40%)" in text
    assert "Middlesbrough" not in text


def test_quarantine_is_for_national_users_only(ctx):
    ref = quarantine_message(ctx.db, mail_from="a@gmail.com", subject="our return",
                             reason="sender not trusted", la_code="E06000005")
    reply = answer("quarantine", NATIONAL, ctx)
    assert reply.title == "1 message needs a person"
    assert "Why: sender not trusted" in to_text(reply)
    assert [b.value for b in reply.buttons] == [f"release {ref} as Darlington", f"dismiss {ref}"]
    assert answer("quarantine", NORTH_EAST, ctx).title.startswith("Only national users")
    assert answer(f"dismiss {ref}", NORTH_EAST, ctx).title.startswith("Only national users")


def test_release_as_an_la_records_the_message_as_its_return(ctx):
    sample = make_sample_returns(1, 7, ctx.collection)[0]
    la = authorities_by_code()[sample.la_code]
    ref = quarantine_message(ctx.db, mail_from="someone@gmail.com", subject="return",
                             reason="sender not trusted", raw=sample.raw)
    reply = answer(f"release {ref.lower()} as {la.name.upper()}", NATIONAL, ctx)
    assert reply.title.startswith(f"{ref} released as {la.name}: recorded")
    row = next(ctx.db.query("SELECT disposition, la_code FROM messages WHERE ref = ?", [ref]))
    assert (row["disposition"], row["la_code"]) == ("accepted", la.code)
    (audit,) = ctx.db.query("SELECT actor, action FROM audit WHERE message_ref = ?", [ref])
    assert audit == {"actor": "UNAT", "action": "release"}
    assert answer(f"status {la.name}", NATIONAL, ctx).title.startswith(f"{la.name} (")


def test_release_names_an_unknown_la_and_releases_nothing(ctx):
    ref = quarantine_message(ctx.db, mail_from="a@gmail.com", subject="x", reason="held")
    reply = answer(f"release {ref} as Narnia", NATIONAL, ctx)
    assert reply.title.startswith("I can't tell which LA “narnia” is")
    assert next(ctx.db.query("SELECT disposition FROM messages WHERE ref = ?",
                             [ref]))["disposition"] == "quarantined"


def test_unknown_user_is_refused_without_data(ctx):
    reply = answer("missing", Viewer("USTRANGER", None), ctx)
    assert reply.ephemeral and not reply.sections and "Sorry" in reply.title


def test_chasing_an_la_without_contacts_says_so_and_help(ctx):
    assert answer("chase Leeds", NATIONAL, ctx).title == (
        "Nobody in Leeds can be chased now: 1 LA without a contact.")
    assert "Leeds: no contact" in text_of("chase Leeds", ctx)
    assert "status London" in text_of("help", ctx)
    assert text_of("what's the weather", ctx).startswith("Sorry, I didn't follow that")
    assert text_of("status Narnia", ctx).startswith("I couldn't find a region or LA called")


def test_bare_place_name_is_a_status_question(ctx):
    assert text_of("Leeds", ctx).startswith("Leeds (Yorkshire and The Humber): letter missing")
    assert text_of("London", ctx).startswith("London: 0 of 33 returned")


def test_answers_are_fast_on_a_full_store(db, settings, collection):
    fill_full_store(db, versions=5)
    ctx = Context(db, settings, collection)
    # The CPU the answers take: the machine's other work does not count against them.
    started = time.process_time()
    for question in ("status", "missing", "concerns", "concerns London", "status Leeds",
                     "concerns testing"):
        blocks = to_blocks(answer(question, NATIONAL, ctx))
        assert len(blocks) <= MAX_BLOCKS
        assert all(len(b["text"]["text"]) <= MAX_TEXT for b in blocks if b["type"] == "section")
    assert time.process_time() - started < 2.0
    assert answer("status", NATIONAL, ctx).title.startswith("151 of 151 returned: 151 valid")


def test_an_la_status_says_a_count_is_blank_or_not_a_number(ctx):
    add_return(ctx.db, "E09000033", status="invalid")                    # Westminster
    with ctx.db.conn:
        for action, raw in (("2.2", ""), ("3.1", "lots")):
            ctx.db.execute("UPDATE answers SET homes_in_place = NULL, raw_homes_in_place = ? "
                           "WHERE action = ?  AND submission_id = (SELECT max(id) FROM "
                           "submissions WHERE la_code = 'E09000033')", [raw, action])
    text = text_of("status Westminster", ctx)
    assert "2.2 Testing of all residents discharged from hospital to care homes: blank" in text
    assert "3.1 Access to appropriate PPE: not a number (written “lots”)" in text
