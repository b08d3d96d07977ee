"""The processes under test: started as the Procfile starts them, watched, measured, stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.process_tree import ProcessTree

REPO = Path(__file__).resolve().parents[1]
NOW = "2020-05-28T12:00:00"     # the day before the deadline, as in the tests
START_SECONDS = 60.0


@dataclass
class Child:
    """A started process, where it listens and where its log goes."""

    name: str
    process: subprocess.Popen
    port: int
    log: Path

    def peak_memory_mb(self) -> dict[str, float]:
        """VmHWM of the process, and summed over it and its live descendants."""
        tree = ProcessTree(self.process.pid)
        tree.sample()
        return tree.peak_memory_mb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_env(db: Path, data_dir: Path) -> dict[str, str]:
    """The environment every child gets: the store, the data dir and the frozen clock."""
    return {**os.environ, "RETURNS_DB": str(db), "RETURNS_DATA_DIR": str(data_dir),
            "RETURNS_NOW": NOW, "PYTHONPATH": str(REPO)}


@contextmanager
def running(name: str, argv: list[str], env: dict[str, str], port: int,
            workdir: Path) -> Iterator[Child]:
    """Start `python argv...`, wait until it listens on `port`, stop it with SIGTERM after."""
    with started(name, argv, env, port, workdir) as child:
        wait_listening(child)
        yield child


@contextmanager
def started(name: str, argv: list[str], env: dict[str, str], port: int,
            workdir: Path) -> Iterator[Child]:
    """As `running`, without waiting: start several, then `wait_listening` for each."""
    log = workdir / f"{name}.log"
    with log.open("ab") as handle:
        process = subprocess.Popen([sys.executable, *argv], cwd=workdir, env=env,
                                   stdout=handle, stderr=handle)
    try:
        yield Child(name, process, port, log)
    finally:
        _stop(process)


def wait_listening(child: Child) -> None:
    """Return once `child` accepts connections on its port; raise if it exits or never does."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with {child.process.returncode}; "
                               f"see {child.log}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", child.port)) == 0:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{child.name} did not listen on {child.port}; see {child.log}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
