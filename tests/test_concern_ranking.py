"""Concerns ranked by severity on a store where the right top three are known."""

from __future__ import annotations

import csv
import io

from bot.commands import answer
from bot.render_text import to_text
from store.context import Context
from tests.signal_helpers import LONDON_VIEWER, NATIONAL_VIEWER


def test_the_top_three_are_the_most_severe_with_their_evidence(london):
    reply = answer("concerns London", NATIONAL_VIEWER, london)
    headings = [s.heading for s in reply.sections]
    assert headings[0].startswith("1. Thematic: 2.1 Access to testing for all residents and "
                                  "asymptomatic staff: 5 of 8 returns low or asking for support "
                                  "(threshold 2) in London · severity 17.9")
    assert headings[1:3] == ["2. Camden: severity 11.7", "3. Croydon: severity 8.1"]
    camden = reply.sections[1].lines
    assert camden[0].startswith("2.1 Access to testing for all residents and asymptomatic staff: "
                                "in place in 5 of 50 homes (10%) [CHR-")
    assert "return.xlsx Template!C10]" in camden[0]
    assert "4.3 Access to training on testing procedures" in camden[1]
    assert "2.1 asks for support: “Courier for test kits”" in camden[2]


def test_the_rest_follow_in_a_line_each_in_order(london):
    rest = next(s for s in to_text(answer("concerns London", LONDON_VIEWER, london)).split("\n\n")
                if s.startswith("Also of concern"))
    names = [line.strip().split(":")[0] for line in rest.splitlines()[1:]]
    assert names == ["Hackney", "Brent", "Barnet", "Ealing", "Bexley"]
    assert "Hackney: low on 3.1; Return: needs fixing (version 1, CHR-" in rest


def test_a_bigger_shortfall_of_homes_ranks_higher_at_the_same_share():
    from bot.concerns import low_severity
    assert low_severity(0.8, 36, 200) > low_severity(0.8, 9, 50)
    assert low_severity(0.8, 5, 50) > low_severity(0.8, 30, 50) > low_severity(0.8, 39, 50)


def test_the_csv_holds_every_concern_most_severe_first(london):
    reply = answer("concerns", NATIONAL_VIEWER, london)
    rows = list(csv.DictReader(io.StringIO(reply.attachment.text)))
    assert [float(r["severity"]) for r in rows] == sorted(
        (float(r["severity"]) for r in rows), reverse=True)
    assert {r["la_name"] for r in rows if r["scope"] == "place" and r["kind"] != "missing"} == {
        "Camden", "Hackney", "Croydon", "Barnet", "Brent", "Ealing", "Bexley"}
    assert sum(r["kind"] == "missing" for r in rows) == 151 - 8


def test_a_share_of_the_regions_returns_decides_what_is_thematic(london, collection):
    strict = collection.model_copy(update={"thresholds": collection.thresholds.model_copy(
        update={"thematic_share": 0.75})})
    strict_ctx = Context(london.db, london.settings, strict)
    assert "Thematic" not in to_text(answer("concerns London", NATIONAL_VIEWER, strict_ctx))
    assert "Thematic: 2.1" in to_text(answer("concerns London", NATIONAL_VIEWER, london))
