"""The JSON exports are written exactly as `json.dump(rows, indent=2, ensure_ascii=False)`."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from store.exports import write_json

VALUES = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
ROWS = st.lists(st.dictionaries(st.text(min_size=1), VALUES, min_size=1, max_size=8),
                max_size=6)


@given(ROWS)
def test_rows_are_written_as_json_dump_writes_them(rows):
    out = io.StringIO()
    assert write_json(iter(rows), out) == len(rows)
    expected = io.StringIO()
    json.dump(rows, expected, indent=2, ensure_ascii=False)
    assert out.getvalue() == expected.getvalue() + "\n"
