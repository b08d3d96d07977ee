"""The acknowledgement mail: the receipt as plain text and HTML (multipart/alternative), with
the RFC 3834 headers and threading that survives Office 365's long Message-IDs.

Python's email package RFC 2047-encodes a long header with no spaces in it
(python/cpython#100991), and Outlook then loses the thread. So the `In-Reply-To` and
`References` lines are written here, as one plain `<msg-id>` each, however long.

Pure: composes the bytes; the caller queues them in the outbox.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from intake.receipt import Receipt, title_of, view_of
from intake.receipt_html import receipt_html
from intake.receipt_text import receipt_text
from store.collection import Collection

# RFC 5322 keeps a header line under 998 characters; "References: " takes 12 of them.
MAX_MSG_ID = 980
# A msg-id as mail systems really write it: printable ASCII, no spaces or angle brackets.
_ID_PART = r"[\x21-\x3b\x3d\x3f-\x7e]+"
_MSG_ID = re.compile(rf"<({_ID_PART}@{_ID_PART})>")
_BARE_MSG_ID = re.compile(rf"{_ID_PART}@{_ID_PART}")
# Short enough to read whole in a mail list (Outlook shows about 70 characters).
MAX_SUBJECT = 70


def compose_ack(receipt: Receipt, *, to: str, mail_from: str, original_message_id: str,
                collection: Collection) -> bytes:
    """The acknowledgement for one message, ready to send."""
    view = view_of(receipt, collection)
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = to
    mail["Subject"] = subject_of(receipt)
    mail["Date"] = format_datetime(receipt.received)
    mail["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-replied"
    mail["X-Auto-Response-Suppress"] = "All"
    mail["Precedence"] = "auto_reply"
    mail.set_content(receipt_text(view, collection.short_name))
    mail.add_alternative(receipt_html(view, collection.short_name), subtype="html")
    return threading_headers(original_message_id) + mail.as_bytes()


def subject_of(receipt: Receipt) -> str:
    """'Return from Leeds received: needs fixing (CHR-000042)': the council's name is left out
    when the whole would not fit in a mail list; the result and the reference never are."""
    subject = f"{title_of(receipt)} ({receipt.ref})"
    if len(subject) <= MAX_SUBJECT:
        return subject
    return f"{title_of(receipt, name_council=False)} ({receipt.ref})"


def plain_msg_id(value: str) -> str | None:
    """The first msg-id in a header value as `<id@host>`, or None when there is none."""
    found = _MSG_ID.search(value or "")
    if found:
        msg_id = found.group(0)
    else:
        bare = (value or "").strip()
        if not _BARE_MSG_ID.fullmatch(bare):
            return None
        msg_id = f"<{bare}>"
    return msg_id if len(msg_id) <= MAX_MSG_ID else None


def threading_headers(original_message_id: str) -> bytes:
    """`In-Reply-To` and `References` as written lines: one plain msg-id each, never encoded
    or folded. Empty when the original had no usable Message-ID."""
    msg_id = plain_msg_id(original_message_id)
    if msg_id is None:
        return b""
    return f"In-Reply-To: {msg_id}\nReferences: {msg_id}\n".encode("ascii")
