"""The pipeline's reply step: whether to acknowledge a message, and the acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.handling import Handling
from intake.identify import authorities_owning
from intake.receipt import Receipt
from intake.replies import compose_ack
from intake.reply_rules import looks_like_a_return, who_gets_a_reply
from store.context import Context
from store.messages import StoredMessage
from store.outbox import queue_mail, replies_to_sender_since


def reply(job: Context, handling: Handling) -> Handling:
    """Acknowledge by the reply rules: the acknowledgement is composed once, here, and queued."""
    message, reading = handling.message, handling.reading
    assert handling.disposition is not None
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    verdict = who_gets_a_reply(handling.disposition, looks_like_return=looks_like_a_return(reading),
                               from_a_council=_from_a_council(message), headers=reading.headers,
                               mail_from=message.mail_from,
                               own_addresses=(*job.settings.inbox_addresses, job.settings.mail_from),
                               count_recent_replies=lambda: replies_to_sender_since(
                                   job.db, message.mail_from, hour_ago))
    if not verdict.send or verdict.to is None:
        return handling.knowing(reply_decision=f"not acknowledged: {verdict.reason}")
    receipt = Receipt(
        ref=message.ref, disposition=handling.disposition, reason=handling.reason,
        received=datetime.fromisoformat(message.collection_time), files=reading.files,
        la_name=handling.la.name if handling.la else None, version=handling.version,
        submission=handling.submission,
    )
    mail = compose_ack(receipt, to=verdict.to, mail_from=job.settings.mail_from,
                       original_message_id=message.message_id, collection=job.collection)
    key = f"ack:{message.ref}" + (f":v{handling.version}" if handling.version
                                  else f":{handling.disposition}")
    queue_mail(job.db, kind="ack", dedupe_key=key, recipients=[verdict.to], raw=mail,
               message_id=message.id, la_code=handling.la.code if handling.la else None,
               collection_time=job.settings.now())
    return handling.knowing(reply_decision=f"acknowledged to {verdict.to}")


def _from_a_council(message: StoredMessage) -> bool:
    domain = message.mail_from.rpartition("@")[2].lower()
    return bool(domain) and bool(authorities_owning(domain))
