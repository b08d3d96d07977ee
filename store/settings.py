"""The one settings object, read once at start-up from the environment and `.env`.

Each field is read from the environment variable of its name in capitals (any case matches),
else from the line of that name in `.env` in the working directory, else its default; a value
passed to `Settings(...)` comes before both, and `Settings(_env_file=None)` reads no `.env`.
That is pydantic-settings' order; this module reads them itself because importing
pydantic-settings (with pydantic) costs every command line about 0.15 s of CPU, most of what
`python -m store export` may take. Each value is checked against its field's type
(store/typed.py), and a wrong one is refused naming its variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_type_hints

from store.collection import load_collection
from store.typed import convert

DEFAULT_INBOX = "careandreform2@communities.gov.uk"
ENV_FILE = Path(".env")
# Comma lists in the environment: their parts, trimmed and lower-cased.
_LISTS = {"inbox_addresses", "trusted_authserv_ids", "extra_sender_domains"}
# An empty value of these is no value (e.g. `RELAY_HOST=` in a .env).
_BLANK_IS_UNSET = {"relay_host", "slack_bot_token", "slack_signing_secret"}


@dataclass(frozen=True, init=False)
class Settings:
    """Every setting the service reads (DESIGN section 4); names are the contract."""

    returns_db: Path = Path("data/returns.db")
    returns_data_dir: Path = Path("data")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    inbox_addresses: tuple[str, ...] = (DEFAULT_INBOX,)
    max_message_bytes: int = 26_214_400
    relay_host: str | None = None
    relay_port: int = 25
    mail_from: str = ""
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    bot_host: str = "127.0.0.1"
    bot_port: int = 3000
    bot_roles: Path | None = None
    digest_channels: Path | None = None
    collection: Path | None = None
    returns_now: datetime | None = None
    # Authentication-Results from these authserv-ids (our own relays) are believed; any other
    # hop's are ignored, since anyone can write the header.
    trusted_authserv_ids: tuple[str, ...] = ()
    # Sender domains accepted for any LA on top of the register's own (e.g. a shared service).
    extra_sender_domains: tuple[str, ...] = ()

    def __init__(self, _env_file: Path | str | None = ENV_FILE, **given: Any) -> None:
        found = {**_env_file_values(_env_file), **_environment()}
        hints = get_type_hints(Settings)
        for field in fields(self):
            value = given.get(field.name, found.get(field.name, field.default))
            object.__setattr__(self, field.name, convert(hints[field.name],
                                                         _tidy(field.name, value),
                                                         field.name.upper()))
        if not self.mail_from:
            object.__setattr__(self, "mail_from", self.inbox_addresses[0])
        if self.returns_now is not None and self.returns_now.tzinfo is None:
            # A naive RETURNS_NOW is wall-clock time where the collection is run, as people
            # write it.
            zone = load_collection(self.collection).zone
            object.__setattr__(self, "returns_now", self.returns_now.replace(tzinfo=zone))

    @property
    def outbox_dir(self) -> Path:
        """Where outgoing mail is written as .eml files when no relay is set."""
        return self.returns_data_dir / "outbox"

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    def now(self) -> datetime:
        """The collection clock: RETURNS_NOW when set (demos, tests), else the real time."""
        return self.returns_now or datetime.now(UTC)


def _tidy(name: str, value: object) -> object:
    if name in _LISTS and isinstance(value, str):
        return tuple(part.strip().lower() for part in value.split(",") if part.strip())
    if name in _BLANK_IS_UNSET and value == "":
        return None
    return value


def _environment() -> dict[str, str]:
    """The process's environment by lower-case name, as the fields are named."""
    return {name.lower(): value for name, value in os.environ.items()}


def _env_file_values(path: Path | str | None) -> dict[str, str]:
    """The settings in a `.env` file by lower-case name ({} when there is none)."""
    if path is None or not Path(path).is_file():
        return {}
    from dotenv import dotenv_values  # only where a .env exists: most runs have none

    return {name.lower(): value for name, value in dotenv_values(path, encoding="utf-8").items()
            if value is not None}
