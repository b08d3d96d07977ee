"""`python -m bench.profile --dump`: what recording the bench's returns leaves, the same each run."""

from __future__ import annotations

from pathlib import Path

from bench.mixed_returns import realistic_returns
from bench.profile import _settings, recorded
from store.collection import load_collection


def test_a_dump_is_the_same_text_each_run_with_every_acknowledgement_in_it(tmp_path: Path):
    collection = load_collection()
    mails = realistic_returns(6, 2020, collection)
    first, second = (recorded(mails, _settings(tmp_path, name), collection)
                     for name in ("first", "second"))
    assert first == second      # boundaries, Message-IDs and clocks masked or left out
    acks = first.split("== outbox_raw\n", 1)[1].split("\n== ", 1)[0].splitlines()
    assert len(acks) == 6 and all("Message-ID: MASKED" in ack and "BOUNDARY" in ack
                                  for ack in acks)
    submissions = first.split("== submissions\n", 1)[1].split("\n== ", 1)[0].splitlines()
    assert len(submissions) == 6
