"""The reader scored on 500 generated returns written every way councils write them.

The generator (`tests/return_variants.py`) varies wording, placement, orientation, codes,
labels, value spellings, sheet arrangements and writers; this checks what the reader made of
each against what the return said. Failures print the variations that were misread.
"""

from __future__ import annotations

from collections import Counter

import pytest

from store.collection import Collection, load_collection
from tests.return_scoring import score
from tests.return_variants import Variant, generate
from tests.return_wordings import WRITERS

RETURNS = 500
SEED = 2020


@pytest.fixture(scope="module")
def variants() -> list[Variant]:
    return list(generate(RETURNS, SEED, load_collection()))


def test_the_reader_reads_generated_returns_as_written(variants: list[Variant],
                                                       collection: Collection) -> None:
    result = score(variants, collection)
    rates = result.rates()
    misses = "\n".join(result.misses[:15])
    assert result.las_wrong == 0, misses
    assert rates["cells"] >= 99.5, misses
    assert rates["totals"] >= 99.5, misses
    assert rates["las"] >= 99.5, misses


def test_the_generator_covers_every_variation(variants: list[Variant]) -> None:
    seen = {key: Counter(v.choices[key] for v in variants) for key in variants[0].choices}
    assert set(seen["writer"]) == set(WRITERS)
    assert set(seen["orientation"]) == {"rows", "columns"}
    assert {"1.1", "1.1.", "1a", "Q1.1", "Action 1.1", "none", "none-under-focus"} <= set(
        seen["codes"])
    assert {"seed", "truncated", "reworded", "short"} == set(seen["labels"])
    assert {"beside", "below", "same", "merged", "foot"} == set(seen["total_at"])
    assert {"beside", "below", "same", "merged", "heading", "sheet", "cover"} == set(
        seen["la_at"])
    assert {"one", "cover", "lists", "draft", "versions", "old", "hidden"} == set(seen["sheets"])
    assert len({v.data for v in variants}) == RETURNS


def test_the_same_seed_gives_the_same_returns(collection: Collection) -> None:
    first = [v.truth for v in generate(5, 7, collection)]
    assert first == [v.truth for v in generate(5, 7, collection)]
    assert first != [v.truth for v in generate(5, 8, collection)]
