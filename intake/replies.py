"""The acknowledgement mail: the receipt as plain text and HTML (multipart/alternative), with
the RFC 3834 headers and threading that survives Office 365's long Message-IDs.

Python's email package RFC 2047-encodes a long header with no spaces in it
(python/cpython#100991), and Outlook then loses the thread. So the `In-Reply-To` and
`References` lines are written here, as one plain `<msg-id>` each, however long.

The message is written as bytes directly (headers encoded only where they need it; the plain
part quoted-printable and the HTML part base64, both UTF-8): building it from `EmailMessage`
header objects cost about ten times as much, inside the write transaction.

Pure: composes the bytes; the caller queues them in the outbox.
"""

from __future__ import annotations

import re
import secrets
from binascii import b2a_base64, b2a_qp
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import lru_cache

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
BASE64_LINE = 76        # RFC 2045's longest encoded line


def compose_ack(receipt: Receipt, *, to: str, mail_from: str, original_message_id: str,
                collection: Collection) -> bytes:
    """The acknowledgement for one message, ready to send."""
    view = view_of(receipt, collection)
    boundary = f"==============={secrets.token_hex(10)}=="
    headers = [
        ("From", _address(mail_from)),
        ("To", _address(to)),
        ("Subject", _unstructured("Subject", subject_of(receipt))),
        ("Date", format_datetime(receipt.received)),
        ("Message-ID", make_msgid(domain=_domain(mail_from))),
        ("Auto-Submitted", "auto-replied"),
        ("X-Auto-Response-Suppress", "All"),
        ("Precedence", "auto_reply"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative;\n boundary="{boundary}"'),
    ]
    head = "".join(f"{name}: {value}\n" for name, value in headers).encode("ascii")
    # The boundary cannot occur in a part: quoted-printable writes every "=" as "=3D", and
    # base64 never writes "-". The mail is joined once: its 30 KB are not copied per part.
    between = b"\n--%s\n" % boundary.encode()
    return b"".join([
        threading_headers(original_message_id), head,
        between, *_text_part("plain", receipt_text(view, collection.short_name)),
        between, *_text_part("html", receipt_html(view, collection.short_name)),
        b"\n--%s--\n" % boundary.encode()])


def _text_part(subtype: str, text: str) -> tuple[bytes, bytes]:
    """A part's headers and its encoded body."""
    # Every line break as one "\n" (a stray CR from a file name too), as EmailMessage does,
    # and a final one; without a CR only the final one may be missing.
    data = text.encode("utf-8")
    if b"\r" in data:
        data = b"\n".join(data.splitlines()) + b"\n"
    elif not data.endswith(b"\n"):
        data += b"\n"
    if subtype == "plain":      # stays readable in the raw .eml, for people and grep
        encoding, body = b"quoted-printable", b2a_qp(data, istext=True)
    else:                       # ten times the size, and markup: base64 costs a tenth of QP
        encoding, body = b"base64", _base64_lines(data)
    return (b'Content-Type: text/%s; charset="utf-8"\nContent-Transfer-Encoding: %s\n\n'
            % (subtype.encode(), encoding), body)


def _base64_lines(data: bytes) -> bytes:
    """`data` in base64, cut into lines of 76 characters each ended by a line break."""
    # One join of a list of slices: a generator adding b"\n" to each line cost half again.
    encoded = b2a_base64(data, newline=False)
    return b"\n".join([encoded[at:at + BASE64_LINE]
                       for at in range(0, len(encoded), BASE64_LINE)]) + b"\n"


@lru_cache(maxsize=8)
def _domain(mail_from: str) -> str | None:
    """The domain of our own address (one setting), for the Message-IDs we make."""
    return parseaddr(mail_from)[1].rpartition("@")[2] or None


def _unstructured(name: str, value: str) -> str:
    """A header value as written: plain when it is short ASCII, else folded and (for
    non-ASCII) RFC 2047-encoded."""
    if value.isascii() and len(name) + 2 + len(value) <= 78:
        return value
    return Header(value, "us-ascii" if value.isascii() else "utf-8",
                  header_name=name).encode(linesep="\n")


def _address(value: str) -> str:
    """An address header: as given when ASCII, else with its display name encoded."""
    return value if value.isascii() else formataddr(parseaddr(value), charset="utf-8")


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
