"""Run a reader in a separate worker process with memory, CPU and wall-clock limits.

Readers are not safe on hostile files (python-calamine can abort the interpreter, a zip or
XML bomb can eat all memory), so attachments are read in a worker: whatever goes wrong there
comes back as `ReadingFailed` with a plain-words reason, and the caller carries on.

Workers are persistent (started once from a forkserver that has the readers imported), one
call at a time each, and replaced when one dies or is killed. A hand-rolled pool rather than
ProcessPoolExecutor because on a timeout the stuck worker must be killed on its own, and
because the worker's exit signal tells a crash from a CPU-time kill; the executor hides both
(and breaks the whole pool on one death).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import math
import multiprocessing
import os
import queue
import resource
import select
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from intake.reading import READER_MODULES

T = TypeVar("T")

TOO_SLOW = "the attachments took too long to read"
TOO_BIG = "reading the attachments needed more memory than allowed"
CRASHED = "the reader crashed on an attachment"

# One worker per core keeps every core busy; the SMTP edge still comes first, because workers
# run at a lower priority, so a 250 never waits behind reading.
WORKERS = max(2, os.cpu_count() or 1)
WORKER_NICENESS = 10
WORKER_NAME = b"returns-worker"   # what `ps` and /proc/<pid>/comm show


@dataclass(frozen=True)
class Limits:
    """What one call may use: address space, CPU time, and time on the clock."""

    memory_bytes: int = 1 << 30
    cpu_seconds: int = 20
    wall_seconds: float = 30.0


DEFAULT_LIMITS = Limits()


class ReadingFailed(Exception):
    """The worker could not finish; `reason` is for people, `detail` for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class WorkerGone(Exception):
    """The worker process had died before it was given the call."""


class CpuTimeExceeded(BaseException):
    """Raised inside the worker by SIGXCPU when the call's CPU allowance is spent.

    A BaseException so that a reader's `except Exception` around one file cannot swallow it.
    """


class Sandbox:
    """A small pool of limited worker processes; thread-safe, one call per worker at a time."""

    def __init__(self, workers: int = 1, preload: tuple[str, ...] = ()) -> None:
        self._context = multiprocessing.get_context("forkserver")
        if preload:
            self._context.set_forkserver_preload(list(preload))
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(workers):
            self._idle.put(None)  # started on first use

    def run(self, fn: Callable[..., T], *args: Any, limits: Limits = DEFAULT_LIMITS) -> T:
        """Call fn(*args) in a worker; raises ReadingFailed when the worker cannot finish."""
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive:
                worker = self._replace(worker)
            try:
                return worker.call(fn, args, limits)
            except WorkerGone:
                # It died between calls (killed from outside): the file is not to blame.
                worker = self._replace(worker)
                return worker.call(fn, args, limits)
        finally:
            if worker is not None and not worker.alive:
                self._forget(worker)
                worker = None
            self._idle.put(worker)

    async def run_async(self, fn: Callable[..., T], *args: Any, limits: Limits = DEFAULT_LIMITS) -> T:
        """As `run`, waiting in a thread so the event loop keeps answering."""
        call = functools.partial(self.run, fn, *args, limits=limits)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    def close(self) -> None:
        """Stop every worker (they are daemons too, so an exiting process leaves none)."""
        with self._lock:
            workers, self._workers = self._workers, set()
        for worker in workers:
            worker.stop()

    def _replace(self, worker: _Worker | None) -> _Worker:
        if worker is not None:
            self._forget(worker)
        fresh = _Worker(self._context)
        with self._lock:
            self._workers.add(fresh)
        return fresh

    def _forget(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._workers.discard(worker)


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context: Any) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        # Polled through objects made once: `is_alive()` and `Connection.poll()` build a
        # selector for each look, which was most of a call's CPU in this process.
        self._answer = select.poll()
        self._answer.register(self.connection.fileno(), select.POLLIN)
        self._ended = select.poll()     # the sentinel turns readable when the process ends
        self._ended.register(self.process.sentinel, select.POLLIN)

    @property
    def alive(self) -> bool:
        return not self._ended.poll(0)

    def call(self, fn: Callable[..., T], args: tuple[Any, ...], limits: Limits) -> T:
        try:
            self.connection.send((fn, args, limits))
        except OSError as error:        # BrokenPipeError: the worker is already gone
            raise WorkerGone from error
        if not self._answer.poll(math.ceil(limits.wall_seconds * 1000)):
            self.stop()
            raise ReadingFailed(TOO_SLOW, f"no answer within {limits.wall_seconds} s")
        try:
            outcome, value = self.connection.recv()
        except (EOFError, OSError) as error:
            self.process.join(5)
            raise ReadingFailed(*_reason_for_exit(self.process.exitcode)) from error
        if outcome == "ok":
            return value
        if outcome == "memory":
            self.stop()  # a worker that ran out of memory may be left in a poor state
        raise ReadingFailed({"memory": TOO_BIG, "time": TOO_SLOW}.get(outcome, CRASHED), value)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


def _reason_for_exit(exitcode: int | None) -> tuple[str, str]:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else str(-exitcode)
        reason = TOO_SLOW if -exitcode == signal.SIGXCPU else CRASHED
        return reason, f"worker killed by {name}"
    return CRASHED, f"worker exited with code {exitcode}"


def _serve(connection: Connection) -> None:
    """The worker's loop: receive a call, run it under the limits, send back the outcome."""
    _become_worker()
    signal.signal(signal.SIGXCPU, _cpu_exceeded)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            fn, args, limits = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(_outcome(fn, args, limits))


def _become_worker() -> None:
    os.nice(WORKER_NICENESS)
    # What the forkserver preloaded (the readers, the pipeline: ~150,000 objects) lives as long
    # as the worker: frozen, a full collection no longer walks it (~0.1 s each time otherwise).
    gc.freeze()
    try:
        with open("/proc/self/comm", "wb") as comm:
            comm.write(WORKER_NAME)
    except OSError:     # not Linux: the name is only a convenience
        pass


def _outcome(fn: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> tuple[str, Any]:
    try:
        _apply(limits)
        return "ok", fn(*args)
    except MemoryError:
        return "memory", "MemoryError"
    except CpuTimeExceeded:
        return "time", f"more than {limits.cpu_seconds} s of CPU"
    except Exception as error:  # a reader's bug is reported, not fatal to the worker
        return "error", f"{type(error).__name__}: {error}"
    finally:
        _lift()


def _apply(limits: Limits) -> None:
    # RLIMIT_CPU counts the process's whole life, so the allowance is added to what it used.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _set_soft(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime + limits.cpu_seconds))
    _set_soft(resource.RLIMIT_AS, limits.memory_bytes)


def _lift() -> None:
    # Between calls the worker only waits; lifting the limits keeps a spent allowance from
    # firing while the result is being sent back.
    _set_soft(resource.RLIMIT_CPU, resource.RLIM_INFINITY)
    _set_soft(resource.RLIMIT_AS, resource.RLIM_INFINITY)


def _set_soft(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY and (value == resource.RLIM_INFINITY or value > hard):
        value = hard
    resource.setrlimit(kind, (value, hard))


def _cpu_exceeded(signum: int, frame: object) -> None:
    raise CpuTimeExceeded()


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process's shared sandbox: a worker per core, with processing already imported."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox(workers=WORKERS, preload=("intake.worker", *READER_MODULES))
        return _default


def run_limited_sync(fn: Callable[..., T], *args: Any, limits: Limits = DEFAULT_LIMITS) -> T:
    """Call fn(*args) in the shared sandbox (for the CLI and other blocking callers)."""
    return default_sandbox().run(fn, *args, limits=limits)


async def run_limited(fn: Callable[..., T], *args: Any, limits: Limits = DEFAULT_LIMITS) -> T:
    """Call fn(*args) in the shared sandbox without blocking the event loop."""
    return await default_sandbox().run_async(fn, *args, limits=limits)
