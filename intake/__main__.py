"""`python -m intake`: run the SMTP intake, or one of its tools (send-sample, template, chase)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from store.collection import load_collection
from store.settings import Settings

log = logging.getLogger("intake")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["send-sample"]:
        from intake.sample_sending import send_sample_main

        return send_sample_main(argv[1:])
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
    template = commands.add_parser("template", help="write the blank template (.xlsx)")
    template.add_argument("-o", "--output", type=Path, default=Path("care_home_support_template.xlsx"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    collection = load_collection(settings.collection)
    if args.command == "template":
        from intake.blank import write_blank_template

        write_blank_template(args.output, collection)
        print(f"wrote the blank template to {args.output}")
        return 0
    return asyncio.run(serve(settings))


async def serve(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM."""
    from intake.service import IntakeService

    service = IntakeService(settings, load_collection(settings.collection))
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
