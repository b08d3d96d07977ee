"""Changes between versions, on the values as read: two real returns over SMTP, then the bot."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.commands import answer
from bot.render_text import to_text
from bot.roles import viewer_from_role
from intake.samples.grids import ActionAnswer
from intake.service import IntakeService
from store.context import Context
from store.db import open_db
from store.exports import export_rows
from tests.smtp_helpers import send_message
from tests.test_intake_flow import leeds_return, return_mail

SENDER = "asha.patel@leeds.gov.uk"
# (support as written in version 1, in version 2): the same answer in other words.
SAME_ANSWERS = [("No", "NO"), ("no.", "No"), ("N", "NO"), ("No", "no"), ("Yes", "YES"),
                ("Y", "Yes"), ("yes - more PPE", "Yes: More  PPE"), ("✗", "No")]


def version(support: list[str], homes_45: int, issue: str, number: int) -> bytes:
    actions = [ActionAnswer(a.code, 40, support[n] if n < len(support) else "No")
               for n, a in enumerate(leeds_return().actions)]
    actions[-3] = ActionAnswer("4.5", homes_45, "No", issues=issue)
    content = replace(leeds_return(actions=tuple(actions)), total_raw=150)
    return return_mail(content, message_id=f"<v{number}@leeds.gov.uk>")


@pytest.fixture
async def two_versions(settings, collection):
    service = IntakeService(settings.model_copy(update={"smtp_port": 0}), collection)
    await service.start()
    try:
        first = [old for old, _ in SAME_ANSWERS]
        second = [new for _, new in SAME_ANSWERS]
        for number, (support, homes, issue) in enumerate(
                [(first, 84, "Staffing  is short"), (second, 120, "staffing is short")], 1):
            await send_message(service.port, version(support, homes, issue, number),
                               mail_from=SENDER)
            await asyncio.wait_for(service.idle.wait(), 30)
            while len(list(export_rows(open_db(settings.returns_db), "submissions"))) < number:
                await asyncio.sleep(0.05)
                await asyncio.wait_for(service.idle.wait(), 30)
    finally:
        await service.stop()
    db = open_db(settings.returns_db)
    yield Context(db, settings, collection)
    db.close()


def test_only_the_count_that_moved_is_a_change(two_versions):
    versions = list(export_rows(two_versions.db, "submissions"))
    assert [v["version"] for v in versions] == [1, 2]
    text = to_text(answer("status Leeds", viewer_from_role("UNAT", "national"), two_versions))
    changes = text.split("Changes from version 1 to 2", 1)[1].strip().splitlines()
    assert changes == ["4.5 homes: 84 → 120"], text
