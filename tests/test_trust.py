"""Whether a sender may speak for a council: its domain, or a trusted relay's DMARC/DKIM word."""

from __future__ import annotations

import email
from email import policy
from email.utils import parseaddr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.models import Headers
from intake.trust import _PLAIN_ADDRESS, check_sender, domain_of, parse_authentication_results
from store.register import authorities_by_code

LEEDS = authorities_by_code()["E08000035"]
WANDSWORTH = authorities_by_code()["E09000032"]
OUR_RELAY = ("mx.communities.gov.uk",)


def auth_results(raw_headers: str) -> tuple[str, ...]:
    """Authentication-Results values exactly as a parsed message gives them (folds kept)."""
    message = email.message_from_string(raw_headers + "\n\nbody\n", policy=policy.compat32)
    return tuple(message.get_all("Authentication-Results") or ())


def check(mail_from: str, *, from_address: str = "", results: tuple[str, ...] = (), extra=()):
    headers = Headers(from_address=from_address, authentication_results=results)
    return check_sender(
        LEEDS, mail_from, headers, trusted_authserv_ids=OUR_RELAY, extra_sender_domains=extra
    )


@pytest.mark.parametrize(
    ("mail_from", "from_address"),
    [
        ("jo.bloggs@leeds.gov.uk", ""),
        ("<jo.bloggs@leeds.gov.uk>", ""),
        ("JO@LEEDS.GOV.UK", ""),
        ("jo@adults.leeds.gov.uk", ""),
        ("bounce-123@mailer.example.net", "jo@leeds.gov.uk"),
    ],
)
def test_an_address_at_the_councils_domain_is_trusted(mail_from: str, from_address: str) -> None:
    assert check(mail_from, from_address=from_address) is None


@pytest.mark.parametrize(
    ("mail_from", "reason"),
    [
        ("someone@gmail.com", "sent from gmail.com, which is not a Leeds City Council address"),
        ("someone@nhs.net", "NHS mail cannot submit a council's return"),
        ("jo@bradford.gov.uk", "sent from bradford.gov.uk, which is not a Leeds City Council"),
        ("jo@notleeds.gov.uk", "sent from notleeds.gov.uk"),
        ("jo@leeds.gov.uk.evil.com", "sent from leeds.gov.uk.evil.com"),
        ("", "the sender's address is missing"),
    ],
)
def test_other_addresses_are_not_trusted(mail_from: str, reason: str) -> None:
    refusal = check(mail_from)
    assert refusal is not None
    assert reason in refusal


def test_a_shared_service_domain_can_be_allowed_by_setting() -> None:
    assert check("ops@csc.example.org", extra=("example.org",)) is None
    assert check("ops@csc.example.org", extra=("other.org",)) is not None


def test_a_shared_domain_is_trusted_for_each_council_that_uses_it() -> None:
    headers = Headers()
    refusal = check_sender(
        WANDSWORTH, "a@richmondandwandsworth.gov.uk", headers,
        trusted_authserv_ids=(), extra_sender_domains=(),
    )
    assert refusal is None


RELAYED = """\
Authentication-Results: mx.communities.gov.uk;
\tdkim=pass (2048-bit key; unprotected) header.d=leeds.gov.uk header.i=@leeds.gov.uk
\theader.s=selector1 header.b="AbC;12"; spf=fail smtp.mailfrom=gmail.com;
\tdmarc=fail (p=NONE sp=NONE dis=NONE) header.from=gmail.com"""

DMARC_ONLY = """\
Authentication-Results: MX.Communities.Gov.UK 1; (checked (nested) comment)
 dmarc=pass (p=quarantine) header.from=leeds.gov.uk"""

FORGED = """\
Authentication-Results: mx.forger.example; dkim=pass header.d=leeds.gov.uk;
 dmarc=pass header.from=leeds.gov.uk"""

OTHER_DOMAIN = """\
Authentication-Results: mx.communities.gov.uk; dkim=pass header.d=gmail.com;
 dmarc=pass header.from=gmail.com"""

FAILED = """\
Authentication-Results: mx.communities.gov.uk; dkim=fail header.d=leeds.gov.uk;
 dmarc=fail header.from=leeds.gov.uk"""

MISSING_SEMICOLON = """\
Authentication-Results: mx.communities.gov.uk dkim=pass header.i=jo@mail.leeds.gov.uk"""


@pytest.mark.parametrize(
    ("raw", "trusted"),
    [
        (RELAYED, True),
        (DMARC_ONLY, True),
        (MISSING_SEMICOLON, True),
        (FORGED, False),
        (OTHER_DOMAIN, False),
        (FAILED, False),
        (FORGED + "\n" + DMARC_ONLY, True),
    ],
)
def test_a_trusted_relays_dkim_or_dmarc_pass_vouches_for_the_sender(raw: str, trusted: bool) -> None:
    refusal = check("someone@gmail.com", results=auth_results(raw))
    assert (refusal is None) is trusted


def test_results_from_relays_we_do_not_run_are_ignored_even_if_configured_elsewhere() -> None:
    headers = Headers(authentication_results=auth_results(RELAYED))
    refusal = check_sender(
        LEEDS, "someone@gmail.com", headers, trusted_authserv_ids=(), extra_sender_domains=()
    )
    assert refusal is not None


def test_authentication_results_are_parsed_per_rfc_8601() -> None:
    (value,) = auth_results(RELAYED)
    authserv_id, results = parse_authentication_results(value)
    assert authserv_id == "mx.communities.gov.uk"
    assert [(r.method, r.result) for r in results] == [
        ("dkim", "pass"), ("spf", "fail"), ("dmarc", "fail"),
    ]
    assert ("header.b", "AbC;12") in results[0].properties
    assert ("header.i", "@leeds.gov.uk") in results[0].properties


def test_a_header_with_no_results_parses_to_none() -> None:
    assert parse_authentication_results("mx.communities.gov.uk; none") == ("mx.communities.gov.uk", ())


@settings(max_examples=500, deadline=None)
@given(address=st.from_regex(_PLAIN_ADDRESS, fullmatch=True))
def test_a_bare_address_is_read_as_the_mail_parser_reads_it(address):
    # Bare addresses skip email.utils.parseaddr, which would return them unchanged; in angle
    # brackets the same address goes the parser's way.
    assert parseaddr(address) == ("", address)
    assert domain_of(address) == domain_of(f"<{address}>") == address.rpartition("@")[2].lower()


@pytest.mark.parametrize(("address", "domain"), [
    ("Jo Bloggs <Jo@Leeds.GOV.uk>", "leeds.gov.uk"), ("jo@leeds.gov.uk.", "leeds.gov.uk"),
    ("<jo@leeds.gov.uk>", "leeds.gov.uk"), ("jo", ""), ("", "")])
def test_the_domain_of_an_address_as_written(address, domain):
    assert domain_of(address) == domain
