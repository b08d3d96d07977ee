"""Real bounce and automatic mail from real mail servers: stored, disposed of, never answered."""

from __future__ import annotations

import asyncio
import smtplib
from pathlib import Path

import pytest

from intake.service import IntakeService
from store.db import open_db
from tests.conftest import SHARED
from tests.smtp_helpers import INBOX

CORPUS = SHARED / "corpora" / "bounces"
FOLDERS = ("bsd", "dos", "mac")


def corpus_files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (CORPUS / folder).glob("*.eml"))


def replay(port: int, files: list[Path]) -> list[int]:
    """Send every file as is with a null envelope sender, as real bounces arrive."""
    codes = []
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        for path in files:
            try:
                client.sendmail("", [INBOX], path.read_bytes())
                codes.append(250)
            except smtplib.SMTPResponseException as refusal:
                codes.append(refusal.smtp_code)
                client.rset()
    return codes


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpora is not beside the repo")
async def test_every_real_bounce_is_stored_disposed_of_and_not_acknowledged(settings, collection):
    files = corpus_files()
    assert len(files) == 789
    service = IntakeService(settings.model_copy(update={"smtp_port": 0}), collection)
    await service.start()
    try:
        codes = await asyncio.to_thread(replay, service.port, files)
        assert codes == [250] * len(files)
        await asyncio.wait_for(service.idle.wait(), 240)
    finally:
        await service.stop()

    db = open_db(settings.returns_db)
    dispositions = dict(db.execute(
        "SELECT COALESCE(disposition, 'none'), COUNT(*) FROM messages GROUP BY 1").fetchall())
    stored = sum(dispositions.values())
    assert stored == len({p.read_bytes() for p in files})   # identical files are stored once
    assert "none" not in dispositions
    assert db.execute("SELECT COUNT(*) FROM messages WHERE reason IS NULL OR reason = ''"
                      ).fetchone()[0] == 0
    assert db["outbox"].count == 0
    assert not list(settings.outbox_dir.glob("*.eml"))
