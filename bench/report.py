"""The bench's results as a table on standard output."""

from __future__ import annotations

from typing import Any

from bench.cli import print_cli


def print_report(results: dict[str, Any]) -> None:
    """Print each part's headline figures; the JSON has everything."""
    machine = results["machine"]
    print(f"bench on {machine['cpus']} CPUs, Python {machine['python']}, load "
          f"{machine['load_average'][0]:.2f} at start{' (QUICK: sizes too small to judge)' if machine['quick'] else ''}")
    _intake(results["intake"])
    _reading(results["reading"])
    _generality(results["generality"])
    _bot(results["bot"])
    print_cli(results["cli"])
    _understanding(results["understanding"])
    _memory(results["memory"])
    _stages(results["profile"])


def _intake(intake: dict[str, Any]) -> None:
    _title("Intake throughput (messages/s) and final dot to 250 (ms)")
    _row("server", "senders", "250s/s", "acked/s", "dot>250 p50", "p99", "250>ack p50", "p99",
         "cpu ms/msg")
    for run in intake["runs"]:
        acked = run.get("acknowledged_per_second", "")
        to_ack = run.get("to_ack_written", {})
        cpu = run["cpu_ms_per_message"]
        _row(run["server"], run["senders"], run["stored_per_second"], acked,
             run["dot_to_250"]["p50_ms"], run["dot_to_250"]["p99_ms"],
             to_ack.get("p50_ms", ""), to_ack.get("p99_ms", ""),
             f"{cpu['process']}+{cpu['children']}")
    for senders, ratio in intake["ratio_to_bare"].items():
        print(f"  intake acknowledged/s ÷ bare stored/s with {senders} sender(s): {ratio:.3f}")


def _reading(rows: list[dict[str, Any]]) -> None:
    _title("Reading one return by format: p50 ms (ours, then each library's raw read)")
    for row in rows:
        raw = ", ".join(f"{name} {value['p50_ms']}" for name, value in row["raw"].items())
        skipped = ", ".join(f"{name}: {why}" for name, why in row["raw_skipped"].items())
        print(f"  {row['format']:<5} {row['file_bytes']:>7} bytes  ours {row['ours']['p50_ms']:>8}"
              f"  | {raw}{'  (' + skipped + ')' if skipped else ''}")


def _generality(figures: dict[str, Any]) -> None:
    _title(f"Reading {figures['returns']} generated returns (seed {figures['seed']}): % right")
    print(f"  cells {figures['cells_right_pct']}, totals {figures['totals_right_pct']}, "
          f"LA fields {figures['las_right_pct']} ({figures['las_wrong']} wrong LA), "
          f"{figures['returns_misread']} returns with a misreading, {figures['seconds']} s")


def _bot(bot: dict[str, Any]) -> None:
    _title("Bot on a full store (151 LAs x 5 versions): ms")
    _row("command", "layer p50", "p99", "slack p50", "p99", "ack p50", width=20)
    for text, figures in bot["commands"].items():
        _row(text, figures["command_layer"]["p50_ms"], figures["command_layer"]["p99_ms"],
             figures["slack_answer"]["p50_ms"], figures["slack_answer"]["p99_ms"],
             figures["slack_ack"]["p50_ms"], width=20)
    idle, busy = bot["ack_idle"], bot["ack_during_burst"]
    print(f"  /returns ack idle: p50 {idle['p50_ms']} p99 {idle['p99_ms']} max {idle['max_ms']} "
          f"(n={idle['n']})")
    print(f"  /returns ack while the intake takes and processes {bot['burst']['messages']} "
          f"messages: p50 {busy['p50_ms']} p99 {busy['p99_ms']} max {busy['max_ms']} "
          f"(n={busy['n']})")


def _understanding(figures: dict[str, Any]) -> None:
    _title("Bot understanding of staff's questions (bench/questions.txt)")
    print(f"  {figures['right']} of {figures['questions']} read right "
          f"({figures['share_right']:.1%}); wrong place answered with data: "
          f"{figures['wrong_place_with_data']}")
    for miss in figures["misses"]:
        print(f"    missed: {miss}")


def _memory(memory: dict[str, Any]) -> None:
    _title("Peak memory (VmHWM, MB)")
    print(f"  intake {memory['intake_mb']} (+ reader workers {memory['intake_reader_workers_mb']}"
          f"), bare server {memory['bare_mb']}, bot {memory['bot_mb']}")


def _stages(profile: dict[str, Any]) -> None:
    _title(f"Intake stages, one message at a time ({profile['messages']} messages): ms")
    for name, figures in profile["stages"].items():
        print(f"  {name:<22} p50 {figures['p50_ms']:>9}  p99 {figures['p99_ms']:>9}")
    print("  parts under cProfile (ms per message, inflated by the profiler: read as shares):")
    for name, took in profile["hot_functions"]["parts_ms_per_message"].items():
        print(f"    {took:>7} ms  {name}")
    print("  hottest functions (own time per message):")
    for row in profile["hot_functions"]["by_own_time"][:6]:
        print(f"    {row['own_ms_per_message']:>7} ms  {row['function']}")


def _title(text: str) -> None:
    print(f"\n{text}")


def _row(*cells: Any, width: int = 12) -> None:
    first, *rest = cells
    print(f"  {str(first):<{width}}" + "".join(f"{str(cell):>12}" for cell in rest))
