"""A return file imported by hand: stored as a message like any other, then processed."""

from __future__ import annotations

from email.message import EmailMessage
from hashlib import sha256

from intake.handling import Handling
from intake.pipeline import handle
from store.audit import record_audit
from store.collection import Collection
from store.context import Context
from store.db import Database
from store.messages import StoredMessage, get_message, store_raw
from store.settings import Settings


def import_file(db: Database, settings: Settings, collection: Collection, filename: str,
                data: bytes, *, la_code: str | None, actor: str) -> StoredMessage:
    """Ingest a return file as `actor`, for `la_code` (or the LA the file names)."""
    # The same file imported twice is the same message: stored once.
    message_id = f"<import-{sha256(data).hexdigest()[:32]}@import.local>"
    raw = _wrap_file(filename, data, actor, message_id)
    message, _ = store_raw(db, raw, message_id=message_id, mail_from="",
                           rcpt_to=[], collection_time=settings.now(), peer="import",
                           subject=f"Imported by hand: {filename}")
    if message.disposition is None:
        handle(Context(db, settings, collection),
               Handling(message, released_as=la_code, vouched=True))
        record_audit(db, actor, "import", message.ref, filename)
    return get_message(db, message.id) or message


def _wrap_file(filename: str, data: bytes, actor: str, message_id: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"{actor} (import) <import@localhost>"
    mail["Subject"] = f"Imported by hand: {filename}"
    mail["Message-ID"] = message_id
    mail.set_content(f"Return file {filename} imported by {actor}.")
    mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return mail.as_bytes()
