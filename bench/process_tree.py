"""A server process and its descendants, watched from /proc: CPU by kind of process, peak memory.

A background thread samples the process tree every `INTERVAL` seconds, so that a worker that
comes and goes between two marks is still counted (up to its last sample). Each process is
known by its pid and start time (pids are reused) and classed by its name in
/proc/<pid>/comm: the watched process is `main` (the SMTP edge), a descendant that named itself
`returns-process` is the intake's processing process (hand-over to the workers, the outbox
sender), `returns-worker` one of its workers, anything else (a forkserver, a resource tracker)
is `other`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

INTERVAL = 0.1
PROCESSING = "returns-process"
WORKER = "returns-worker"
CLASSES = ("main", PROCESSING, WORKER, "other")
TICKS = os.sysconf("SC_CLK_TCK")

Key = tuple[int, int]  # pid, start time in clock ticks since boot


@dataclass
class Seen:
    """What was last seen of one process: its class, CPU seconds so far, and VmHWM."""

    kind: str
    cpu_seconds: float
    peak_kb: int


class ProcessTree:
    """Watches `pid` and its descendants while the `with` block runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._seen: dict[Key, Seen] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="process-tree", daemon=True)

    def __enter__(self) -> ProcessTree:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        """Read every process of the tree now."""
        for pid in [self.pid, *descendants(self.pid)]:
            found = _read(pid, self.pid)
            if found is None:      # gone since it was listed
                continue
            key, seen = found
            with self._lock:
                earlier = self._seen.get(key)
                if earlier is not None:
                    seen.peak_kb = max(seen.peak_kb, earlier.peak_kb)
                self._seen[key] = seen

    def cpu_mark(self) -> dict[Key, float]:
        """CPU seconds of each process seen so far, to measure from (after a fresh sample)."""
        self.sample()
        with self._lock:
            return {key: seen.cpu_seconds for key, seen in self._seen.items()}

    def cpu_since(self, mark: dict[Key, float]) -> dict[str, float]:
        """CPU seconds used by each class of process since `mark` (after a fresh sample)."""
        self.sample()
        used = dict.fromkeys(CLASSES, 0.0)
        with self._lock:
            for key, seen in self._seen.items():
                used[seen.kind] += seen.cpu_seconds - mark.get(key, 0.0)
        return used

    def peak_memory_mb(self) -> dict[str, float]:
        """VmHWM of the watched process, and summed over it and every descendant seen."""
        with self._lock:
            main = sum(seen.peak_kb for seen in self._seen.values() if seen.kind == "main")
            group = sum(seen.peak_kb for seen in self._seen.values())
        return {"main_mb": round(main / 1024, 1), "group_mb": round(group / 1024, 1)}

    def _watch(self) -> None:
        while not self._stop.wait(INTERVAL):
            self.sample()


def descendants(pid: int) -> list[int]:
    """Children of `pid`, their children, and so on (from each thread's children list)."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:            # gone already
            continue
        for task in tasks:
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            frontier += children
    return found


def _read(pid: int, root: int) -> tuple[Key, Seen] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    # The name may hold spaces and brackets: it runs from the first '(' to the last ')'.
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()   # fields[0] is the 3rd field, the state
    utime, stime, start = int(fields[11]), int(fields[12]), int(fields[19])
    kind = "main" if pid == root else name if name in (PROCESSING, WORKER) else "other"
    return (pid, start), Seen(kind, (utime + stime) / TICKS, _high_water_kb(status))


def _high_water_kb(status: str) -> int:
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
