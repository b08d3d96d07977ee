"""Answers as plain text, for `python -m bot ask` and `chat`."""

from __future__ import annotations

from bot.content import Reply


def to_text(reply: Reply, *, attachment_in_full: bool = False) -> str:
    """The reply as plain text; the attachment is named (or printed when asked)."""
    lines = [reply.title]
    for part in reply.sections:
        lines.append("")
        if part.heading:
            lines.append(part.heading)
        lines.extend(f"  {line}" for line in part.lines)
    if reply.buttons:
        lines.append("")
        lines.extend(f"[{button.label}]" for button in reply.buttons)
    if reply.attachment is not None:
        lines.append("")
        if attachment_in_full:
            lines.append(f"--- {reply.attachment.filename} ---")
            lines.append(reply.attachment.text.rstrip("\n"))
        else:
            rows = reply.attachment.text.count("\n") - 1
            lines.append(f"(Full list: {reply.attachment.filename}, {rows} rows)")
    if reply.files:
        lines.append("")
        lines.extend(f"(File: {f.filename}, {len(f.content):,} bytes)" for f in reply.files)
    return "\n".join(lines)
