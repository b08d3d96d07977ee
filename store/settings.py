"""The one settings object, read once at start-up from the environment and `.env`.

Each field is read from the environment variable of its name in capitals (any case matches),
else from the line of that name in `.env` in the working directory, else its default; a value
passed to `Settings(...)` comes before both, and `Settings(_env_file=None)` reads no `.env`.
That is what pydantic-settings does with this class's fields; this module does it itself
because importing pydantic-settings costs every command line about 0.1 s of CPU (it loads
asyncio, its every source and their parsers), half of what `python -m store export` may take.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from store.collection import load_collection

DEFAULT_INBOX = "careandreform2@communities.gov.uk"
ENV_FILE = Path(".env")


class Settings(BaseModel):
    """Every setting the service reads (DESIGN section 4); names are the contract."""

    model_config = ConfigDict(extra="ignore", frozen=True)

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

    @model_validator(mode="before")
    @classmethod
    def _read_the_environment(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        given = dict(given)
        env_file = given.pop("_env_file", ENV_FILE)
        found = {**_env_file_values(env_file), **_environment()}
        return {**{name: found[name] for name in cls.model_fields if name in found}, **given}

    @field_validator(
        "inbox_addresses", "trusted_authserv_ids", "extra_sender_domains", mode="before"
    )
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("relay_host", "slack_bot_token", "slack_signing_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _now_in_the_collections_zone(self) -> Settings:
        # A naive RETURNS_NOW is wall-clock time where the collection is run, as people write it.
        if self.returns_now is not None and self.returns_now.tzinfo is None:
            zone = load_collection(self.collection).zone
            object.__setattr__(self, "returns_now", self.returns_now.replace(tzinfo=zone))
        return self

    @model_validator(mode="after")
    def _default_mail_from(self) -> Settings:
        if not self.mail_from:
            object.__setattr__(self, "mail_from", self.inbox_addresses[0])
        return self

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
