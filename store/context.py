"""What every step of the intake's pipeline and every bot command works with: the store, the
settings and the collection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.collection import Collection
from store.db import Database
from store.settings import Settings


@dataclass(frozen=True)
class Context:
    """The store, the settings and the collection, read once at the edge and passed down."""

    db: Database
    settings: Settings
    collection: Collection

    @property
    def now(self) -> datetime:
        """The collection clock (RETURNS_NOW in demos and tests)."""
        return self.settings.now()
