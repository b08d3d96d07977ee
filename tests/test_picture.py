"""How late a missing return is, in the words every answer and chaser uses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from store.collection import Collection
from store.picture import lateness

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(("now", "words"), [
    (datetime(2020, 5, 26, 9, 0, tzinfo=LONDON), "due in 3 days"),
    (datetime(2020, 5, 29, 9, 0, tzinfo=LONDON), "due today"),
    # The deadline was a Friday: the weekend after it is overdue, not "due today".
    (datetime(2020, 5, 30, 9, 30, tzinfo=LONDON), "overdue since Fri 29 May"),
    (datetime(2020, 6, 2, 9, 0, tzinfo=LONDON), "2 working days late"),
])
def test_lateness_in_words(now: datetime, words: str, collection: Collection) -> None:
    assert lateness(collection, now) == words
