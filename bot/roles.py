"""Who may ask what: `BOT_ROLES` maps Slack user ids to `national` or a region."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.scope import NATIONAL, Scope, region_scope

log = logging.getLogger(__name__)


class UnknownRole(ValueError):
    """A role that is neither `national` nor a region we can match."""


@dataclass(frozen=True)
class Viewer:
    """The person asking. `home` is None for someone we do not know."""

    user_id: str
    home: Scope | None

    @property
    def known(self) -> bool:
        return self.home is not None

    @property
    def national(self) -> bool:
        return self.home is not None and self.home.kind == "national"


def viewer_from_role(user_id: str, role: str) -> Viewer:
    """A viewer for `role` ('national' or a region name, matched forgivingly)."""
    if role.strip().lower() in ("national", "nat", "england", "all"):
        return Viewer(user_id, NATIONAL)
    scope = region_scope(role)
    if scope is None:
        raise UnknownRole(f"{role!r} is neither 'national' nor a region")
    return Viewer(user_id, scope)


def load_roles(path: Path | None) -> dict[str, Viewer]:
    """Read the `user_id,role` CSV; rows with an unknown role are logged and skipped."""
    if path is None:
        return {}
    viewers: dict[str, Viewer] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            user_id = (row.get("user_id") or "").strip()
            role = (row.get("role") or "").strip()
            if not user_id:
                continue
            try:
                viewers[user_id] = viewer_from_role(user_id, role)
            except UnknownRole as error:
                log.warning("BOT_ROLES: skipping %s: %s", user_id, error)
    return viewers


def viewer_for(user_id: str, roles: dict[str, Viewer]) -> Viewer:
    """The viewer for a Slack user; unknown users get a viewer with no home (refused)."""
    return roles.get(user_id) or Viewer(user_id, None)
