"""Percentiles and rates: every figure the bench reports is one of these, never a raw timing."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Spread:
    """A sample of durations in milliseconds: count, p50, p99 and the worst."""

    n: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def spread(seconds: Sequence[float]) -> Spread:
    """The spread of durations given in seconds."""
    millis = [s * 1000 for s in seconds]
    return Spread(len(millis), round(percentile(millis, 0.5), 3), round(percentile(millis, 0.99), 3),
                  round(max(millis, default=0.0), 3))


def repeat(call: Callable[[], object], times: int) -> list[float]:
    """Call `call` `times` times; the seconds each call took."""
    took = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        took.append(time.perf_counter() - started)
    return took


def rate(count: int, seconds: float) -> float:
    """Events per second, rounded for reading."""
    return round(count / seconds, 2) if seconds > 0 else 0.0
