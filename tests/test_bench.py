"""`python -m bench --quick` runs every part against real processes and reports each of them.

Timings are never asserted (the machine is shared); what is checked is that each section is
there, that every message was accepted and processed, and that the table names the headline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS = {"status", "status London", "status Leeds", "missing", "missing South West",
            "concerns", "concerns Midlands", "concerns testing", "quarantine"}
SPREAD = {"n", "p50_ms", "p99_ms", "max_ms"}


def test_quick_bench_reports_every_section(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())

    assert set(results) == {"machine", "intake", "reading", "generality", "bot", "cli",
                            "understanding", "memory", "profile"}
    runs = {(run["server"], run["senders"]): run for run in results["intake"]["runs"]}
    assert set(runs) == {("bare", 1), ("bare", 8), ("intake", 1), ("intake", 8)}
    assert all(run["refused"] == 0 and set(run["dot_to_250"]) == SPREAD for run in runs.values())
    for senders in (1, 8):
        intake = runs[("intake", senders)]
        assert intake["dispositions"] == {"accepted": intake["messages"]}
        assert intake["to_ack_written"]["n"] == intake["messages"]
        assert results["intake"]["ratio_to_bare"][str(senders)] > 0

    reading = {row["format"]: row for row in results["reading"]}
    assert set(reading) == {"xlsx", "xls", "ods", "csv", "docx", "pdf"}
    assert {"python-calamine", "openpyxl read_only"} <= set(reading["xlsx"]["raw"])
    assert {"python-calamine", "odfpy"} <= set(reading["ods"]["raw"])

    generality = results["generality"]
    assert generality["returns"] == 20 and generality["las_wrong"] == 0
    assert 0 < generality["cells_right_pct"] <= 100
    assert "Reading 20 generated returns" in done.stdout

    bot = results["bot"]
    assert bot["store"]["authorities"] == 151 and bot["store"]["submissions"] == 151 * 5
    assert set(bot["commands"]) == COMMANDS
    assert all(set(figures) == {"command_layer", "slack_ack", "slack_answer"}
               for figures in bot["commands"].values())
    assert bot["ack_idle"]["n"] > 0 and bot["ack_during_burst"]["n"] > 0
    assert bot["burst"]["accepted"] == bot["burst"]["messages"]

    cli = results["cli"]
    assert cli["baseline_ms"] > 0
    assert {"store export submissions", 'bot ask "status"'} <= set(cli["commands"])
    assert all(figures["cpu_ms"] > cli["baseline_ms"] for figures in cli["commands"].values())
    assert 'bot ask "status"' in done.stdout

    assert all(results["memory"][key] > 0 for key in ("intake_mb", "bare_mb", "bot_mb"))
    assert set(results["profile"]["stages"]) == {
        "store_raw", "read_message", "read_message_limited", "process_stored", "send_due"}
    assert results["profile"]["hot_functions"]["by_own_time"]
    assert "intake/reading/mime.py:parse_mime" in results["profile"]["hot_functions"]["parts_ms_per_message"]
    assert "intake acknowledged/s ÷ bare stored/s with 8 sender(s)" in done.stdout
    understood = results["understanding"]
    assert understood["questions"] >= 200 and understood["share_right"] >= 0.95
    assert f"{understood['right']} of {understood['questions']} read right" in done.stdout
