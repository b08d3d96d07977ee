"""The intake against the bare sink in alternating rounds, and what the rounds say together.

Rounds go bare, intake, bare, intake, ... so that both servers see the machine's load drift
alike; each intake round is compared with the bare round just before it. Rates and CPU per
message are the median of the rounds (each round's value is kept beside it); latencies are
pooled over the rounds before their percentiles are taken; peak memory is the highest seen.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.mail import Mail
from bench.process_tree import CLASSES
from bench.stats import spread
from bench.throughput import SENDERS, Round, run_round

SERVERS = ("bare", "intake")
RATIOS = ("250", "disposition", "ack")   # intake's rate to each, over bare stored/s


def measure_throughput(mails: Sequence[Mail], warmup: Sequence[Mail], rounds: int,
                       workdir: Path, inbox: str) -> dict[str, Any]:
    """`rounds` rounds of each server, alternating; every round's figures and the summary."""
    done: dict[str, list[Round]] = {server: [] for server in SERVERS}
    for number in range(1, rounds + 1):
        for server in SERVERS:
            print(f"bench: {time.strftime('%H:%M:%S')} round {number} of {rounds}: {server}",
                  file=sys.stderr, flush=True)
            done[server].append(run_round(server, number, mails, warmup,
                                          workdir / f"{server}-{number}", inbox))
    return {"senders": SENDERS, "messages": len(mails), "warmup": len(warmup),
            "rounds": [r.figures for pair in zip(*done.values(), strict=True) for r in pair],
            "summary": summarise(done["bare"], done["intake"])}


def summarise(bare: Sequence[Round], intake: Sequence[Round]) -> dict[str, Any]:
    """Medians of the rates and CPU, ratios per round pair, pooled latencies, peak memory."""
    stored = [r.figures["per_second"]["stored"] for r in bare]
    ratios = {}
    for target in RATIOS:
        values = [round(i.figures["per_second"][target] / b, 4) if b else 0.0
                  for i, b in zip(intake, stored, strict=True)]
        ratios[target] = {"median": round(statistics.median(values), 4), "rounds": values}
    return {
        "per_second": {"bare stored": _median_of(bare, "per_second", "stored"),
                       **{f"intake to {target}": _median_of(intake, "per_second", target)
                          for target in RATIOS}},
        "ratio_to_bare": ratios,
        "latency": {"bare dot_to_250": _pooled(bare, "dot_to_250"),
                    **{f"intake {name}": _pooled(intake, name)
                       for name in ("dot_to_250", "to_disposition", "to_ack")}},
        "cpu_ms_per_message": {"bare": {"main": _median_of(bare, "cpu_ms_per_message", "main")},
                               "intake": {kind: _median_of(intake, "cpu_ms_per_message", kind)
                                          for kind in CLASSES}},
        "peak_memory_mb": {"bare": _highest(bare, "main_mb"),
                           "intake": _highest(intake, "main_mb"),
                           "intake_group": _highest(intake, "group_mb")},
    }


def _median_of(rounds: Sequence[Round], section: str, key: str) -> dict[str, Any]:
    values = [r.figures[section][key] for r in rounds]
    return {"median": round(statistics.median(values), 2), "rounds": values}


def _pooled(rounds: Sequence[Round], name: str) -> dict[str, Any]:
    return spread([value for r in rounds for value in r.samples[name]]).to_json()


def _highest(rounds: Sequence[Round], key: str) -> float:
    return max(r.figures["peak_memory"][key] for r in rounds)
