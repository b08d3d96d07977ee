"""Texts cut into folded words, each traced to the word as written and where it sits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from store.name_words import cut_words

# What names and letters hold: abbreviations that fold to two words ("NE", "N Yorks"), accents
# (composed and combining), ligatures, "&", possessives and line breaks.
pieces = st.sampled_from(["NE", "N Yorks", "St.", "Lincs", "Leeds", "Brontë", "e\u0301", "ﬁ",
                          "&", "council’s", "Reading's", " ", "\n", ", ", "-", "_", "¹"])
texts = st.one_of(st.lists(pieces, max_size=30).map("".join), st.text(max_size=60))


@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_every_folded_word_traces_to_the_written_word_it_came_from(text):
    cut = cut_words(text)
    assert [cut.text[start:end] for start, end in cut.spans] == list(cut.written)
    assert list(cut.owner) == sorted(cut.owner) and len(cut.owner) == len(cut.folded)
    by_word = [tuple(word for word, owner in zip(cut.folded, cut.owner, strict=True) if owner == i)
               for i in range(len(cut.written))]
    assert by_word == [cut_words(written).folded for written in cut.written]


def test_an_abbreviation_folds_to_the_words_it_stands_for():
    cut = cut_words("NE Lincs")
    assert cut.folded == ("north", "east", "lincolnshire") and cut.owner == (0, 0, 1)
