"""Council and region names as people write them, matched against the real register."""

from __future__ import annotations

import pytest

from store.names import authority_candidates, find_authorities_in_text, match_authority
from store.regions import find_region_in_text, match_region
from store.register import load_register

REGISTER = load_register()

# (as written, GSS code it must match)
MATCHES = [
    ("Leeds", "E08000035"),
    ("leeds city council", "E08000035"),
    ("LEEDS CC", "E08000035"),
    ("Leeds Adult Social Care", "E08000035"),
    ("Leeds ASC", "E08000035"),
    ("Leeds City Council - Adults and Health", "E08000035"),
    ("Leed", "E08000035"),
    ("Northumberlnd", "E06000057"),
    ("Hartlepol", "E06000001"),
    ("Westminstr", "E09000033"),
    ("Hampshre", "E10000014"),
    ("BCP", "E06000058"),
    ("Bournemouth, Christchurch and Poole Council", "E06000058"),
    ("BANES", "E06000022"),
    ("B&NES", "E06000022"),
    ("Bath & NE Somerset", "E06000022"),
    ("Bath", "E06000022"),
    ("Hull", "E06000010"),
    ("Kingston upon Hull, City of", "E06000010"),
    ("Hull City Council", "E06000010"),
    ("Herefordshire, County of", "E06000019"),
    ("Herefordshire", "E06000019"),
    ("Bristol", "E06000023"),
    ("Bristol, City of", "E06000023"),
    ("RBKC", "E09000020"),
    ("Kensington & Chelsea", "E09000020"),
    ("LBBD", "E09000002"),
    ("Barking & Dagenham", "E09000002"),
    ("Brighton", "E06000043"),
    ("Windsor and Maidenhead", "E06000040"),
    ("Southend", "E06000033"),
    ("Durham", "E06000047"),
    ("Durham County Council", "E06000047"),
    ("Telford", "E06000020"),
    ("Telford & Wrekin", "E06000020"),
    ("Stoke", "E06000021"),
    ("Stoke on Trent", "E06000021"),
    ("Stockton on Tees", "E06000004"),
    ("Newcastle", "E08000021"),
    ("NE Lincs", "E06000012"),
    ("N Lincs", "E06000013"),
    ("N Yorks", "E10000023"),
    ("Notts", "E10000024"),
    ("Leics", "E10000018"),
    ("Lincs", "E10000019"),
    ("Northants", "E10000021"),
    ("Herts", "E10000015"),
    ("Cambs", "E10000003"),
    ("Glos", "E10000013"),
    ("S Glos", "E06000025"),
    ("Oxon", "E10000025"),
    ("Wilts", "E06000054"),
    ("Bucks", "E06000060"),
    ("Central Beds", "E06000056"),
    ("West Berks", "E06000037"),
    ("W Sussex", "E10000032"),
    ("St. Helens", "E08000013"),
    ("St Helens Council", "E08000013"),
    ("Saint Helens", "E08000013"),
    ("London Borough of Camden", "E09000007"),
    ("Royal Borough of Greenwich", "E09000011"),
    ("City of London", "E09000001"),
    ("the Council of the Isles of Scilly", "E06000053"),
    ("Isle of Wight", "E06000046"),
    # real neighbours: each must match exactly itself
    ("Westminster", "E09000033"),
    ("West Sussex", "E10000032"),
    ("Hampshire", "E10000014"),
    ("North East Lincolnshire", "E06000012"),
    ("Sutton", "E09000029"),
    ("Sunderland", "E08000024"),
    ("Kent", "E10000016"),
    ("Kensington and Chelsea", "E09000020"),
    ("Leicester", "E06000016"),
    ("Leicestershire", "E10000018"),
    ("Nottingham", "E06000018"),
    ("Nottinghamshire", "E10000024"),
    ("Derby", "E06000015"),
    ("Derbyshire", "E10000007"),
    ("York", "E06000014"),
    ("North Yorkshire", "E10000023"),
    ("South Gloucestershire", "E06000025"),
    ("Southampton", "E06000045"),
    ("Staffordshire", "E10000028"),
    ("Barnet", "E09000003"),
    ("Brent", "E09000005"),
]

# Must give no single council: ambiguous, a region, two councils, a district, not a council.
NO_MATCH = [
    "Beds",
    "Bedfordshire",
    "Berkshire",
    "Cheshire",
    "London",
    "North East",
    "Yorkshire",
    "Greater Manchester",
    "Leeds and Bradford",
    "",
    "Council",
    "City of",
    "Harlow",
    "Stafford",
    "Boston",
    "Newcastle-under-Lyme",
    "NHS England",
    "Barent",  # a typo as close to Brent as to Barnet
]


@pytest.mark.parametrize(("written", "code"), MATCHES)
def test_names_as_written_match_their_council(written: str, code: str) -> None:
    match = match_authority(written)
    assert match is not None, written
    assert match.authority.code == code
    assert 0 < match.score <= 100


@pytest.mark.parametrize("written", NO_MATCH)
def test_ambiguous_or_foreign_names_match_nothing(written: str) -> None:
    assert match_authority(written) is None


@pytest.mark.parametrize("la", REGISTER, ids=lambda la: la.code)
def test_every_register_name_and_official_name_matches_its_council(la) -> None:
    for written in (la.name, la.official_name, la.name.upper(), la.official_name.lower()):
        match = match_authority(written)
        assert match is not None and match.authority.code == la.code, written
        assert match.score == 100


def test_every_usable_alt_name_matches_its_council() -> None:
    wrong = []
    for la in REGISTER:
        for written in la.alt_names:
            if written.lower() in ("city of", "county of"):  # halves of "Bristol, City of"
                continue
            match = match_authority(written)
            if match is None or match.authority.code != la.code:
                wrong.append((la.name, written))
    assert wrong == []


def test_one_letter_typos_never_name_another_council() -> None:
    wrong = []
    for la in REGISTER:
        for i in range(1, len(la.name) - 1):
            for typo in (la.name[:i] + la.name[i + 1:], la.name[:i] + "x" + la.name[i + 1:]):
                match = match_authority(typo)
                if match is not None and match.authority.code != la.code:
                    wrong.append((typo, match.authority.name))
    assert wrong == []


def test_candidates_offer_each_council_an_ambiguous_name_covers() -> None:
    names = {m.authority.name for m in authority_candidates("Beds")}
    assert names == {"Bedford", "Central Bedfordshire", "Luton"}


def test_candidates_put_the_exact_council_before_its_neighbour() -> None:
    candidates = authority_candidates("Leicester", limit=2)
    assert [m.authority.name for m in candidates] == ["Leicester", "Leicestershire"]
    assert candidates[0].score == 100 > candidates[1].score


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Care home return - Leeds City Council", ["Leeds"]),
        ("Leeds_CH_support_template_v2.xlsx", ["Leeds"]),
        ("RE: return from Bradford (cc Leeds)", ["Bradford", "Leeds"]),
        ("reading_return.xlsx", ["Reading"]),
        ("After reading the guidance, Bradford Council agrees.", ["Bradford"]),
        ("Our partners in New York send regards.", []),
        ("Newcastle-under-Lyme Borough Council and Staffordshire County Council", ["Staffordshire"]),
        ("Support across Bath and North East Somerset", ["Bath and North East Somerset"]),
        ("NE Lincs and North Lincolnshire", ["North East Lincolnshire", "North Lincolnshire"]),
        ("Care homes in Bedfordshire", []),
    ],
)
def test_councils_found_in_text(text: str, names: list[str]) -> None:
    assert [m.authority.name for m in find_authorities_in_text(text)] == names


LETTER = """Leeds City Council
Adults and Health, Merrion House

Dear Minister,

Care home support plan

We work closely with Leeds Teaching Hospitals NHS Trust, NHS Leeds CCG and with our
neighbours in Bradford and Wakefield. Kirklees Council shares our approach to testing.
Reading the guidance again, we are confident the actions are in place.

Yours sincerely,

Director of Adult Social Services
on behalf of Leeds City Council
"""


def test_a_letter_ranks_its_writer_above_neighbours_and_nhs_bodies() -> None:
    found = find_authorities_in_text(LETTER)
    assert found[0].authority.name == "Leeds"
    assert {m.authority.name for m in found} == {"Leeds", "Bradford", "Wakefield", "Kirklees"}
    assert all(found[0].score > m.score for m in found[1:])


def test_an_nhs_trust_alone_ranks_low() -> None:
    (found,) = find_authorities_in_text("From: Isle of Wight NHS Trust, community services")
    assert found.authority.name == "Isle of Wight"
    assert found.score < 75


@pytest.mark.parametrize(
    ("written", "name", "kind", "count"),
    [
        ("London", "London", "region", 33),
        ("north east", "North East", "region", 12),
        ("NE", "North East", "region", 12),
        ("North-East", "North East", "region", 12),
        ("Yorkshire", "Yorkshire and The Humber", "region", 15),
        ("Yorks and Humber", "Yorkshire and The Humber", "region", 15),
        ("Yorkshire & the Humber", "Yorkshire and The Humber", "region", 15),
        ("East Mids", "East Midlands", "region", 9),
        ("W Midlands", "West Midlands", "region", 14),
        ("the Midlands", "Midlands", "nhs_region", 23),
        ("Midlands", "Midlands", "nhs_region", 23),
        ("East of England", "East of England", "region", 11),
        ("East", "East of England", "region", 11),
        ("South West", "South West", "region", 15),
        ("SW", "South West", "region", 15),
        ("North West", "North West", "region", 23),
        ("South East region", "South East", "region", 19),
        ("North East and Yorkshire", "North East and Yorkshire", "nhs_region", 28),
        ("Londn", "London", "region", 33),
        ("Yorkshre", "Yorkshire and The Humber", "region", 15),
    ],
)
def test_regions_as_written(written: str, name: str, kind: str, count: int) -> None:
    region = match_region(written)
    assert region is not None, written
    assert (region.name, region.kind, len(region.authorities)) == (name, kind, count)


@pytest.mark.parametrize("written", ["Leeds", "North East Lincolnshire", "South Wast", "", "e"])
def test_not_regions(written: str) -> None:
    assert match_region(written) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("who hasn't sent theirs in the North East?", "North East"),
        ("status London", "London"),
        ("missing SW", "South West"),
        ("concerns Midlands", "Midlands"),
        ("what's missing in the east midlands", "East Midlands"),
        ("status North East Lincolnshire", None),
        ("status London Borough of Camden", None),
        ("status Leeds", None),
        ("status e", None),
    ],
)
def test_region_in_plain_phrasing(text: str, name: str | None) -> None:
    region = find_region_in_text(text)
    assert (region.name if region else None) == name


def test_region_authorities_come_from_the_register() -> None:
    midlands = match_region("Midlands")
    assert midlands is not None
    assert all(la.nhs_region == "Midlands" for la in midlands.authorities)
    assert {la.region for la in midlands.authorities} == {"East Midlands", "West Midlands"}
