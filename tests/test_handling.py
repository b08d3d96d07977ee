"""A message's handling: each step returns it with one more thing known, the rest unchanged."""

from __future__ import annotations

import dataclasses

import pytest

from intake.handling import Handling
from store.messages import StoredMessage

MESSAGE = StoredMessage(id=1, ref="CHR-000001", message_id="<m@leeds.gov.uk>",
                        mail_from="jo@leeds.gov.uk", rcpt_to=("returns@example.gov.uk",),
                        received_at="2020-05-28T12:00:00", collection_time="2020-05-28T12:00:00",
                        raw=b"", disposition=None, reason=None, la_code=None)


@pytest.mark.parametrize("field", [f for f in dataclasses.fields(Handling) if f.name != "message"],
                         ids=lambda f: f.name)
def test_knowing_one_thing_changes_that_field_alone(field):
    before = Handling(MESSAGE, released_by="a.person", reason="read")
    after = before.knowing(**{field.name: "known"})
    assert after == dataclasses.replace(before, **{field.name: "known"})
    assert before == Handling(MESSAGE, released_by="a.person", reason="read")
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.reason = "changed"      # type: ignore[misc]


def test_knowing_a_field_handling_lacks_is_refused():
    with pytest.raises(TypeError, match="no field la_name"):
        Handling(MESSAGE).knowing(la_name="Leeds")
