"""Answers as Block Kit, inside Slack's limits by construction.

Slack refuses a message of more than 50 blocks, a section text of more than 3,000 characters,
and in practice about 13,000 characters of blocks. The renderer measures as it fills: lines go
in while they fit, and what does not fit is counted in a closing note that says where the rest
is. Answers put what matters most first, so it is the tail that is cut.
"""

from __future__ import annotations

import json

from bot.content import Button, Reply, Section

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_MESSAGE = 12_000        # characters of blocks (as JSON), a margin under Slack's ~13,000
MAX_BUTTONS = 25            # an actions block holds at most 25 elements
FALLBACK_TEXT = 3000        # the notification text is kept short too (Slack allows 40,000)
NOTE_ROOM = 300             # kept free for the closing "N more lines" note


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def measure(blocks: list[dict]) -> int:
    """The size Slack counts against a message's limit: the blocks as JSON."""
    return len(json.dumps(blocks, ensure_ascii=False))


def to_blocks(reply: Reply) -> list[dict]:
    """Block Kit blocks for `reply`: long sections split, what does not fit summarised."""
    head = [_markdown(_clip(f"*{escape(reply.title)}*"))]
    tail: list[dict] = []
    if reply.buttons:
        tail.append({"type": "actions",
                     "elements": [_button(b, i) for i, b in
                                  enumerate(reply.buttons[:MAX_BUTTONS])]})
    if reply.uploads:
        names = ", ".join(escape(f.filename) for f in reply.uploads)
        tail.append(_context(_clip(f"Attached: {names}")))
    body, hidden = _fill(reply.sections, MAX_BLOCKS - len(head) - len(tail) - 1,
                         MAX_MESSAGE - measure(head + tail) - NOTE_ROOM)
    if hidden:
        where = ("in the attached file" if reply.uploads
                 else "by asking about one region or LA")
        body.append(_context(f"{hidden} more lines not shown; see them {where}."))
    return head + body + tail


def fallback_text(reply: Reply) -> str:
    """The plain `text` Slack shows in notifications and to screen readers."""
    return reply.title[:FALLBACK_TEXT]


def _fill(sections: tuple[Section, ...], max_blocks: int, max_size: int
          ) -> tuple[list[dict], int]:
    """Section blocks for as many lines as fit; and how many lines did not."""
    blocks: list[dict] = []
    size, hidden = 0, 0
    for chunk in (c for part in sections for c in _chunks(part)):
        kept: list[str] = []
        for line in chunk:
            if hidden or len(blocks) >= max_blocks:
                break
            grown = _markdown("\n".join([*kept, line]))
            if size + measure([grown]) + 1 > max_size:
                break
            kept.append(line)
        hidden += len(chunk) - len(kept)
        if kept:
            block = _markdown("\n".join(kept))
            blocks.append(block)
            size += measure([block]) + 1
    return blocks, hidden


def _chunks(part: Section) -> list[list[str]]:
    """The section's lines (heading first, in bold) in groups of at most MAX_TEXT characters."""
    lines = [f"*{_clip(escape(part.heading), MAX_TEXT - 2)}*"] if part.heading else []
    lines += [_clip(escape(line)) for line in part.lines]
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if current and len("\n".join([*current, line])) > MAX_TEXT:
            chunks.append(current)
            current = []
        current.append(line)
    if current:
        chunks.append(current)
    return chunks


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _markdown(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(button: Button, index: int) -> dict:
    # action_ids must be unique within a block: listeners match on the prefix.
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": button.label[:75]},
        "action_id": f"{button.action_id}:{index}",
        "value": button.value[:2000],
    }
    if button.style:
        element["style"] = button.style
    return element
