"""CPU each command line costs from start to exit: the exports and `bot ask` (issue 13).

Each command runs as a fresh `python -m ...` process against the full store, as a person runs
it; its CPU is the child's user+sys time from `getrusage`. The commands take turns, round
after round, with `python -c pass` among them as the baseline, so a change in the machine's
load falls on every command alike. Figures are medians over the rounds, in milliseconds.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.bot_latency import COMMANDS as QUESTIONS
from bench.processes import base_env

BASELINE = "python -c pass"
FLOOR = "python: import store.db, store.settings"
EXPORTS = ("answers", "submissions", "messages", "authorities")
ROUNDS = 5
REGION = "North East"       # `--as`: a regional user's view
IN_WORDS = "who is missing in London"   # a question in a person's words (issue 13's example)
WARM_UP = ("store export answers", 'bot ask "status"')


def cli_commands() -> dict[str, list[str]]:
    """Every command measured, by the name it is printed under: its arguments after `python`."""
    commands = {BASELINE: ["-c", "pass"],
                # What every command pays before its own work: importing pydantic with our
                # settings, collection and store modules (sqlite3 without sqlite-utils), then
                # freezing them for a quick exit as the commands do.
                FLOOR: ["-c", "import gc, store.db, store.settings; gc.freeze()"]}
    for what in EXPORTS:
        commands[f"store export {what}"] = ["-m", "store", "export", what]
    commands["store export answers --format json"] = ["-m", "store", "export", "answers",
                                                      "--format", "json"]
    for text in QUESTIONS:
        commands[f'bot ask "{text}"'] = ["-m", "bot", "ask", text]
    commands[f'bot ask "missing" --as "{REGION}"'] = ["-m", "bot", "ask", "missing", "--as", REGION]
    commands[f'bot ask "{IN_WORDS}"'] = ["-m", "bot", "ask", IN_WORDS]
    return commands


def measure_cli(db: Path, workdir: Path, *, quick: bool = False) -> dict[str, Any]:
    """The median CPU milliseconds of each command over the rounds (one when `quick`), and the
    baseline's."""
    rounds = 1 if quick else ROUNDS
    # As a person's shell runs them: with bytecode cached (an untimed export and answer write
    # it), not compiling our modules from source as PYTHONDONTWRITEBYTECODE would make them.
    env = {name: value for name, value in base_env(db, workdir).items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    commands = cli_commands()
    for warm_up in WARM_UP:
        _cpu_ms([sys.executable, *commands[warm_up]], env, workdir)
    took: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            took[name].append(_cpu_ms([sys.executable, *argv], env, workdir))
    medians = {name: round(statistics.median(values), 1) for name, values in took.items()}
    baseline = medians.pop(BASELINE)
    return {"rounds": rounds, "baseline_ms": baseline,
            "commands": {name: {"cpu_ms": ms, "above_baseline_ms": round(ms - baseline, 1)}
                         for name, ms in medians.items()}}


def _cpu_ms(argv: list[str], env: dict[str, str], workdir: Path) -> float:
    """User+sys CPU of one run of `argv` to its exit; a failed command stops the bench."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env=env, cwd=workdir, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} failed: {done.stderr[-1000:]}")
    return 1000 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def print_cli(cli: dict[str, Any]) -> None:
    """The table's section: each command's CPU and what it costs above a bare interpreter."""
    print(f"\nCommand lines: CPU ms from start to exit (median of {cli['rounds']}; "
          f"`{BASELINE}` {cli['baseline_ms']})")
    for name, figures in cli["commands"].items():
        print(f"  {name:<40} {figures['cpu_ms']:>8}  (+{figures['above_baseline_ms']})")


if __name__ == "__main__":
    # `python -m bench.cli DB`: this part alone, against an existing store.
    store = Path(sys.argv[1]).resolve()
    print_cli(measure_cli(store, store.parent))
