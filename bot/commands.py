"""One command layer for Slack and the terminal: `answer(text, user, ctx) -> Reply`."""

from __future__ import annotations

from collections.abc import Callable

from bot.content import Button, Reply, Section
from bot.parsing import Question, parse
from bot.roles import Viewer
from bot.scope import Scope, Unmatched
from bot.themes import theme_actions, theme_name
from store.context import Context

# Each handler imports the module that answers it when it is first asked: `python -m bot ask`
# answers one question, and need not load the digest, the reports and chasing (with the
# intake's chasing run) to say who is missing.

EXAMPLES = (
    "status · status London · how many have come in so far?",
    "missing · missing South West · who are we still waiting for in the North East?",
    "concerns · concerns Midlands · concerns testing · any worries in Kent?",
    "who asked for help with testing? · who's the contact at Kent?",
    "what's changed since yesterday? · what did Kent say about testing? · search full pay",
    "chase Leeds · chase missing London",
    "quarantine · release CHR-000042 as Leeds · dismiss CHR-000042 (national users)",
    "report London · report national · plan Kent: weekly call with the CCG on testing",
    "digest · help",
)
REFUSAL = ("Sorry, I can only answer people on the returns team's list. "
           "Please ask the national team to add you.")
CHOOSE_ACTION = "choose"

Handler = Callable[[Question, Viewer, Context], Reply]
ScopedHandler = Callable[[Question, Scope, Context], Reply]


def answer(text: str, user: Viewer, ctx: Context) -> Reply:
    """The bot's answer to `text` from `user`; unknown users get a refusal with no data."""
    if not user.known:
        return Reply(REFUSAL, ephemeral=True)
    question = parse(text, ctx.collection)
    return HANDLERS.get(question.intent, unknown)(question, user, ctx)


def scoped(handler: ScopedHandler) -> Handler:
    """A handler for the question's place (the asker's own area when none is named)."""
    def run(question: Question, user: Viewer, ctx: Context) -> Reply:
        scope = user.home if question.scope is None else question.scope
        if isinstance(scope, Unmatched):
            return not_found(scope)
        assert scope is not None        # known users have a home
        return handler(question, scope, ctx)

    run.__doc__ = handler.__doc__
    return run


@scoped
def status(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.status import status_reply

    return status_reply(ctx, scope)


@scoped
def missing(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.status import authority_status_reply, missing_reply

    if scope.kind == "la":
        return authority_status_reply(ctx, next(iter(scope.la_codes)))
    return missing_reply(ctx, scope)


@scoped
def concerns(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.concern_report import concerns_reply

    actions, words = theme_actions(question.topic, ctx.collection)
    return concerns_reply(ctx, scope, actions or None, theme_name(actions, words, ctx.collection))


@scoped
def support(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.support import support_reply

    actions, words = theme_actions(question.topic, ctx.collection)
    return support_reply(ctx, scope, actions or None, theme_name(actions, words, ctx.collection))


@scoped
def changes(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.changes import changes_reply

    return changes_reply(ctx, scope)


@scoped
def contacts(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.contacts import contacts_reply

    return contacts_reply(ctx, scope)


@scoped
def search(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.search import search_reply

    return search_reply(ctx, question.topic, scope)


@scoped
def report(question: Question, scope: Scope, ctx: Context) -> Reply:
    from bot.report.command import report_command

    return report_command(scope, ctx)


def quarantine(question: Question, user: Viewer, ctx: Context) -> Reply:
    from bot.quarantine import quarantine_reply

    return national_only(user) or quarantine_reply(ctx)


def release_command(question: Question, user: Viewer, ctx: Context) -> Reply:
    from bot.quarantine import release

    assert question.ref is not None
    return national_only(user) or release(ctx, question.ref, question.target, user.user_id)


def dismiss_command(question: Question, user: Viewer, ctx: Context) -> Reply:
    from bot.quarantine import dismiss

    assert question.ref is not None
    return national_only(user) or dismiss(ctx, question.ref, question.target, user.user_id)


def chase(question: Question, user: Viewer, ctx: Context) -> Reply:
    from bot.chase_command import chase_command

    return chase_command(question, user, ctx)


def digest(question: Question, user: Viewer, ctx: Context) -> Reply:
    from bot.digest import digest_command

    return digest_command(question, user, ctx)


def plan(question: Question, user: Viewer, ctx: Context) -> Reply:
    from bot.report.command import plan_command

    return plan_command(question, user, ctx)


def choose(question: Question, user: Viewer, ctx: Context) -> Reply:
    """Two close readings: ask which, with a button (Slack) or a number (terminal) for each."""
    labels = [label for label, _command in question.choices]
    asked = " or ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 2 else labels)
    return Reply(f"Did you mean {asked}?", buttons=tuple(
        Button(label, CHOOSE_ACTION, command) for label, command in question.choices))


def help_reply(question: Question, user: Viewer, ctx: Context) -> Reply:
    home = "all of England" if user.national else (user.home.name if user.home else "")
    return Reply("Ask me about the care home support returns in plain words, for example:",
                 (Section("", EXAMPLES),
                  Section("", (f"Without a place, answers cover {home}.",))))


def unknown(question: Question, user: Viewer, ctx: Context) -> Reply:
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
    "status": status, "missing": missing, "concerns": concerns, "support": support,
    "changes": changes, "contacts": contacts, "quarantine": quarantine,
    "release": release_command, "dismiss": dismiss_command, "chase": chase,
    "digest": digest, "choose": choose, "help": help_reply, "search": search,
    "report": report, "plan": plan,
}
