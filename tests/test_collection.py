"""A collection file is read into typed values; a wrong one is refused naming what is wrong."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from importlib import resources

import pytest
from pydantic import ValidationError

from store.collection import load_collection


def default_collection() -> dict:
    return json.loads(resources.files("store.collections").joinpath(
        "care_homes_2020.json").read_text())


def test_the_built_in_collection_reads_as_typed_values():
    collection = load_collection()
    assert collection.deadline_at.isoformat() == "2020-05-29T23:59:00+01:00"
    assert collection.chase.time == time(10, 0)
    assert all(isinstance(day, date) for day in collection.bank_holidays)
    assert collection.chase.ladder[0].from_working_days_after is None
    assert collection.action("2.1").focus == "2"
    assert 0 < collection.thresholds.low_coverage < 1


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"deadline": "end of May"}, "deadline", "valid datetime"),
    ({"chase": {"time": "10:00", "working_days_before": [3, 1]}}, "chase.ladder", "required"),
    ({"thresholds": {"thematic_min_las": "two"}}, "thresholds.thematic_min_las", "integer"),
    ({"actions": [{"code": "1.1"}]}, "actions.0.label", "required"),
    ({"focus_areas": ["1", "2"]}, "focus_areas", "dictionary"),
])
def test_a_wrong_value_is_refused_naming_its_field(tmp_path, change, field, words):
    path = tmp_path / "collection.json"
    path.write_text(json.dumps({**default_collection(), **change}))
    with pytest.raises(ValidationError) as refused:
        load_collection(path)
    assert f"\n{field}\n" in str(refused.value) and words in str(refused.value)


def test_a_later_collection_file_is_read_with_its_own_values(tmp_path):
    data = {**default_collection(), "deadline": "2021-06-30T17:00:00", "themes": []}
    path = tmp_path / "collection.json"
    path.write_text(json.dumps(data))
    collection = load_collection(path)
    assert collection.deadline == datetime(2021, 6, 30, 17, 0)
    assert collection.themes == ()
