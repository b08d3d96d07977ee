"""`python -m store`: create the database, export, import a return by hand, load contacts."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from store.command_line import run
from store.contacts import load_contacts_csv
from store.db import open_db, open_store
from store.exports import COLUMNS, write_export
from store.register import authorities_by_code, load_into
from store.settings import Settings

log = logging.getLogger("store")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="create or migrate the database and load the LA register")
    export = commands.add_parser("export", help="write an export (CSV or JSON) to stdout or -o")
    export.add_argument("what", choices=sorted(COLUMNS))
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    imp = commands.add_parser("import", help="ingest a return file (template or letter) by hand")
    imp.add_argument("file", type=Path)
    imp.add_argument("--la", help="the LA's GSS code (default: identify it from the file)")
    contacts = commands.add_parser("contacts", help="load LA contacts from a CSV "
                                                    "(header la_code,email,role)")
    contacts.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")

    settings = Settings()
    # Only `init` loads the register, which needs sqlite-utils; the others are quicker without.
    db = (open_db if args.command == "init" else open_store)(settings.returns_db)
    return {"init": _init, "export": _export, "import": _import, "contacts": _contacts}[
        args.command](db, settings, args)


def _init(db, settings: Settings, args) -> int:
    count = load_into(db)
    log.info("database ready at %s with %d LAs in the register", settings.returns_db, count)
    return 0


def _export(db, settings: Settings, args) -> int:
    if args.output:
        with args.output.open("w", newline="", encoding="utf-8") as out:
            rows = write_export(db, args.what, out, args.format)
        log.info("wrote %d rows to %s", rows, args.output)
    else:
        write_export(db, args.what, sys.stdout, args.format)
    return 0


def _import(db, settings: Settings, args) -> int:
    # Reading and recording a return is the intake's work: the store hands the file to the
    # intake's own command, in a process of its own, and never imports the intake.
    command = [sys.executable, "-m", "intake", "import", str(args.file)]
    if args.la:
        command += ["--la", args.la]
    return subprocess.run(command, check=False).returncode


def _contacts(db, settings: Settings, args) -> int:
    added, problems = load_contacts_csv(db, args.file.read_text("utf-8-sig"),
                                        set(authorities_by_code()))
    for problem in problems:
        log.warning("%s", problem)
    print(f"{added} contacts added, {len(problems)} rows refused")
    return 0 if not problems else 1


if __name__ == "__main__":
    run(main)
