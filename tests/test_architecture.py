"""The layout a newcomer relies on: imports flow bot → intake → store, and the service runs
without the sample writers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "intake", "store")
# Each package may import itself and the packages after it, never one before it.
MAY_IMPORT = {"bot": {"bot", "intake", "store"}, "intake": {"intake", "store"}, "store": {"store"}}
SAMPLE_WRITERS = ("xlwt", "fpdf", "xlsxwriter")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES
            for path in sorted((REPO / package).rglob("*.py"))}


def imported_names(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function, as absolute names."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names |= {node.module or ""} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_reader_finds_imports_inside_functions_too(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("import a.b\n\ndef f():\n    from c import d\n")
    assert imported_names(module) == {"a.b", "c", "c.d"}


def test_imports_flow_one_way_bot_to_intake_to_store():
    upward = []
    for name, path in modules().items():
        package = name.split(".")[0]
        for imported in imported_names(path):
            top = imported.split(".")[0]
            if top in PACKAGES and top not in MAY_IMPORT[package]:
                upward.append(f"{name} imports {imported}")
    assert upward == []


def test_only_the_samples_use_the_sample_writers():
    users = {name for name, path in modules().items()
             if any(imported.split(".")[0] in SAMPLE_WRITERS for imported in imported_names(path))}
    assert users and all(name.startswith("intake.samples.") for name in users), users
    # The one way into the samples from the service's code is the send-sample command.
    callers = {name for name, path in modules().items() if not name.startswith("intake.samples")
               and any(imported.startswith("intake.samples") for imported in imported_names(path))}
    assert callers == {"intake.__main__"}


def test_importing_the_service_loads_no_sample_writer():
    service = sorted(name for name in modules() if not name.startswith("intake.samples"))
    script = (f"import importlib, sys\nfor name in {service!r}:\n    importlib.import_module(name)\n"
              f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SAMPLE_WRITERS!r}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_module_fits_in_three_hundred_lines():
    long = {name: lines for name, path in modules().items()
            if (lines := len(path.read_text("utf-8").splitlines())) > 300}
    assert long == {}
