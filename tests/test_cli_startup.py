"""The command lines load only what their answer needs (issue 13: CPU at start-up).

No timing is asserted (the machine is shared; `bench/cli.py` measures the CPU). What is
checked is which modules a command imported, read from `python -X importtime`, beside the
answer it printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.exports import COLUMNS
from tests.bot_helpers import add_return

REPO = Path(__file__).resolve().parents[1]
# Libraries no export or answer needs: numpy (sqlite-utils' optional types), the report
# writers, the chart, and the servers' stacks.
HEAVY = {"numpy", "pandas", "matplotlib", "openpyxl", "docx", "slack_bolt", "slack_sdk",
         "aiohttp", "aiosmtpd", "aiosmtplib"}
# Nor what an export or an answer's start-up can do without: sqlite-utils (with click, pluggy
# and dateutil) for a store already migrated (store/db.py).
STARTUP = {"sqlite_utils", "click", "pluggy", "dateutil"}


@pytest.fixture
def env(db, settings) -> dict[str, str]:
    add_return(db, "E09000003")                                   # Barnet: valid
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))}
    return {**clean, "RETURNS_DB": str(settings.returns_db), "PYTHONPATH": str(REPO),
            "RETURNS_DATA_DIR": str(settings.returns_data_dir),
            "RETURNS_NOW": "2020-05-28T12:00:00"}


def run(env: dict[str, str], *args: str) -> tuple[str, set[str]]:
    """Standard output of `python -m ARGS`, and every module it imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    assert "store.db" in modules            # the importtime lines were read
    return done.stdout, modules


def libraries(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_an_export_loads_no_heavy_library(env):
    out, modules = run(env, "store", "export", "submissions")
    assert out.splitlines()[0] == ",".join(COLUMNS["submissions"])
    assert out.splitlines()[1].startswith("E09000003,Barnet,London,1,")
    assert not libraries(modules) & (HEAVY | STARTUP)


def test_asking_status_loads_neither_the_reports_nor_the_digest_nor_chasing(env):
    out, modules = run(env, "bot", "ask", "status")
    assert out.startswith("1 of 151 returned: 1 valid")
    assert not libraries(modules) & (HEAVY | STARTUP)
    assert not {name for name in modules if name.startswith(
        ("bot.report", "bot.digest", "bot.chase_command", "bot.concern", "intake"))}


def test_a_report_still_loads_its_writers(env):
    out, modules = run(env, "bot", "ask", "report London")
    assert "Written:" in out and ".docx" in out and ".xlsx" in out
    assert {"docx", "openpyxl"} <= libraries(modules)


def test_numpy_imports_as_usual_after_the_store_loaded_sqlite_utils_without_it():
    code = ("import store.lean_sqlite_utils, sqlite_utils.db, numpy; "
            "print(sqlite_utils.db.np is None, numpy.int64(7) + 1)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.stdout.split() == ["True", "8"], done.stderr


def test_printing_the_digest_loads_no_slack_client(env):
    out, modules = run(env, "bot", "digest", "--print")
    assert out.startswith("Daily digest for England")
    assert not libraries(modules) & HEAVY


@pytest.mark.parametrize("args", [("store", "export", "answers"), ("bot", "ask", "missing")])
def test_a_reader_that_goes_away_ends_the_command_quietly(env, args):
    command = subprocess.Popen([sys.executable, "-m", *args], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert command.stdout is not None and command.stderr is not None
    command.stdout.close()      # as `| head` does once it has its lines: the rest has no reader
    with command.stderr:
        errors = command.stderr.read()
    assert command.wait(60) == 0 and b"Traceback" not in errors, errors[-2000:]
