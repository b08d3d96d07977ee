"""Whether a return's sender may speak for the council it names.

A sender is trusted when its address is at one of the council's domains (or a configured
shared-service domain), or when one of *our* relays (a trusted authserv-id) vouches, in an
Authentication-Results header (RFC 8601), that DMARC or DKIM passed for a council domain.
Any other hop's Authentication-Results are ignored: anyone can write that header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

from intake.models import Headers
from store.register import LocalAuthority

# Mail services that are never a council's own, named so the reason can say why.
_NHS_DOMAINS = ("nhs.net", "nhs.uk")
_VOUCHING_METHODS = ("dmarc", "dkim")
_IDENTITY_PROPERTIES = ("header.d", "header.i", "header.from")

# An address as SMTP gives it, bare: parseaddr, which reads a character at a time in Python,
# returns it unchanged (tests/test_trust.py holds it to that).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_PAIR = re.compile(r'([A-Za-z0-9_.-]+)(?:/[0-9]+)?\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)')


@dataclass(frozen=True)
class AuthResult:
    """One method's result in an Authentication-Results header, e.g. dkim=pass header.d=x."""

    method: str
    result: str
    properties: tuple[tuple[str, str], ...]


# Asked several times a message (identifying, trusting) of the same few senders; bounded, as
# the address is the sender's.
@lru_cache(maxsize=1024)
def domain_of(address: str) -> str:
    """The lower-cased domain of an address ('' when there is none)."""
    if address and _PLAIN_ADDRESS.fullmatch(address):
        return address.rpartition("@")[2].lower()
    _name, addr = parseaddr(address or "")
    addr = addr or (address or "").strip().strip("<>")
    return addr.rpartition("@")[2].strip().strip(">").rstrip(".").lower() if "@" in addr else ""


def _segments(value: str) -> list[str]:
    """Split at ';' outside quoted strings, dropping (nested) comments in parentheses."""
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = escaped = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"' and not depth:
            quoted = not quoted
        elif not quoted and ch in "()":
            depth = depth + 1 if ch == "(" else max(0, depth - 1)
            continue
        elif not quoted and not depth and ch == ";":
            segments.append("".join(current).strip())
            current = []
            continue
        if not depth:
            current.append(ch)
    segments.append("".join(current).strip())
    return segments


def parse_authentication_results(value: str) -> tuple[str, tuple[AuthResult, ...]]:
    """The authserv-id and the results of one Authentication-Results header value.

    Tolerant of folding, comments, several results in one segment and a leading header name.
    """
    value = re.sub(r"\r?\n[ \t]+", " ", value)
    value = re.sub(r"^\s*authentication-results\s*:", "", value, flags=re.IGNORECASE)
    segments = _segments(value)
    head = segments[0].split()
    authserv_id = head[0].lower() if head else ""
    results: list[AuthResult] = []
    # Some relays omit the ';' after the authserv-id: read whatever follows it too.
    for segment in (" ".join(head[1:]), *segments[1:]):
        for key, raw in _PAIR.findall(segment):
            key, text = key.lower(), raw.strip('"')
            if "." not in key and key != "reason":
                results.append(AuthResult(key, text.lower(), ()))
            elif results and "." in key:
                last = results[-1]
                results[-1] = AuthResult(last.method, last.result, (*last.properties, (key, text)))
    return authserv_id, tuple(results)


def _vouched_domain(
    la: LocalAuthority, headers: Headers, trusted_authserv_ids: tuple[str, ...]
) -> str | None:
    """An LA domain that a trusted relay says passed DMARC or DKIM, if any."""
    trusted = {a.lower() for a in trusted_authserv_ids}
    for value in headers.authentication_results:
        authserv_id, results = parse_authentication_results(value)
        if authserv_id not in trusted:
            continue
        for result in results:
            if result.method not in _VOUCHING_METHODS or result.result != "pass":
                continue
            for key, text in result.properties:
                domain = text.rpartition("@")[2].lower()
                if key in _IDENTITY_PROPERTIES and domain and la.owns_domain(domain):
                    return domain
    return None


def _is_under(domain: str, allowed: tuple[str, ...]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in (a.lower() for a in allowed))


def check_sender(
    la: LocalAuthority,
    mail_from: str,
    headers: Headers,
    *,
    trusted_authserv_ids: tuple[str, ...],
    extra_sender_domains: tuple[str, ...],
) -> str | None:
    """Why the message's sender may not submit a return for `la`, in words; None when it may."""
    domains = [d for d in dict.fromkeys((domain_of(mail_from), domain_of(headers.from_address))) if d]
    if any(la.owns_domain(d) or _is_under(d, extra_sender_domains) for d in domains):
        return None
    if _vouched_domain(la, headers, trusted_authserv_ids):
        return None
    return _untrusted_reason(la, domains)


def _untrusted_reason(la: LocalAuthority, domains: list[str]) -> str:
    if not domains:
        return f"the sender's address is missing, so it cannot be checked as a {la.official_name} one"
    domain = domains[0]
    reason = f"sent from {domain}, which is not a {la.official_name} address"
    if _is_under(domain, _NHS_DOMAINS):
        reason += " (NHS mail cannot submit a council's return)"
    return reason + f"; please send it from your {la.domains[0]} email address"
