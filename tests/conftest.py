"""Shared fixtures: a settings object built from a dict, and a real database in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.collection import Collection, load_collection
from store.db import open_db
from store.register import load_into
from store.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"


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
