"""The `search` answer over the template's free text (issues, support described, the two
free-text boxes) of the counting returns: the LA, the file and cell, and the passage."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bot.content import Reply, section
from bot.context import Context
from bot.scope import Scope
from bot.wording import plural
from store import picture, queries

SHOWN = 20          # passages on screen


def search_reply(ctx: Context, words: str | Sequence[str], scope: Scope) -> Reply:
    """Passages in `scope` holding every one of `words` (case ignored), LA by LA."""
    asked = words.split() if isinstance(words, str) else list(words)
    if not asked:
        return Reply("What should I look for? For example: `search full pay` or "
                     "“what did Kent say about testing?”")
    names = {row["la_code"]: row["la_name"] for row in picture.standings(ctx.db)}
    found = [(code, source, text) for code, source, text in _passages(ctx)
             if scope.covers(code) and all(word.lower() in text.lower() for word in asked)]
    where = "England" if scope.kind == "national" else scope.name
    phrase = " ".join(asked)
    if not found:
        return Reply(f"Nobody in {where} wrote “{phrase}” in the template's free text.")
    lines = [f"{names.get(code, code)} · {source}: “{text}”" for code, source, text in found]
    return Reply(f"“{phrase}” in {where}: {plural(len(found), 'passage')}",
                 (section("", lines[:SHOWN]),))


def _passages(ctx: Context) -> Iterator[tuple[str, str, str]]:
    """(LA code, where it was written, the text) for each free-text answer that counts."""
    for row in queries.counting_answers(ctx.db):
        for field, label in (("issues", "issues"), ("support_description", "support")):
            if (row[field] or "").strip():
                yield (row["la_code"], f"{row['message_ref']}, {row['template_file']} "
                       f"{row['cell']} ({row['action']} {label})", row[field])
    for row in queries.counting_texts(ctx.db):
        for field in ("support_benefit", "regional_issues"):
            if (row[field] or "").strip():
                yield (row["la_code"], f"{row['message_ref']}, {row['template_file']}",
                       row[field])
