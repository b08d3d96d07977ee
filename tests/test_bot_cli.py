"""`python -m bot` from a shell, on a small store named by RETURNS_DB."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.__main__ import main
from store.db import open_db
from tests.bot_helpers import add_return

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(db, settings) -> dict[str, str]:
    add_return(db, "E09000003")                                   # Barnet: valid
    add_return(db, "E09000007", status="invalid")                  # Camden
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))}
    return {**clean, "RETURNS_DB": str(settings.returns_db),
            "RETURNS_NOW": "2020-06-01T12:00:00+01:00", "BOT_PORT": "0"}


def run_bot(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_ask_prints_the_answer_and_exits_0(env):
    done = run_bot(env, "ask", "who hasn't sent theirs in London?")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("32 of 33 LAs in London have no valid return: 1 needs fixing, "
                                  "0 letter missing, 31 not received (1 working day late)")
    assert "Camden: needs fixing" in done.stdout
    assert "Barnet" not in done.stdout


def test_ask_as_a_region_and_the_full_list_as_csv(env, tmp_path):
    out = tmp_path / "missing.csv"
    done = run_bot(env, "ask", "missing", "--as", "london", "--csv", str(out))
    assert done.returncode == 0, done.stderr
    assert "in London" in done.stdout.splitlines()[0]
    national = run_bot(env, "ask", "missing", "--csv", str(out))
    assert national.stdout.startswith("150 of 151 LAs have no valid return")
    assert len(out.read_text().strip().splitlines()) == 151


def test_ask_as_an_unknown_region_is_a_usage_error(env):
    done = run_bot(env, "ask", "status", "--as", "Narnia")
    assert done.returncode == 2
    assert "neither 'national' nor a region" in done.stderr


def test_chat_answers_each_line_until_quit(env):
    done = run_bot(env, "chat", stdin="status Barnet\nstatus\nquit\nstatus Camden\n")
    assert done.returncode == 0, done.stderr
    assert "Barnet (London): valid, version 1 of 1 counts" in done.stdout
    assert "2 of 151 returned: 1 valid, 1 needs fixing, 0 letter missing; 149 not received" in done.stdout
    assert "Camden" not in done.stdout


def test_without_slack_credentials_it_says_how_to_use_the_terminal_answers_healthz_and_chases(
        env):
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        said = ""
        while "bot listening" not in said:
            line = bot.stdout.readline()
            assert line, f"the bot stopped before listening: {said}"
            said += line
        health = re.search(r"http://\S+/healthz", said)[0]
        with urllib.request.urlopen(health, timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"status": "ok", "slack": False}
        db = open_db(Path(env["RETURNS_DB"]))
        deadline = time.monotonic() + 30
        while not db.execute("SELECT COUNT(*) FROM chase_runs").fetchone()[0]:
            assert time.monotonic() < deadline, "the chase slot of 1 June never ran"
            time.sleep(0.1)
    finally:
        bot.terminate()
        bot.wait(10)
        bot.stdout.close()
    assert "Slack is off" in said and "python -m bot chat" in said


def test_chat_offers_close_readings_as_a_numbered_choice(env):
    done = run_bot(env, "chat", stdin="status Berkshire\n4\n")
    assert done.returncode == 0, done.stderr
    assert "Did you mean Bracknell Forest, Reading, Slough, West Berkshire, Windsor and " \
           "Maidenhead or Wokingham?" in done.stdout
    assert "  3. Slough: status Slough" in done.stdout
    assert "West Berkshire (South East): nothing received" in done.stdout


@pytest.mark.parametrize("sub", ["ask", "chat", "digest", "serve"])
def test_every_subcommand_has_help(sub, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([sub, "--help"])
    assert exit_.value.code == 0
    assert f"usage: python -m bot {sub}" in capsys.readouterr().out


def test_manifest_declares_what_the_bot_uses():
    manifest = (ROOT / "bot" / "manifest.yml").read_text()
    for needed in ("app_mentions:read", "chat:write", "commands", "im:history", "im:read",
                   "im:write", "files:write", "users:read", "app_mention", "message.im",
                   "app_home_opened", "home_tab_enabled: true",
                   "command: /returns", "https://YOUR-HOST/slack/events", "is_enabled: true"):
        assert needed in manifest
