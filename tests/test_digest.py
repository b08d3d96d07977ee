"""The daily digest's content, its chart, and `python -m bot digest --print`."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.chart import chart_data, draw_chart, to_png
from bot.digest import build_digest, digest_command
from bot.digest_cli import digest_main
from bot.parsing import parse
from bot.render_text import to_text
from bot.roles import viewer_from_role
from store.collection import load_collection
from store.contacts import add_contact
from store.context import Context
from store.exports import export_rows
from store.register import REGIONS
from tests.bot_helpers import add_return

LONDON_TZ = ZoneInfo("Europe/London")
LEEDS, BRADFORD, CAMDEN, HACKNEY, DARLINGTON = (
    "E08000035", "E08000032", "E09000007", "E09000012", "E06000005")
THURSDAY_9AM = datetime(2020, 5, 28, 9, 0, tzinfo=LONDON_TZ)


@pytest.fixture
def returns(db):
    """Two returns before Wed 27 May 09:00 and three after it."""
    add_return(db, LEEDS, status="invalid", received_at="2020-05-26T11:00:00+01:00")
    add_return(db, CAMDEN, status="valid", received_at="2020-05-26T15:00:00+01:00")
    add_return(db, LEEDS, status="valid", received_at="2020-05-27T14:00:00+01:00",
               homes={"3.1": 20})
    add_return(db, HACKNEY, status="invalid", received_at="2020-05-27T16:30:00+01:00")
    add_return(db, BRADFORD, status="incomplete", received_at="2020-05-28T08:15:00+01:00")
    return db


def test_the_counts_agree_with_the_submissions_export(returns):
    rows = list(export_rows(returns, "submissions"))
    returned = {row["la_code"] for row in rows}
    counting = [row["status"] for row in rows if row["counts"]]
    reply = build_digest(returns, load_collection(), THURSDAY_9AM, "national")
    assert reply.title.startswith(
        f"Daily digest for England, Thu 28 May: {len(returned)} of 151 returned: "
        f"{counting.count('valid')} valid, 1 needs fixing, 1 letter missing; "
        f"{151 - len(returned)} not received (+1 valid since yesterday); 1 day to the deadline")


def test_the_change_and_the_new_returns_are_since_the_previous_working_days_digest(returns):
    text = to_text(build_digest(returns, load_collection(), THURSDAY_9AM, "national"))
    assert ("Since Wed 27 May 09:00: +2 returned: +1 valid, +0 need fixing, +1 letter missing; "
            "-2 not received") in text
    assert "New returns (3)\n  London 1 · Yorkshire and The Humber 2" in text
    london = to_text(build_digest(returns, load_collection(), THURSDAY_9AM, "london"))
    assert "New returns (1)\n  Hackney (needs fixing, CHR-000004)" in london
    assert "Camden" not in london.split("New returns")[1]


def test_a_region_gets_its_names_in_full_and_the_top_concerns_first(returns):
    add_contact(returns, BRADFORD, "care@bradford.gov.uk", "return contact", "csv")
    reply = build_digest(returns, load_collection(), THURSDAY_9AM, "yorkshire")
    text = to_text(reply)
    assert reply.attachment is None
    assert reply.title.startswith("Daily digest for Yorkshire and The Humber")
    assert [s.heading for s in reply.sections][1:3] == ["Needs attention first",
                                                       "1. Leeds: severity 3"]
    assert "3.1 Access to appropriate PPE: in place in 20 of 50 homes (40%)" in text
    assert "New concerns (2)\n  Leeds, Bradford" in text
    assert "Leeds (valid, CHR-000003); Bradford (letter missing, CHR-000005)" in text
    assert ("Needs fixing or letter missing (1)\n  Bradford (letter missing, CHR-000005)"
            in text)
    assert "Not received (13, due in 1 day)\n  Barnsley, Calderdale," in text
    assert "York\n  None chased yet." in text
    # Every LA without a contact is named, so a person can find one before the chasers go.
    assert "Cannot be chased: no contact (13)\n  no contact on file: Barnsley," in text
    assert "Sheffield" in text.split("Cannot be chased")[1]
    assert "Bradford" not in text.split("Cannot be chased")[1]


def test_the_national_missing_list_is_grouped_with_the_full_list_as_csv(returns):
    reply = build_digest(returns, load_collection(), THURSDAY_9AM, "national")
    text = to_text(reply)
    assert "Needs fixing or letter missing (2)\n  London 1 · Yorkshire and The Humber 1" in text
    assert "Not received (147, due in 1 day)\n  East Midlands 9 · East of England 11 · " in text
    assert "Darlington" not in text         # nationally, names are in the CSV
    rows = list(csv.DictReader(io.StringIO(reply.attachment.text)))
    assert len(rows) == 149
    assert {row["la_code"] for row in rows} >= {HACKNEY, BRADFORD, DARLINGTON}
    assert LEEDS not in {row["la_code"] for row in rows}
    assert {row["contact_problem"] for row in rows} == {"no contact on file"}


def test_a_day_without_change_says_so_in_one_line(returns):
    text = to_text(build_digest(returns, load_collection(), datetime(2020, 6, 2, 9, tzinfo=LONDON_TZ),
                                "london"))
    assert text == ("Daily digest for London, Tue 2 Jun: 2 of 33 returned: 1 valid, 1 needs "
                    "fixing, 0 letter missing; 31 not received; nothing has changed since Mon 1 "
                    "Jun 09:00; the deadline passed 4 days ago (Fri 29 May; 2 working days)")


def test_the_chart_is_a_png_with_every_region_and_the_days(returns):
    data = chart_data(returns, load_collection(), THURSDAY_9AM)
    assert data.returned[-1] == 4 and data.valid[-1] == 2
    figure = draw_chart(data)
    labels = {label.get_text() for axes in figure.axes
              for label in (*axes.get_yticklabels(), *axes.get_xticklabels())}
    assert set(REGIONS) <= labels and "28 May" in labels
    png = to_png(figure)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    assert int.from_bytes(png[16:20], "big") == 1100


def test_print_shows_every_digest_and_uses_nothing_up(settings, returns, capsys):
    assert digest_main(["--print", "--now", "2020-05-28T09:05"], settings) == 0
    out = capsys.readouterr().out
    assert out.count("Daily digest for") == 10
    for region in REGIONS:
        assert f"Daily digest for {region}, Thu 28 May" in out
    claimed = ("digests_posted" in returns.table_names()
               and returns.execute("SELECT COUNT(*) FROM digests_posted").fetchone()[0])
    assert not claimed


def test_the_bot_digest_command_answers_for_the_place_named(settings, collection, returns):
    ctx = Context(returns, settings, collection)
    regional = viewer_from_role("U1", "London")
    assert digest_command(parse("digest"), regional, ctx).title.startswith(
        "Daily digest for London, Thu 28 May")
    assert digest_command(parse("digest yorkshire"), regional, ctx).title.startswith(
        "Daily digest for Yorkshire and The Humber")
    assert "status Leeds" in digest_command(parse("digest leeds"), regional, ctx).title



def test_a_monday_digest_counts_since_friday_not_yesterday(db):
    add_return(db, DARLINGTON, status="valid", received_at="2020-05-29T15:00:00+01:00")
    monday = datetime(2020, 6, 1, 9, 30, tzinfo=LONDON_TZ)
    title = build_digest(db, load_collection(), monday, "national").title
    assert "(+1 valid since Fri)" in title


def test_what_changed_is_the_movement_without_the_standing_lists(returns, settings):
    from bot.changes import changes_reply
    from bot.scope import NATIONAL

    ctx = Context(returns, settings.model_copy(update={"returns_now": THURSDAY_9AM}),
                  load_collection())
    reply = changes_reply(ctx, NATIONAL)
    headings = [part.heading for part in reply.sections]
    assert reply.title == "What changed in England since Wed 27 May 09:00"
    assert headings[0] == "Returns" and any(h.startswith("New returns") for h in headings)
    assert not any(h.startswith(("Not received", "Needs fixing", "Cannot be chased"))
                   for h in headings)
    assert "attached as CSV" not in to_text(reply) and reply.attachment is None


def test_what_changed_on_a_quiet_day_says_so(db, settings):
    from bot.changes import changes_reply
    from bot.scope import NATIONAL

    ctx = Context(db, settings.model_copy(update={"returns_now": THURSDAY_9AM}),
                  load_collection())
    reply = changes_reply(ctx, NATIONAL)
    assert reply.title == "Nothing has changed in England since Wed 27 May 09:00."
