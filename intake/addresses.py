"""Checking an address taken from inbound mail before anything is sent to it.

SMTP clients (aiosmtplib included) pass line breaks in an address straight through as protocol
commands, and a header value can smuggle a second recipient or a display name. So a reply
address must be exactly one plain `local@domain`, with a domain that could exist on the
internet, or it is refused.
"""

from __future__ import annotations

import re

MAX_ADDRESS = 254  # RFC 5321's 256-octet path, less the angle brackets
MAX_LOCAL_PART = 64
MAX_DOMAIN = 253

# A dot-atom local part (RFC 5322 3.4.1). Quoted local parts are legal but a reply to one is
# never worth the risk of quoting mistakes, so they are refused.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TOP_LEVEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")

# Names that never reach a mailbox on the internet (RFC 6761 special-use names, mDNS).
_NOT_INTERNET = ("localhost", "invalid", "local")


def valid_reply_address(address: str) -> str | None:
    """The address normalised (domain lower-cased, punycode), or None when it is not safe.

    Accepts one bare address, optionally in angle brackets: `a.b@leeds.gov.uk`,
    `<a.b@leeds.gov.uk>`. Refuses control characters anywhere, several addresses, display
    names, quoted local parts, IP literals, single-label or special-use domains, and addresses
    over the RFC 5321 length limits.
    """
    if not isinstance(address, str) or _has_control_character(address):
        return None
    candidate = address.strip()
    if candidate.startswith("<") and candidate.endswith(">"):
        candidate = candidate[1:-1]
    local, at, domain = candidate.rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local) or len(local) > MAX_LOCAL_PART:
        return None
    ascii_domain = _ascii_domain(domain)
    if ascii_domain is None:
        return None
    normalised = f"{local}@{ascii_domain}"
    return normalised if len(normalised) <= MAX_ADDRESS else None


# Also the Unicode line and paragraph separators, which some parsers treat as line breaks.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def _has_control_character(text: str) -> bool:
    # One scan in C: a Python loop over the characters was a good part of the sender's CPU
    # (every recipient of every mail is checked again before sending).
    return _CONTROL_CHARACTER.search(text) is not None


def _ascii_domain(domain: str) -> str | None:
    """The domain in lower-case ASCII (IDNA for non-ASCII), or None when it is not real-looking."""
    domain = domain.lower().removesuffix(".")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = domain.split(".")
    if len(domain) > MAX_DOMAIN or len(labels) < 2:
        return None
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    # An all-letters top-level label rules out IP addresses written without brackets.
    if not _TOP_LEVEL.fullmatch(labels[-1]) or labels[-1] in _NOT_INTERNET:
        return None
    return domain
