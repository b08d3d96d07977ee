"""Chasers on the 2020 schedule, walked through with frozen time against a real store."""

from __future__ import annotations

import email
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from email import policy
from zoneinfo import ZoneInfo

import pytest

from bot.chase_command import CONFIRM_ACTION, chase_command
from bot.parsing import parse
from bot.roles import viewer_from_role
from intake.chase_cli import chase_main
from intake.chasing.letter import chaser_text
from intake.chasing.run import chase_now, run_slot
from intake.chasing.schedule import due_slot
from intake.chasing.states import LaState
from store.collection import Collection
from store.contacts import add_contact
from store.context import Context
from store.db import open_db
from store.picture import NOT_RECEIVED, standings
from store.submissions import Finding
from tests.bot_helpers import add_return

LONDON = ZoneInfo("Europe/London")
LEEDS, DARLINGTON, BRISTOL, CAMDEN = "E08000035", "E06000005", "E06000023", "E09000007"
ASHA, DIRECTOR, DARLO = "asha.patel@leeds.gov.uk", "dass@leeds.gov.uk", "returns@darlington.gov.uk"
BRISTOL_CONTACT = "care@bristol.gov.uk"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def contacts(db):
    add_contact(db, LEEDS, ASHA, "return contact", "csv")
    add_contact(db, LEEDS, DIRECTOR, "director of adult social services", "csv")
    add_contact(db, DARLINGTON, DARLO, "return contact", "template")
    add_contact(db, BRISTOL, BRISTOL_CONTACT, "return contact", "sender")
    return db


def chasers(db, slot: str) -> dict[str, email.message.EmailMessage]:
    """The chasers queued for one slot (or 'manual:<date>'), by LA code."""
    rows = db.query("SELECT la_code, raw FROM outbox JOIN outbox_raw USING (id) "
                    "WHERE kind = 'chaser' AND dedupe_key LIKE ?", [f"chase:%:{slot}"])
    return {row["la_code"]: email.message_from_bytes(row["raw"], policy=policy.default)
            for row in rows}


def addressed(mails: dict) -> dict[str, tuple[str | None, str | None]]:
    return {code: (mail["To"], mail["Cc"]) for code, mail in mails.items()}


@pytest.mark.parametrize(("moment", "slot"), [
    ("2020-05-25T12:00", None),                 # bank holiday, before the first slot
    ("2020-05-26T09:59", None),
    ("2020-05-26T10:00", date(2020, 5, 26)),    # 3rd working day before the deadline
    ("2020-05-27T18:00", date(2020, 5, 26)),
    ("2020-05-28T10:30", date(2020, 5, 28)),    # 1st working day before
    ("2020-05-29T23:00", date(2020, 5, 29)),    # deadline day
    ("2020-05-30T12:00", date(2020, 5, 29)),    # Saturday: no slot of its own
    ("2020-06-01T09:00", date(2020, 5, 29)),
    ("2020-06-01T10:00", date(2020, 6, 1)),     # each working day after
    ("2020-06-03T11:00", date(2020, 6, 3)),
])
def test_the_slot_due_is_the_latest_at_or_before_the_moment(collection, moment, slot):
    due = due_slot(collection, at(moment))
    assert (due.day if due else None) == slot


def test_a_week_of_chasing_follows_the_schedule_and_the_ladder(settings, collection, contacts):
    db = contacts
    first = run_slot(db, settings, collection, at("2020-05-26T10:05"))
    assert {c.state.la_code for c in first.queued} == {LEEDS, DARLINGTON, BRISTOL}
    assert addressed(chasers(db, "2020-05-26")) == {
        LEEDS: (ASHA, None), DARLINGTON: (DARLO, None), BRISTOL: (BRISTOL_CONTACT, None)}
    assert CAMDEN in {item.state.la_code for item in first.no_contact}

    # A second run, and a second process on the same store, queue nothing more.
    assert run_slot(db, settings, collection, at("2020-05-26T10:06")).queued == ()
    other = open_db(settings.returns_db)
    assert len(run_slot(other, settings, collection, at("2020-05-26T16:00")).already) == 3
    other.close()

    add_return(db, BRISTOL, received_at="2020-05-27T15:00:00+01:00", status="valid")
    thursday = run_slot(db, settings, collection, at("2020-05-28T10:00"))
    assert {c.state.la_code for c in thursday.queued} == {LEEDS, DARLINGTON}
    assert BRISTOL in thursday.valid

    assert {c.state.la_code for c in run_slot(db, settings, collection,
                                        at("2020-05-29T10:01")).queued} == {LEEDS, DARLINGTON}
    assert run_slot(db, settings, collection, at("2020-05-30T11:00")).queued == ()

    run_slot(db, settings, collection, at("2020-06-01T10:00"))
    assert addressed(chasers(db, "2020-06-01")) == {
        LEEDS: (ASHA, DIRECTOR), DARLINGTON: (DARLO, None)}
    per_slot = db.execute("SELECT substr(dedupe_key, 17), COUNT(*) FROM outbox "
                          "GROUP BY 1 ORDER BY 1").fetchall()
    assert per_slot == [("2020-05-26", 3), ("2020-05-28", 2), ("2020-05-29", 2),
                        ("2020-06-01", 2)]


def test_two_processes_at_once_queue_one_chaser_per_la(settings, collection, contacts):
    def run(_: int) -> int:
        db = open_db(settings.returns_db, migrate=False)
        try:
            return len(run_slot(db, settings, collection, at("2020-05-28T10:00")).queued)
        finally:
            db.close()

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(run, range(4))) == 3
    assert len(chasers(contacts, "2020-05-28")) == 3


def test_a_chaser_says_exactly_what_to_fix_and_where_to_send(settings, collection, contacts):
    db = contacts
    ref = add_return(db, LEEDS, status="invalid", received_at="2020-05-27T14:03:00+01:00",
                     findings=(Finding("error", "Yes or No has not been chosen", "3.1",
                                       "Template!D12"),
                               Finding("error", "60 care homes is more than your total of 52",
                                       "1.1", "Template!C7"),
                               Finding("query", "a count identical in every row")))
    run_slot(db, settings, collection, at("2020-06-01T10:00"))
    mail = chasers(db, "2020-06-01")[LEEDS]
    body = mail.get_content()
    assert "needs fixing" in mail["Subject"] and "1 working day overdue" in mail["Subject"]
    assert f"version 1 of your return on Wednesday 27 May at 14:03 (reference {ref})" in body
    assert "WHAT TO FIX (2):" in body
    assert "1. [action 3.1, cell Template!D12] Yes or No has not been chosen" in body
    assert "2. [action 1.1, cell Template!C7] 60 care homes is more than" in body
    assert "identical in every row" not in body
    assert "Friday 29 May 2020 at 23:59" in body and "now 1 working day late" in body
    assert "careandreform2@communities.gov.uk" in body
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert mail["Bcc"] is None
    missing = chasers(db, "2020-06-01")[DARLINGTON].get_content()
    assert "we have not received a return from you" in missing


def test_unsafe_or_absent_addresses_are_reported_not_used(settings, collection, db):
    add_contact(db, CAMDEN, "ops@camden.gov.uk\r\nRCPT TO:<x@evil.example>", "return contact",
                "sender")
    add_contact(db, LEEDS, DIRECTOR, "director of adult social services", "csv")
    before = {item.state.la_code: item.reason for item in
              run_slot(db, settings, collection, at("2020-05-28T10:00")).no_contact}
    assert before[CAMDEN].startswith("no usable address")
    assert before[LEEDS].startswith("no contact in a role chased today")
    assert before[DARLINGTON] == "no contact on file"
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    # Once the ladder reaches the director, a senior contact alone still gets the chaser.
    after = run_slot(db, settings, collection, at("2020-06-01T10:00"))
    assert [(c.state.la_code, c.to, c.cc) for c in after.queued] == [(LEEDS, (DIRECTOR,), ())]


def test_on_demand_chasing_is_once_a_day_and_never_to_a_valid_la(settings, collection, contacts):
    db = contacts
    add_return(db, BRISTOL, status="valid")
    result = chase_now(db, settings, collection, [LEEDS, BRISTOL, CAMDEN], "U123")
    assert [c.state.la_code for c in result.queued] == [LEEDS]
    assert result.valid == (BRISTOL,) and [n.state.la_code for n in result.no_contact] == [CAMDEN]
    again = chase_now(db, settings, collection, [LEEDS], "U123")
    assert again.queued == () and [c.state.la_code for c in again.already] == [LEEDS]
    assert set(chasers(db, "manual:2020-05-28")) == {LEEDS}
    chased = {row["la_code"]: row["last_chased"] for row in standings(db) if row["last_chased"]}
    assert {code: datetime.fromisoformat(at) for code, at in chased.items()} == {
        LEEDS: settings.now()}
    [audit] = db.query("SELECT actor, action, detail FROM audit")
    assert audit == {"actor": "U123", "action": "chase", "detail": LEEDS}


def test_the_command_line_runs_the_due_slot_once(settings, contacts, capsys):
    assert chase_main(["--now", "2020-05-25T12:00"], settings) == 0
    assert "No chase slot is due at Mon 25 May 2020 12:00" in capsys.readouterr().out

    assert chase_main(["--now", "2020-05-26T10:05", "--dry-run"], settings) == 0
    dry = capsys.readouterr().out
    assert "would queue 3 chasers" in dry and f"Leeds ({LEEDS}): no return received" in dry
    assert "148 LAs need chasing but have no contact" in dry
    assert contacts.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0

    assert chase_main(["--now", "2020-05-26T10:05"], settings) == 0
    assert "queued 3 chasers; 0 already queued" in capsys.readouterr().out
    assert chase_main(["--now", "2020-05-26T11:00"], settings) == 0
    assert "queued 0 chasers; 3 already queued" in capsys.readouterr().out


def test_the_bot_previews_then_queues_on_confirmation(settings, collection, contacts):
    ctx = Context(contacts, settings, collection)
    national = viewer_from_role("UNAT", "national")
    preview = chase_command(parse("chase missing Yorkshire"), national, ctx)
    assert preview.title.startswith("Chase 1 LA in Yorkshire and The Humber?")
    [button] = preview.buttons
    assert button.action_id == CONFIRM_ACTION and button.value == f"chase {LEEDS} confirm"
    assert contacts.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0

    done = chase_command(parse(button.value), national, ctx)
    assert done.title.startswith("Queued 1 chaser in Leeds.")
    assert set(chasers(contacts, "manual:2020-05-28")) == {LEEDS}
    again = chase_command(parse(button.value), national, ctx)
    assert again.title.startswith("Queued 0 chasers") and "Already chased today (1)" in (
        again.sections[0].heading)

    regional = viewer_from_role("UNE", "North East")
    refused = chase_command(parse(button.value), regional, ctx)
    assert refused.ephemeral and "North East only" in refused.title
    everyone = chase_command(parse("chase"), national, ctx)
    assert len(everyone.buttons[0].value) < 2000    # Slack's limit on a button's value


def test_a_chaser_names_the_collections_own_time_zone(settings, collection):
    elsewhere = Collection.model_validate({**collection.model_dump(),
                                           "timezone": "America/New_York", "timezone_words": ""})
    state = LaState(DARLINGTON, "Darlington", "North East", NOT_RECEIVED, None, None, None, "", ())
    now = at("2020-05-28T12:00")
    assert "May 2020 at 23:59 (UK time)" in chaser_text(state, settings=settings,
                                                       collection=collection, now=now)
    assert "May 2020 at 23:59 (America/New_York time)" in chaser_text(
        state, settings=settings, collection=elsewhere, now=now)
