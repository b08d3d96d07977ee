"""Addresses from inbound mail: only one plain, real-looking address may receive a reply."""

from __future__ import annotations

import pytest

from intake.addresses import valid_reply_address


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("jo.bloggs@leeds.gov.uk", "jo.bloggs@leeds.gov.uk"),
        ("<jo.bloggs@leeds.gov.uk>", "jo.bloggs@leeds.gov.uk"),
        ("  Jo.Bloggs@LEEDS.GOV.UK ", "Jo.Bloggs@leeds.gov.uk"),
        ("adult.social+returns@kent.gov.uk", "adult.social+returns@kent.gov.uk"),
        ("o'neill@bathnes.gov.uk", "o'neill@bathnes.gov.uk"),
        ("returns@bücher.example.org", "returns@xn--bcher-kva.example.org"),
        ("returns@leeds.gov.uk.", "returns@leeds.gov.uk"),
    ],
)
def test_plain_addresses_are_accepted_and_normalised(given, expected):
    assert valid_reply_address(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "jo@leeds.gov.uk\r\nRCPT TO:<victim@evil.example>",
        "jo@leeds.gov.uk\n",
        "jo@leeds.gov.uk\rbcc",
        "jo\x00@leeds.gov.uk",
        "jo@leeds.gov.uk\u2028x@y.org",
        "jo@leeds.gov.uk\t",
        "jo@leeds.gov.uk, other@evil.example",
        "jo@leeds.gov.uk other@evil.example",
        "Jo Bloggs <jo@leeds.gov.uk>",
        '"jo@leeds.gov.uk" <attacker@evil.example>',
        "<jo@leeds.gov.uk>>",
        '"quoted local"@leeds.gov.uk',
        "jo..bloggs@leeds.gov.uk",
        ".jo@leeds.gov.uk",
        "jo@",
        "@leeds.gov.uk",
        "jo",
        "",
        "jo@localhost",
        "jo@mail.localhost",
        "jo@printer.local",
        "jo@nowhere.invalid",
        "jo@leeds",
        "jo@[192.168.0.1]",
        "jo@192.168.0.1",
        "jo@-leeds.gov.uk",
        "jo@leeds..gov.uk",
        "jo@leeds_council.gov.uk",
        "jo@leeds.gov.u",
        "x" * 65 + "@leeds.gov.uk",
        "jo@" + "a" * 64 + ".gov.uk",
        "jo@" + ".".join(["abcdefghi"] * 26) + ".uk",
        "jö@leeds.gov.uk",
    ],
)
def test_unsafe_or_unreal_addresses_are_refused(given):
    assert valid_reply_address(given) is None


def test_not_a_string_is_refused():
    assert valid_reply_address(None) is None  # type: ignore[arg-type]
