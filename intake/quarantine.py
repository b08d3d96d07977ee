"""What a national user does with a quarantined message: release it as a return, or dismiss it."""

from __future__ import annotations

import json

from intake.handling import Handling
from intake.pipeline import decide_message, record_message
from store.audit import record_audit
from store.collection import Collection
from store.context import Context
from store.db import Database
from store.messages import StoredMessage, get_by_ref, set_disposition
from store.register import authorities_by_code
from store.settings import Settings
from store.transactions import immediate


def release_message(db: Database, settings: Settings, collection: Collection, ref: str,
                    la_code: str, actor: str) -> str:
    """Record a quarantined message as a return from `la_code` (a national user's decision)."""
    message = get_by_ref(db, ref)
    refusal = _not_quarantined(ref, message)
    if refusal or message is None:
        return refusal
    if la_code not in authorities_by_code():
        return f"{la_code} is not an LA code in the register."
    job = Context(db, settings, collection)
    handling = decide_message(job, Handling(message, released_as=la_code, released_by=actor))
    if handling.disposition != "accepted" or handling.la is None:
        return f"{message.ref} cannot be released: {handling.reason}"
    record_message(job, handling)
    record_audit(db, actor, "release", message.ref, json.dumps({"la_code": la_code}))
    status = handling.submission.status if handling.submission else "?"
    return f"{message.ref} released as {handling.la.name}: recorded, {status}."


def dismiss_message(db: Database, ref: str, actor: str, reason: str) -> str:
    """Close a quarantined message without recording a return (kept, marked rejected)."""
    message = get_by_ref(db, ref)
    refusal = _not_quarantined(ref, message)
    if refusal or message is None:
        return refusal
    with immediate(db):
        set_disposition(db, message.id, "rejected", f"dismissed by {actor}: {reason}",
                        la_code=message.la_code, reply_decision="not acknowledged: dismissed")
    record_audit(db, actor, "dismiss", message.ref, reason)
    return f"{message.ref} dismissed."


def _not_quarantined(ref: str, message: StoredMessage | None) -> str:
    if message is None:
        return f"There is no message {ref}."
    if message.disposition != "quarantined":
        return (f"{message.ref} is not in quarantine "
                f"(it is {message.disposition or 'not processed yet'}).")
    return ""
