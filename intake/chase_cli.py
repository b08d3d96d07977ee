"""`python -m intake chase [--now ISO] [--dry-run]`: queue the chasers due at that moment."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from intake.chasing.run import ChaseResult, run_slot
from store.collection import Collection, load_collection
from store.db import open_db
from store.settings import Settings


def chase_main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    """Run the latest chase slot due at --now (default: the collection clock); 0 on success."""
    parser = argparse.ArgumentParser(
        prog="python -m intake chase",
        description="Queue the chaser emails of the latest chase slot due at that moment "
                    "(one per LA without a valid return; a slot already run queues nothing "
                    "more). The intake's sender delivers them.")
    parser.add_argument("--now", help="ISO time to judge the schedule by (default: RETURNS_NOW "
                                      "or the real time); the store is read as it is")
    parser.add_argument("--dry-run", action="store_true",
                        help="show who would be chased, and queue nothing")
    args = parser.parse_args(argv)
    settings = settings or Settings()
    collection = load_collection(settings.collection)
    try:
        now = parse_now(args.now, collection) if args.now else settings.now()
    except ValueError as error:
        parser.error(str(error))
    db = open_db(settings.returns_db)
    try:
        result = run_slot(db, settings, collection, now, dry_run=args.dry_run)
    finally:
        db.close()
    print("\n".join(describe(result, collection, now)))
    return 0


def parse_now(text: str, collection: Collection) -> datetime:
    """An ISO time; without an offset it is wall-clock time in the collection's zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--now {text!r} is not an ISO time (e.g. 2020-05-26T10:05)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=collection.zone)


def describe(result: ChaseResult | None, collection: Collection, now: datetime) -> list[str]:
    """The run in plain lines: what was queued, skipped and why, and who has no contact."""
    local = collection.local(now)
    if result is None:
        return [f"No chase slot is due at {local:%a %d %b %Y %H:%M}: nothing queued."]
    slot = result.slot
    assert slot is not None
    verb = "would queue" if result.dry_run else "queued"
    lines = [f"Chase slot {slot.day:%a %d %b %Y} {slot.at:%H:%M} "
             f"({slot.working_days_late} working day{'' if slot.working_days_late == 1 else 's'} "
             "after the deadline): "
             f"{verb} {len(result.queued)} chasers; {len(result.already)} already queued "
             f"for this slot; {len(result.valid)} LAs have a valid return."]
    for chaser in result.queued:
        cc = f"; Cc {', '.join(chaser.cc)}" if chaser.cc else ""
        lines.append(f"  {chaser.state.la_name} ({chaser.state.la_code}): {chaser.problem}; "
                     f"To {', '.join(chaser.to)}{cc}")
    if result.no_contact:
        lines.append(f"{len(result.no_contact)} LAs need chasing but have no contact "
                     "(load one with `python -m store contacts FILE`):")
        lines.extend(f"  {item.state.la_name} ({item.state.la_code}): {item.reason}"
                     for item in result.no_contact)
    return lines


if __name__ == "__main__":
    sys.exit(chase_main())
