"""The bench's results as a table on standard output."""

from __future__ import annotations

from typing import Any

from bench.cli import print_cli


def print_report(results: dict[str, Any]) -> None:
    """Print each part's headline figures; the JSON has everything."""
    machine = results["machine"]
    print(f"bench on {machine['cpus']} CPUs, Python {machine['python']}, load "
          f"{machine['load_average'][0]:.2f} at start{' (QUICK: sizes too small to judge)' if machine['quick'] else ''}")
    parts = {"throughput": _throughput, "reading": _reading, "generality": _generality,
             "bot": _bot, "cli": print_cli, "understanding": _understanding, "memory": _memory,
             "profile": _stages}
    for part, show in parts.items():
        if part in results:     # `--throughput-only` runs the first alone
            show(results[part])


def _throughput(throughput: dict[str, Any]) -> None:
    summary = throughput["summary"]
    _title(f"Intake against the bare sink: {throughput['messages']} returns over "
           f"{throughput['senders']} connections, {len(throughput['rounds']) // 2} round(s) "
           f"of each, alternating (median, then each round)")
    for name, figures in summary["per_second"].items():
        print(f"  {name + '/s':<24} {figures['median']:>8}   {_each(figures['rounds'])}")
    for target, figures in summary["ratio_to_bare"].items():
        print(f"  intake to {target} / bare stored: {figures['median']:.3f}   "
              f"{_each(figures['rounds'])}")
    _row("latency ms", "p50", "p99", "max", "n", width=26)
    for name, spread in summary["latency"].items():
        _row(name, spread["p50_ms"], spread["p99_ms"], spread["max_ms"], spread["n"], width=26)
    cpu = summary["cpu_ms_per_message"]
    print("  CPU ms/message: bare " + _cpu(cpu["bare"]) + "; intake " + _cpu(cpu["intake"]))
    peaks = summary["peak_memory_mb"]
    print(f"  peak RSS MB: bare {peaks['bare']}, intake {peaks['intake']}, intake with its "
          f"processes {peaks['intake_group']}")
    for round_ in throughput["rounds"]:
        if round_["server"] == "intake":
            print(f"  round {round_['round']} dispositions {round_['dispositions']}, "
                  f"acks {round_['acks']}")


def _each(values: list[float]) -> str:
    return "(" + ", ".join(str(value) for value in values) + ")"


def _cpu(by_kind: dict[str, dict[str, Any]]) -> str:
    return ", ".join(f"{kind} {figures['median']}" for kind, figures in by_kind.items())


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
    print(f"  intake {memory['intake_mb']} (with its processes {memory['intake_group_mb']}), "
          f"bare server {memory['bare_mb']}, bot {memory['bot_mb']}")


def _stages(profile: dict[str, Any]) -> None:
    _title(f"Intake stages, one message at a time ({profile['messages']} messages): ms")
    for name, figures in profile["stages"].items():
        print(f"  {name:<22} p50 {figures['p50_ms']:>9}  p99 {figures['p99_ms']:>9}")
    cpu = profile.get("worker_cpu_ms", {})
    print("  a worker's CPU per message (ms): "
          + ", ".join(f"{step} {took}" for step, took in cpu.items()))
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
