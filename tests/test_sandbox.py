"""The sandbox turns memory blow-ups, timeouts and crashes into ReadingFailed, and recovers."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

import pytest

from intake.reading.sandbox import (
    CRASHED,
    TOO_BIG,
    TOO_SLOW,
    Limits,
    ReadingFailed,
    Sandbox,
    run_limited,
    run_limited_sync,
)

QUICK = Limits(memory_bytes=1 << 30, cpu_seconds=5, wall_seconds=10)


def add(a: int, b: int) -> int:
    return a + b


def allocate(gib: int) -> int:
    return len(bytearray(gib << 30))


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def spin() -> None:
    while True:
        pass


def abort() -> None:
    os.abort()


def fail() -> None:
    raise ValueError("a reader bug")


@pytest.fixture(scope="module")
def sandbox():
    pool = Sandbox(workers=1)
    yield pool
    pool.close()


def test_runs_a_function_in_a_worker(sandbox: Sandbox) -> None:
    assert sandbox.run(add, 2, 3, limits=QUICK) == 5


def test_allocating_four_gib_fails_with_the_memory_reason(sandbox: Sandbox) -> None:
    with pytest.raises(ReadingFailed) as failure:
        sandbox.run(allocate, 4, limits=QUICK)
    assert failure.value.reason == TOO_BIG
    assert sandbox.run(add, 1, 1, limits=QUICK) == 2


def test_sleeping_past_the_timeout_fails_and_the_pool_recovers(sandbox: Sandbox) -> None:
    started = time.monotonic()
    with pytest.raises(ReadingFailed) as failure:
        sandbox.run(sleep, 30, limits=Limits(wall_seconds=0.5))
    assert failure.value.reason == TOO_SLOW
    assert time.monotonic() - started < 5
    assert sandbox.run(add, 2, 2, limits=QUICK) == 4


def test_spending_the_cpu_allowance_fails_with_the_time_reason(sandbox: Sandbox) -> None:
    with pytest.raises(ReadingFailed) as failure:
        sandbox.run(spin, limits=Limits(cpu_seconds=1, wall_seconds=20))
    assert failure.value.reason == TOO_SLOW
    assert sandbox.run(sleep, 0, limits=QUICK) == "woke"


@pytest.mark.parametrize(("reader", "detail"), [(abort, "SIGABRT"), (fail, "a reader bug")])
def test_a_dying_or_raising_reader_is_a_crash_with_detail_and_the_pool_recovers(
        sandbox: Sandbox, reader: Callable[[], None], detail: str) -> None:
    with pytest.raises(ReadingFailed) as failure:
        sandbox.run(reader, limits=QUICK)
    assert failure.value.reason == CRASHED
    assert detail in failure.value.detail
    assert sandbox.run(add, 3, 4, limits=QUICK) == 7


def test_a_warm_call_costs_little(sandbox: Sandbox) -> None:
    sandbox.run(add, 0, 0, limits=QUICK)
    started = time.perf_counter()
    for _ in range(20):
        sandbox.run(add, 1, 2, limits=QUICK)
    assert (time.perf_counter() - started) / 20 < 0.05


async def test_async_and_sync_entry_points_share_the_default_pool() -> None:
    assert await run_limited(add, 20, 22, limits=QUICK) == 42
    assert run_limited_sync(add, 1, 2, limits=QUICK) == 3


async def test_an_async_call_past_the_timeout_fails_and_the_pool_recovers(sandbox: Sandbox) -> None:
    with pytest.raises(ReadingFailed) as failure:
        await sandbox.run_async(sleep, 30, limits=Limits(wall_seconds=0.5))
    assert failure.value.reason == TOO_SLOW
    assert await sandbox.run_async(add, 2, 2, limits=QUICK) == 4


async def test_an_async_caller_cancelled_mid_call_leaves_no_answer_for_the_next(
        sandbox: Sandbox) -> None:
    late = asyncio.create_task(sandbox.run_async(sleep, 0.5, limits=QUICK))
    await asyncio.sleep(0.2)        # the worker is sleeping on the first call
    late.cancel()
    with pytest.raises(asyncio.CancelledError):
        await late
    assert await sandbox.run_async(add, 3, 3, limits=QUICK) == 6
    await asyncio.sleep(0.5)        # when the first answer would have come
    assert await sandbox.run_async(add, 4, 4, limits=QUICK) == 8


@pytest.mark.parametrize(("reader", "detail"), [(abort, "SIGABRT"), (fail, "a reader bug")])
async def test_an_async_call_to_a_dying_or_raising_reader_is_a_crash(
        sandbox: Sandbox, reader: Callable[[], None], detail: str) -> None:
    with pytest.raises(ReadingFailed) as failure:
        await sandbox.run_async(reader, limits=QUICK)
    assert failure.value.reason == CRASHED and detail in failure.value.detail
    assert await sandbox.run_async(add, 3, 4, limits=QUICK) == 7
