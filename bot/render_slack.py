"""Answers as Block Kit, within Slack's limits (50 blocks a message, 3,000 characters a text)."""

from __future__ import annotations

from bot.content import Button, Reply, Section

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_BUTTONS = 25            # an actions block holds at most 25 elements
FALLBACK_TEXT = 3000        # the notification text is kept short too


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_blocks(reply: Reply) -> list[dict]:
    """Block Kit blocks for `reply`; long sections are split, overflow is summarised."""
    blocks: list[dict] = [_markdown(f"*{escape(reply.title)}*")]
    for part in reply.sections:
        blocks.extend(_section_blocks(part))
    room = MAX_BLOCKS - bool(reply.buttons) - (reply.attachment is not None)
    if len(blocks) > room:
        hidden = len(blocks) - (room - 1)
        blocks = blocks[: room - 1]
        where = "in the attached file" if reply.attachment else "by asking about one region"
        blocks.append(_context(f"{hidden} more parts not shown; see them {where}."))
    if reply.buttons:
        blocks.append({"type": "actions",
                       "elements": [_button(b, i) for i, b in
                                    enumerate(reply.buttons[:MAX_BUTTONS])]})
    if reply.attachment is not None:
        blocks.append(_context(f"Full list attached: {escape(reply.attachment.filename)}"))
    return blocks


def fallback_text(reply: Reply) -> str:
    """The plain `text` Slack shows in notifications and to screen readers."""
    return reply.title[:FALLBACK_TEXT]


def _section_blocks(part: Section) -> list[dict]:
    head = f"*{escape(part.heading)}*" if part.heading else ""
    chunks: list[str] = []
    current = head
    for line in part.lines:
        line = escape(line)[: MAX_TEXT - 10]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_TEXT:
            chunks.append(current)
            candidate = line
        current = candidate
    if current:
        chunks.append(current)
    return [_markdown(chunk) for chunk in chunks]


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
