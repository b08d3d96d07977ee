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
        """VmHWM of the process and, summed, of its descendants (e.g. reader workers)."""
        own = _high_water_kb(self.process.pid)
        others = sum(_high_water_kb(pid) for pid in _descendants(self.process.pid))
        return {"process_mb": round(own / 1024, 1), "children_mb": round(others / 1024, 1)}

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time (user + system) used so far by the process and by its live descendants."""
        return (_cpu_seconds(self.process.pid),
                sum(_cpu_seconds(pid) for pid in _descendants(self.process.pid)))


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


def _high_water_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:              # gone already
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    # utime and stime are the 14th and 15th fields; `fields` starts at the 3rd.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name may hold spaces and brackets: the ppid follows the last ')'.
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found
