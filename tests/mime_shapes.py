"""Mail of every structural shape the MIME split must read as the stdlib does, or leave to it.

`varied_mail(rng)` draws one message: line ends LF, CRLF, CR or mixed; a `From ` line or not;
folded, 8-bit and malformed header lines; multiparts nested in multiparts with boundaries that
are prefixes of each other, trailing blanks after boundary lines, preambles and epilogues present,
blank or absent; parts with no headers, no blank line or no body; text in bodies that nearly
matches a boundary; message/* and digest parts; repeated, missing and truncated boundaries.
"""

from __future__ import annotations

import random

WORDS = ["return", "homes", "Leeds", "--", "-", "care", "=?utf-8?q?caf=C3=A9?=", "\xe9t\xe9",
         "\x85\xff", "x" * 80, ":", "From me", "\t", " "]
TYPES = ["multipart/mixed"] * 4 + ["multipart/alternative"] * 3 + [
    "multipart/related", "multipart/report", "multipart/digest", "message/rfc822", "message/delivery-status"]
NEAR_ENDS = ["", "x", "---", " x", "\t", "--x"]
LEAF_TYPES = ["text/plain", "text/html", "application/vnd.ms-excel", "text/plain; charset=utf-8"]


def varied_mail(rng: random.Random) -> bytes:
    """One message of a shape drawn from `rng` (see the module), as bytes."""
    lines = _message(rng, depth=0, outer=[])
    if rng.random() < 0.2:
        lines.insert(0, "From someone@example.org Mon May 11 10:00:00 2020")
    mixed = rng.random() < 0.15
    newline = rng.choice(["\n", "\r\n", "\r\n", "\r"])
    text = "".join(line + (rng.choice(["\n", "\r\n", "\r"]) if mixed else newline) for line in lines)
    raw = text.encode("latin-1")
    if rng.random() < 0.3:
        raw = raw.rstrip(b"\r\n")           # no line end after the last line
    if rng.random() < 0.1:
        raw = raw[:rng.randrange(len(raw) + 1)]     # a message cut short
    return raw


def _message(rng: random.Random, depth: int, outer: list[str]) -> list[str]:
    kind = rng.choice(TYPES) if depth < 3 and rng.random() < 0.75 - 0.15 * depth else rng.choice(LEAF_TYPES)
    boundary = _boundary(rng, outer)
    lines = _headers(rng, kind, boundary)
    if rng.random() > 0.05:
        lines.append("")                    # the blank line after the headers, nearly always
    if kind.startswith("message/"):
        return lines + _message(rng, depth + 1, outer)
    if not kind.startswith("multipart/"):
        return lines + _body(rng, outer + [boundary])
    return lines + _multipart(rng, depth, boundary, outer + [boundary])


def _headers(rng: random.Random, kind: str, boundary: str) -> list[str]:
    lines = []
    if rng.random() < 0.02:
        lines.append(" continued first")
    for _ in range(rng.randrange(4)):
        lines.append(f"{rng.choice(['Subject', 'X-Note', 'From', 'Received'])}: {_words(rng)}")
        if rng.random() < 0.3:
            lines.append(rng.choice([" ", "\t"]) + _words(rng))
    if rng.random() < 0.9:
        parameter = f'; boundary="{boundary}"' if rng.random() < 0.95 else ""
        if rng.random() < 0.5:
            lines.append(f"Content-Type: {kind}{parameter}")
        else:
            written = boundary if boundary.isalnum() or rng.random() < 0.2 else f'"{boundary}"'
            lines += [f"Content-Type: {kind};", f"\tboundary={written}" if parameter else " x=y"]
    if rng.random() < 0.03:
        lines.append(rng.choice(["not a header", ": no name", "From inside"]))
    if rng.random() < 0.1:
        lines.append(f"Content-Transfer-Encoding: {rng.choice(['7bit', 'base64', 'binary'])}")
    if rng.random() < 0.2:
        lines.append("")
    return lines


def _boundary(rng: random.Random, outer: list[str]) -> str:
    if outer and rng.random() < 0.4:
        # A prefix of the enclosing boundary, or the enclosing boundary and more.
        return rng.choice([outer[-1] + rng.choice(["x", "-", "--", " a"]), outer[-1][:-1]]) or "b"
    return rng.choice(["b", "==b==", "----=_Part_1", "a:b c", "x" * 60, "=_\xe9"])


def _multipart(rng: random.Random, depth: int, boundary: str, boundaries: list[str]) -> list[str]:
    lines = [_words(rng) for _ in range(rng.choice([0, 0, 1, 2]))]       # the preamble
    if rng.random() < 0.2:
        lines.append("")
    for number in range(rng.choice([1, 1, 2, 3])):
        if rng.random() > 0.03 or number:
            lines.append(f"--{boundary}{_blanks(rng)}")
        if rng.random() < 0.03:
            lines.append(f"--{boundary}")           # a boundary line twice
        lines += _message(rng, depth + 1, boundaries)
    if rng.random() > 0.05:
        lines.append(f"--{boundary}--{_blanks(rng)}")
    return lines + [_words(rng) for _ in range(rng.choice([0, 0, 1, 2]))] + (
        [""] if rng.random() < 0.3 else [])       # the epilogue


def _body(rng: random.Random, boundaries: list[str]) -> list[str]:
    lines = []
    for _ in range(rng.choice([0, 1, 2, 5])):
        if rng.random() < 0.15:
            # Nearly a boundary line: the stdlib's pattern decides.
            near = rng.choice(boundaries)
            lines.append(rng.choice(["--", "-", " --"]) + near + rng.choice(NEAR_ENDS))
        else:
            lines.append(_words(rng) if rng.random() < 0.7 else "")
    return lines


def _words(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 5)))


def _blanks(rng: random.Random) -> str:
    return rng.choice(["", "", "", " ", "\t ", "  "])
