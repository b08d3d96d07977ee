"""The one settings object, read once at start-up from the environment and `.env`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from store.collection import load_collection

DEFAULT_INBOX = "careandreform2@communities.gov.uk"


class Settings(BaseSettings):
    """Every setting the service reads (DESIGN section 4); names are the contract."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    returns_db: Path = Path("data/returns.db")
    returns_data_dir: Path = Path("data")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    inbox_addresses: Annotated[tuple[str, ...], NoDecode] = (DEFAULT_INBOX,)
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
    trusted_authserv_ids: Annotated[tuple[str, ...], NoDecode] = ()
    # Sender domains accepted for any LA on top of the register's own (e.g. a shared service).
    extra_sender_domains: Annotated[tuple[str, ...], NoDecode] = ()

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
