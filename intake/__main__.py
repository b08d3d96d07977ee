"""`python -m intake`: run the SMTP intake, or one of its tools (send-sample, template, chase,
import)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from pathlib import Path

from store.collection import Collection, load_collection
from store.settings import Settings

log = logging.getLogger("intake")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["send-sample"]:
        return _send_sample(argv[1:])
    if argv[:1] == ["chase"]:
        from intake.chase_cli import chase_main

        return chase_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m intake",
        description="Runs the SMTP intake and its outgoing-mail sender (no command), or a tool.",
        epilog="send-sample [--count N] [--host H --port P]: email realistic synthetic returns "
               "to a running intake (see `python -m intake send-sample --help`).",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the intake (the default)")
    commands.add_parser("send-sample", help="email synthetic returns to a running intake")
    commands.add_parser("chase", help="queue the chasers due now: chase [--now ISO] [--dry-run]")
    imported = commands.add_parser("import", help="ingest a return file (template or letter) "
                                                  "by hand: import FILE [--la CODE]")
    imported.add_argument("file", type=Path)
    imported.add_argument("--la", help="the LA's GSS code (default: identify it from the file)")
    template = commands.add_parser("template", help="write the blank template (.xlsx)")
    template.add_argument("-o", "--output", type=Path, default=Path("care_home_support_template.xlsx"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # aiosmtpd logs every SMTP command at INFO: five lines a message, written on the event
    # loop. Our own line per message (its reference, sender and disposition) is kept, and the
    # store keeps each message's peer.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    settings = Settings()
    collection = load_collection(settings.collection)
    if args.command == "template":
        from intake.blank import write_blank_template

        write_blank_template(args.output, collection)
        print(f"wrote the blank template to {args.output}")
        return 0
    if args.command == "import":
        return import_by_hand(settings, collection, args.file, args.la)
    return asyncio.run(serve(settings))


def import_by_hand(settings: Settings, collection: Collection, path: Path,
                   la_code: str | None) -> int:
    """Ingest a return file as the person running the command; 0 when it was accepted."""
    from intake.hand_import import import_file
    from store.db import open_db
    from store.register import authorities_by_code

    if la_code and la_code not in authorities_by_code():
        log.error("%s is not an LA code in the register", la_code)
        return 2
    db = open_db(settings.returns_db)
    message = import_file(db, settings, collection, path.name, path.read_bytes(),
                          la_code=la_code, actor=getpass.getuser())
    print(f"{message.ref}: {message.disposition} - {message.reason}")
    return 0 if message.disposition == "accepted" else 1


def _send_sample(argv: list[str]) -> int:
    try:
        from intake.samples.sending import send_sample_main
    except ModuleNotFoundError as missing:
        print(f"send-sample needs the samples extra ({missing.name} is not installed): "
              "pip install -e '.[samples]'", file=sys.stderr)
        return 2
    return send_sample_main(argv)


async def serve(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM."""
    from intake.apart import SeparateIntake

    service = SeparateIntake(settings)
    await service.start()
    mail_to = (f"relay {settings.relay_host}:{settings.relay_port}" if settings.relay_host
               else f"files in {settings.outbox_dir}/")
    print(f"intake listening for SMTP on {settings.smtp_host}:{service.port} "
          f"(inbox {', '.join(settings.inbox_addresses)}); store {settings.returns_db}; "
          f"outgoing mail to {mail_to}", flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    await service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
