"""One command layer for Slack and the terminal: `answer(text, user, ctx) -> Reply`."""

from __future__ import annotations

from collections.abc import Callable

from bot.chase_command import chase_command
from bot.concern_report import concerns_reply
from bot.content import Reply, Section
from bot.context import Context
from bot.digest import digest_command
from bot.parsing import Question, parse
from bot.quarantine import dismiss, quarantine_reply, release
from bot.report.command import plan_command, report_command
from bot.roles import Viewer
from bot.scope import Scope, Unmatched, resolve_scope
from bot.search import search_reply
from bot.status import authority_status_reply, missing_reply, status_reply
from bot.themes import theme_actions, theme_name

EXAMPLES = (
    "status · status London · status Leeds",
    "missing · missing South West · who hasn't sent theirs in the North East?",
    "concerns · concerns Midlands · concerns testing · concerns Kent",
    "chase Leeds · chase missing London",
    "quarantine · release CHR-000042 as Leeds · dismiss CHR-000042 (national users)",
    "search full pay · what did Kent say about testing?",
    "report London · report national · plan Kent: weekly call with the CCG on testing",
    "digest · help",
)
REFUSAL = ("Sorry, I can only answer people on the returns team's list. "
           "Please ask the national team to add you.")

Handler = Callable[[Question, Viewer, Context], Reply]


def answer(text: str, user: Viewer, ctx: Context) -> Reply:
    """The bot's answer to `text` from `user`; unknown users get a refusal with no data."""
    if not user.known:
        return Reply(REFUSAL, ephemeral=True)
    question = parse(text)
    return HANDLERS.get(question.intent, unknown)(question, user, ctx)


def status(question: Question, user: Viewer, ctx: Context) -> Reply:
    scope = resolve_scope(question.rest, user.home)
    return not_found(scope) if isinstance(scope, Unmatched) else status_reply(ctx, scope)


def missing(question: Question, user: Viewer, ctx: Context) -> Reply:
    scope = resolve_scope(question.rest, user.home)
    if isinstance(scope, Unmatched):
        return not_found(scope)
    if scope.kind == "la":
        return authority_status_reply(ctx, next(iter(scope.la_codes)))
    return missing_reply(ctx, scope)


def concerns(question: Question, user: Viewer, ctx: Context) -> Reply:
    actions, theme_words = theme_actions(question.words, ctx.collection)
    rest = " ".join(word for word in question.words if word not in theme_words)
    scope = resolve_scope(rest, user.home)
    if isinstance(scope, Unmatched):
        return not_found(scope)
    return concerns_reply(ctx, scope, actions or None,
                          theme_name(actions, theme_words, ctx.collection))


def search(question: Question, user: Viewer, ctx: Context) -> Reply:
    scope = resolve_scope(question.rest, user.home)
    return not_found(scope) if isinstance(scope, Unmatched) else search_reply(
        ctx, question.target, scope)


def quarantine(question: Question, user: Viewer, ctx: Context) -> Reply:
    return national_only(user) or quarantine_reply(ctx)


def release_command(question: Question, user: Viewer, ctx: Context) -> Reply:
    assert question.ref is not None
    return national_only(user) or release(ctx, question.ref, question.target, user.user_id)


def dismiss_command(question: Question, user: Viewer, ctx: Context) -> Reply:
    assert question.ref is not None
    return national_only(user) or dismiss(ctx, question.ref, question.target, user.user_id)


def help_reply(question: Question, user: Viewer, ctx: Context) -> Reply:
    home = "all of England" if user.national else (user.home.name if user.home else "")
    return Reply("Ask me about the care home support returns in plain words, for example:",
                 (Section("", EXAMPLES),
                  Section("", (f"Without a place, answers cover {home}.",))))


def unknown(question: Question, user: Viewer, ctx: Context) -> Reply:
    """A bare place name is a status question; anything else gets a short help."""
    if question.words:
        scope = resolve_scope(question.rest, user.home)
        if isinstance(scope, Scope):
            return status_reply(ctx, scope)
    return Reply("Sorry, I didn't follow that. Try one of these:", (Section("", EXAMPLES),))


def not_found(unmatched: Unmatched) -> Reply:
    hint = ""
    if unmatched.suggestions:
        hint = f" Did you mean {', '.join(unmatched.suggestions)}?"
    return Reply(f"I couldn't find a region or LA called “{unmatched.text}”.{hint}")


def national_only(user: Viewer) -> Reply | None:
    if user.national:
        return None
    return Reply("Only national users can see or act on quarantined mail.", ephemeral=True)


HANDLERS: dict[str, Handler] = {
    "status": status, "missing": missing, "concerns": concerns, "quarantine": quarantine,
    "release": release_command, "dismiss": dismiss_command, "chase": chase_command, "digest": digest_command,
    "help": help_reply, "search": search, "report": report_command, "plan": plan_command,
}
