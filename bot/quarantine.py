"""Mail that needs a person: list it, release it as an LA's return, or dismiss it."""

from __future__ import annotations

from bot.content import Button, Reply, Section
from bot.scope import Unmatched, resolve_authority
from bot.wording import plural, when
from store import queries
from store.context import Context

RELEASE_ACTION = "release_message"
DISMISS_ACTION = "dismiss_message"
MAX_LISTED = 40


def quarantine_reply(ctx: Context) -> Reply:
    """Quarantined messages, oldest first, with how to release or dismiss each."""
    held = queries.quarantined_messages(ctx.db)
    if not held:
        return Reply("No mail is waiting in quarantine.")
    parts = tuple(
        Section(f"{row['ref']} from {row['mail_from'] or '(no sender)'}: "
                f"“{row['subject'] or '(no subject)'}”",
                (f"Why: {row['reason'] or 'not recorded'}",
                 f"Received {when(row['collection_time'], ctx.collection)}",
                 f"release {row['ref']} as <LA>  ·  dismiss {row['ref']}"))
        for row in held[:MAX_LISTED])
    buttons = []
    for row in held:
        if row["la_code"]:
            buttons.append(Button(f"Release {row['ref']} as {row['la_name']}", RELEASE_ACTION,
                                  f"release {row['ref']} as {row['la_name']}", "primary"))
        buttons.append(Button(f"Dismiss {row['ref']}", DISMISS_ACTION, f"dismiss {row['ref']}",
                              "danger"))
    more = f" (showing the oldest {MAX_LISTED})" if len(held) > MAX_LISTED else ""
    verb = "needs" if len(held) == 1 else "need"
    return Reply(f"{plural(len(held), 'message')} {verb} a person{more}", parts,
                 buttons=tuple(buttons))


def release(ctx: Context, ref: str, la_text: str, actor: str) -> Reply:
    """Release quarantined message `ref` as the LA `la_text` names."""
    scope = resolve_authority(la_text)
    if isinstance(scope, Unmatched):
        hint = ""
        if scope.suggestions:
            hint = f" Did you mean {' or '.join(scope.suggestions)}?"
        return Reply(f"I can't tell which LA “{la_text}” is.{hint} Nothing was released.")
    from intake.quarantine import release_message  # the intake's reading stack, loaded on use

    code = next(iter(scope.la_codes))
    return Reply(release_message(ctx.db, ctx.settings, ctx.collection, ref, code, actor))


def dismiss(ctx: Context, ref: str, reason: str, actor: str) -> Reply:
    """Dismiss quarantined message `ref` (kept, never processed as a return)."""
    from intake.quarantine import dismiss_message

    return Reply(dismiss_message(ctx.db, ref, actor, reason or "dismissed from the bot"))

