"""Shared fixtures: a settings object built from a dict, and a real database in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.collection import Collection, load_collection
from store.db import open_db
from store.register import load_into
from store.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        returns_db=tmp_path / "returns.db",
        returns_data_dir=tmp_path / "data",
        returns_now="2020-05-28T12:00:00+01:00",
    )


@pytest.fixture
def collection() -> Collection:
    return load_collection()


@pytest.fixture
def db(settings: Settings):
    database = open_db(settings.returns_db)
    load_into(database)
    yield database
    database.close()
