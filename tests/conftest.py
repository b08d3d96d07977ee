"""Shared fixtures: a settings object built from a dict, a real database in tmp_path, and the
Slack app served over real HTTP against a fake Slack Web API."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from bot.app import build_app
from bot.web import build_web_app
from store.collection import Collection, load_collection
from store.context import Context
from store.db import open_db
from store.register import load_into
from store.settings import Settings
from tests.bot_helpers import LONDON, NATIONAL, SIGNING_SECRET, FakeSlack, add_return
from tests.signal_helpers import TUESDAY, fill_london

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_bytes(*parts: str) -> bytes:
    """A file under ../shared; the calling test is skipped where ../shared is absent (a clone
    on its own, as deployed)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared is not beside this clone")
    return path.read_bytes()


def settings_in(folder: Path) -> Settings:
    """The tests' settings: a store in `folder`, the collection clock at Thursday noon."""
    return Settings(
        _env_file=None,
        returns_db=folder / "returns.db",
        returns_data_dir=folder / "data",
        returns_now="2020-05-28T12:00:00+01:00",
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_in(tmp_path)


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for a store a whole module shares (built once, then only read)."""
    return settings_in(tmp_path_factory.mktemp("shared"))


@pytest.fixture
def collection() -> Collection:
    return load_collection()


@pytest.fixture
def db(settings: Settings):
    database = open_db(settings.returns_db)
    load_into(database)
    yield database
    database.close()


@pytest.fixture
def london(db, settings, collection) -> Context:
    """A store of eight London returns whose concerns' ranking is known (tests/signal_helpers.py),
    seen on the Tuesday after the deadline."""
    fill_london(db)
    return Context(db, settings.model_copy(update={"returns_now": TUESDAY}), collection)


@pytest.fixture
async def slack() -> FakeSlack:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(settings, collection, db, slack, tmp_path: Path):
    """The bot app served by aiohttp on an ephemeral port; yields its events URL."""
    roles = tmp_path / "roles.csv"
    roles.write_text(f"user_id,role\n{NATIONAL},national\n{LONDON},london\n")
    add_return(db, "E09000003", homes={"2.1": 10})                  # Barnet
    add_return(db, "E09000007", status="invalid")                    # Camden
    add_return(db, "E08000035")                                      # Leeds
    slack_settings = settings.model_copy(update={
        "slack_bot_token": "xoxb-test", "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": f"{slack.base_url}/api/", "bot_roles": roles})
    loop_db = open_db(slack_settings.returns_db, migrate=False)
    runner = web.AppRunner(build_web_app(build_app(slack_settings, collection, loop_db),
                                         slack_settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    await runner.cleanup()
    loop_db.close()
