"""The bot's answers agree with the exports on a store filled by `python -m intake send-sample`
through the real intake."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterator

import pytest

from bot.commands import answer
from bot.digest import build_digest
from bot.render_text import to_text
from bot.roles import viewer_from_role
from intake.service import IntakeService
from store.collection import Collection, load_collection
from store.context import Context
from store.db import open_db
from store.exports import export_rows
from store.settings import Settings

NATIONAL = viewer_from_role("UNAT", "national")


@pytest.fixture(scope="module")
def filled(module_settings) -> Iterator[Context]:
    """A store filled by 60 synthetic returns that `send-sample` mails to the real intake, once
    for the module: every test here only reads it."""
    collection = load_collection()
    asyncio.run(send_through_the_intake(module_settings, collection))
    db = open_db(module_settings.returns_db)
    yield Context(db, module_settings, collection)
    db.close()


async def send_through_the_intake(settings: Settings, collection: Collection) -> None:
    service = IntakeService(settings.model_copy(update={"smtp_port": 0}), collection)
    await service.start()
    try:
        sender = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "intake", "send-sample", "--count", "60", "--seed", "3",
            "--host", "127.0.0.1", "--port", str(service.port),
            "--to", settings.inbox_addresses[0], stdout=asyncio.subprocess.DEVNULL)
        assert await asyncio.wait_for(sender.wait(), 120) == 0
        await asyncio.wait_for(service.idle.wait(), 60)
    finally:
        await service.stop()


def ask(ctx: Context, text: str) -> str:
    return to_text(answer(text, NATIONAL, ctx))


def test_missing_london_lists_exactly_the_london_las_without_a_valid_return(filled):
    authorities = list(export_rows(filled.db, "authorities"))
    expected = {a["la_name"] for a in authorities
                if a["region"] == "London" and a["status"] != "valid"}
    reply = ask(filled, "missing London")
    listed = {line.strip().split(":")[0] for line in reply.splitlines()[1:] if ":" in line}
    assert listed == expected
    assert reply.startswith(f"{len(expected)} of 33 LAs in London have no valid return")


TALLY = re.compile(r"(\d+) of (\d+) returned: (\d+) valid, (\d+) needs? fixing, "
                   r"(\d+) letter missing; (\d+) not received")


def export_tally(authorities: list[dict]) -> tuple[int, ...]:
    """(returned, LAs, valid, needs fixing, letter missing, not received) from the export."""
    statuses = [a["status"] for a in authorities]
    return (len(statuses) - statuses.count("missing"), len(statuses), statuses.count("valid"),
            statuses.count("invalid"), statuses.count("incomplete"), statuses.count("missing"))


def tallies(text: str) -> list[tuple[int, ...]]:
    return [tuple(int(n) for n in match) for match in TALLY.findall(text)]


def test_status_digest_and_exports_agree_on_every_count(filled):
    authorities = list(export_rows(filled.db, "authorities"))
    national = export_tally(authorities)
    assert national[0] and national[3] and national[5], "the samples hold every kind of state"
    by_region = {region: export_tally([a for a in authorities if a["region"] == region])
                 for region in {a["region"] for a in authorities}}
    status = ask(filled, "status")
    assert tallies(status.splitlines()[0]) == [national]
    assert sorted(tallies(status)[1:]) == sorted([national, *by_region.values()])
    digest = to_text(build_digest(filled.db, filled.collection, filled.settings.now(), "national"))
    assert tallies(digest.splitlines()[0]) == [national]
    for region, expected in by_region.items():
        assert tallies(ask(filled, f"status {region}").splitlines()[0]) == [expected]
    missing = 151 - national[2]
    assert ask(filled, "missing").startswith(f"{missing} of 151 LAs have no valid return")


def test_the_counting_version_is_the_same_in_every_export(filled):
    counting = {row["la_code"]: (row["version"], row["status"])
                for row in export_rows(filled.db, "submissions") if row["counts"]}
    standing = {row["la_code"]: (row["version"], row["status"])
                for row in export_rows(filled.db, "authorities") if row["status"] != "missing"}
    answered = {(row["la_code"], row["version"], row["status"])
                for row in export_rows(filled.db, "answers")}
    assert counting == standing
    assert answered <= {(code, *state) for code, state in counting.items()}


def test_an_la_view_shows_the_figures_of_its_counting_version(filled):
    answers = [a for a in export_rows(filled.db, "answers") if a["status"] == "valid"]
    la_code = answers[0]["la_code"]
    la_name = answers[0]["la_name"]
    reply = ask(filled, f"status {la_name}")
    total = answers[0]["total_care_homes"]
    for row in (a for a in answers if a["la_code"] == la_code):
        assert f"{row['action']} " in reply
        assert f"{row['homes_in_place']} of {total}" in reply


def test_concerns_name_every_action_below_the_coverage_threshold(filled):
    low = [a for a in export_rows(filled.db, "answers")
           if a["homes_in_place"] != "" and a["homes_in_place"] is not None
           and a["total_care_homes"] and a["homes_in_place"] / a["total_care_homes"] < 0.8]
    assert low, "the samples include low coverage (testing in May 2020)"
    la_name = low[0]["la_name"]
    reply = ask(filled, f"concerns {la_name}")
    for row in (a for a in low if a["la_name"] == la_name):
        assert row["action"] in reply and f"{row['homes_in_place']} of" in reply
