"""`python -m bot`: the Slack app (default), or the same answers in a terminal (`ask`, `chat`)."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path

from bot.commands import answer
from bot.content import Button, Reply
from bot.render_text import to_text
from bot.roles import UnknownRole, Viewer, viewer_from_role
from store.collection import load_collection
from store.command_line import run
from store.context import Context
from store.db import open_db, open_store
from store.settings import Settings

TERMINAL_USER = "terminal"
SLACK_OFF = """Slack is off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set.
Ask the bot from the terminal instead:
  python -m bot ask "status London"           one question, answer printed
  python -m bot ask "missing" --as "North East"  as a regional user
  python -m bot chat                          an interactive chat (blank line or 'quit' ends)
The scheduler still runs: chasers are queued by email on the collection's schedule, and
BOT_HOST:BOT_PORT answers the health check at /healthz."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["digest"]:
        from bot.digest_cli import digest_main

        return digest_main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    settings = Settings()
    if args.command in ("ask", "chat"):
        try:
            viewer = viewer_from_role(TERMINAL_USER, args.role)
        except UnknownRole as error:
            parser.error(str(error))
        return (_ask if args.command == "ask" else _chat)(settings, viewer, args)
    return _serve(settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the Slack app at BOT_HOST:BOT_PORT/slack/events "
                                      "(the default)")
    ask = commands.add_parser("ask", help="print the answer to one message and exit")
    ask.add_argument("text", help='the message, e.g. "missing South West"')
    ask.add_argument("--csv", type=Path, help="also write the full list (when there is one) here")
    chat = commands.add_parser("chat", help="an interactive chat in the terminal")
    for sub in (ask, chat):
        sub.add_argument("--as", dest="role", default="national", metavar="national|REGION",
                         help="answer as a national user (default) or a region's user")
    commands.add_parser("digest", help="post (or print) the digest now: "
                                       "digest [--now ISO] [--print] [--force]")
    return parser


def _context(settings: Settings) -> Context:
    return Context(open_store(settings.returns_db), settings,
                   load_collection(settings.collection))


def _ask(settings: Settings, viewer: Viewer, args: argparse.Namespace) -> int:
    ctx = _context(settings)
    reply = answer(args.text, viewer, ctx)
    print(_numbered(reply, "Ask again with one of these:"))
    _write_csv(reply, args.csv)
    _write_files(reply, settings.returns_data_dir / "reports")
    return 0


def _numbered(reply: Reply, prompt: str) -> str:
    """The reply as text, its buttons as a numbered choice (what each one would ask)."""
    text = to_text(replace(reply, buttons=()))
    if not reply.buttons:
        return text
    options = [f"  {i}. {button.label}: {button.value}"
               for i, button in enumerate(reply.buttons, start=1)]
    return "\n".join([text, "", prompt, *options])


def _write_csv(reply: Reply, path: Path | None) -> None:
    if path is not None and reply.attachment is not None:
        path.write_text(reply.attachment.text, encoding="utf-8")
        print(f"Full list written to {path}", file=sys.stderr)


def _write_files(reply: Reply, folder: Path) -> None:
    """A report's files go where a person can open them; their paths are printed."""
    for file in reply.files:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file.filename).write_bytes(file.content)
        print(f"Written: {folder / file.filename}")


def _chat(settings: Settings, viewer: Viewer, args: argparse.Namespace) -> int:
    ctx = _context(settings)
    print("Ask about the returns ('help' for examples; a blank line or 'quit' ends).")
    buttons: tuple[Button, ...] = ()
    while True:
        try:
            text = input("> ").strip()
        except EOFError:
            break
        if text.lower() in ("", "quit", "exit", "bye"):
            break
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1].value     # a numbered choice stands for its command
        reply = answer(text, viewer, ctx)
        buttons = reply.buttons
        print(_numbered(reply, "Type a number to choose:"))
        print()
    return 0


def _serve(settings: Settings) -> int:
    collection = load_collection(settings.collection)
    open_db(settings.returns_db).close()   # create or migrate the store (with the register)
    import asyncio  # the server's loop, aiohttp and slack-bolt: not for `ask` and `chat`

    from bot.web import serve

    if not settings.slack_enabled:
        print(SLACK_OFF, flush=True)
    try:
        asyncio.run(serve(settings, collection))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    run(main)
