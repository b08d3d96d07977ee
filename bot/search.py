"""The `search` answer: where councils wrote the words asked about, with LA, file and snippet."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content import Attachment, Reply, Section, to_csv
from bot.scope import Scope
from bot.wording import plural
from store.context import Context
from store.search import Hit, match_query, search

# The first screen shows the best passage of this many LAs; every passage is in the CSV.
SHOWN = 8


def search_reply(ctx: Context, words: str | Sequence[str], scope: Scope) -> Reply:
    """Passages in the letters and the template's free text matching all of `words`, in
    `scope`, best first: one per LA on screen, every one in the attached CSV."""
    asked = words if isinstance(words, str) else " ".join(words)
    query = match_query(asked)
    if query is None:
        return Reply("What should I look for? For example: `search full pay` or "
                     "“what did Kent say about testing?”")
    where = "England" if scope.kind == "national" else scope.name
    hits = search(ctx.db, query, None if scope.kind == "national" else scope.la_codes)
    if not hits:
        return Reply(f"Nobody in {where} wrote “{asked}” in a letter or the template's "
                     "free text.")
    best = _best_per_la(hits)
    title = (f"“{asked}” in {where}: {plural(len(hits), 'passage')} from "
             f"{plural(len(best), 'LA')}")
    parts = [Section(f"{hit.la_name} · {hit.where}", (f"{hit.snippet} [{hit.message_ref}]",))
             for hit in best[:SHOWN]]
    if len(hits) > len(best[:SHOWN]):
        parts.append(Section("", (f"and {len(hits) - len(best[:SHOWN])} more passages: "
                                  "full list attached as CSV",)))
        return Reply(title, tuple(parts), attachment=_csv(hits))
    return Reply(title, tuple(parts))


def _best_per_la(hits: list[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(hit.la_code, hit)
    return list(seen.values())


def _csv(hits: list[Hit]) -> Attachment:
    text = to_csv(("la_code", "la_name", "region", "part", "file", "cell", "message_ref",
                   "snippet"),
                  ((h.la_code, h.la_name, h.region, h.part, h.file, h.cell, h.message_ref,
                    h.snippet) for h in hits))
    return Attachment("search.csv", text, "Every passage found")
