"""`python -m bench` (`make bench`): measure the intake and the bot on this machine, side by side.

Prints a table and writes every figure as JSON (bench/results.json unless `--out`). See
bench/README.md for what is measured and how. `--quick` runs each part at a tiny size (the
smoke test); its figures say nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.bot_latency import measure_bot
from bench.cli import measure_cli
from bench.full_store import fill_full_store
from bench.mixed_returns import mix, realistic_returns
from bench.processes import NOW
from bench.profile import hot_functions, stage_times, worker_cpu
from bench.reading import measure_generality, measure_reading
from bench.report import print_report
from bench.rounds import measure_throughput
from bench.understanding import score as score_questions
from store.collection import Collection, load_collection
from store.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results.json"
SEED = 2020


@dataclass(frozen=True)
class Plan:
    """How big each part is."""

    messages: int           # per round's burst (and the bot's burst)
    warmup: int             # messages before each timed burst
    rounds: int             # of each server, alternating
    read_times: int         # reads of each file per format
    command_times: int      # answers per command in the command layer
    slack_times: int        # answers per command through Slack
    idle_acks: int          # Slack requests timed with nothing else going on
    profile_messages: int
    generated_returns: int  # scored by the reader's generality measure


# Five rounds of each server: with three, the median ratio of one run moved by +-0.05 between
# runs on this 2-core machine (single rounds from 0.30 to 0.56).
FULL = Plan(messages=200, warmup=2, rounds=5, read_times=30, command_times=20, slack_times=5,
            idle_acks=20, profile_messages=200, generated_returns=2000)
QUICK = Plan(messages=8, warmup=2, rounds=1, read_times=2, command_times=1, slack_times=1,
             idle_acks=3, profile_messages=2, generated_returns=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON file (default {RESULTS})")
    parser.add_argument("--throughput-only", action="store_true",
                        help="only the intake against the bare sink (about a minute and a half)")
    parser.add_argument("--rounds", type=int, help="rounds of each server (default 5; quick 1)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.rounds:
        plan = replace(plan, rounds=args.rounds)
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        results = run(plan, load_collection(), Path(workdir), quick=args.quick,
                      throughput_only=args.throughput_only)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print_report(results)
    print(f"\nwrote {args.out}")
    return 0


def run(plan: Plan, collection: Collection, workdir: Path, *, quick: bool,
        throughput_only: bool = False) -> dict[str, Any]:
    """Every part of the bench (or the throughput alone), in order; one JSON-ready dict."""
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": _machine(plan, quick)}
    _say("building the returns")
    mails = realistic_returns(plan.messages + plan.warmup, SEED, collection)
    mails, warmup = mails[:plan.messages], mails[plan.messages:]
    _say("intake throughput against the bare server")
    results["throughput"] = {"mix": mix(mails), **measure_throughput(
        mails, warmup, plan.rounds, workdir / "rounds", collection.inbox)}
    if not throughput_only:
        _other_parts(results, plan, collection, workdir, mails)
    results["machine"]["seconds"] = round(time.perf_counter() - started, 1)
    return results


def _other_parts(results: dict[str, Any], plan: Plan, collection: Collection, workdir: Path,
                 mails: list) -> None:
    _say("reading one return by format")
    results["reading"] = measure_reading(collection, plan.read_times)
    _say("reading generated returns")
    results["generality"] = measure_generality(collection, plan.generated_returns)
    _say("bot answers on a full store")
    results["bot"] = _bot(plan, collection, workdir, mails)
    results["cli"] = measure_cli(workdir / "full" / "returns.db", workdir,
                                 quick=results["machine"]["quick"])
    _say("understanding staff's questions")
    results["understanding"] = score_questions(collection)
    results["memory"] = _memory(results["throughput"]["summary"], results["bot"])
    _say("where the intake's time goes")
    results["profile"] = _profile(plan, collection, workdir, mails)


def _bot(plan: Plan, collection: Collection, workdir: Path, mails: list) -> dict[str, Any]:
    db = workdir / "full" / "returns.db"
    actions = tuple(action.code for action in collection.actions)
    return measure_bot(db, db.parent, collection, partial(fill_full_store, db, actions),
                       (plan.command_times, plan.slack_times, plan.idle_acks),
                       mails[:plan.messages])


def _memory(throughput: dict[str, Any], bot: dict[str, Any]) -> dict[str, Any]:
    peaks = throughput["peak_memory_mb"]
    return {"intake_mb": peaks["intake"], "intake_group_mb": peaks["intake_group"],
            "bare_mb": peaks["bare"], "bot_mb": bot["peak_memory"]["main_mb"]}


def _profile(plan: Plan, collection: Collection, workdir: Path, mails: list) -> dict[str, Any]:
    sample = mails[: plan.profile_messages]
    return {
        "messages": len(sample),
        "stages": stage_times(sample, _settings(workdir / "stages.db", workdir / "stages"),
                              collection),
        "worker_cpu_ms": worker_cpu(sample, _settings(workdir / "cpu.db", workdir / "cpu"),
                                    collection),
        "hot_functions": hot_functions(sample, _settings(workdir / "profile.db",
                                                         workdir / "profile"), collection),
    }


def _settings(db: Path, data_dir: Path) -> Settings:
    return Settings(_env_file=None, returns_db=db, returns_data_dir=data_dir, returns_now=NOW)


def _machine(plan: Plan, quick: bool) -> dict[str, Any]:
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "quick": quick,
            "plan": asdict(plan), "cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "load_average": list(os.getloadavg())}


def _say(what: str) -> None:
    print(f"bench: {time.strftime('%H:%M:%S')} {what} ...", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
