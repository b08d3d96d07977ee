"""The MIME split (intake.reading.mime_split) reads mail exactly as the stdlib parser does.

Differential: for real mail, generated returns and generated structural shapes, every message
the split reads must give the tree email.message_from_bytes gives (headers, payloads, preamble,
epilogue, defects, part for part) and the same ParsedMime; the rest must be left to the stdlib.
"""

from __future__ import annotations

import email
import random
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from bench.mixed_returns import realistic_returns
from intake.reading import mime
from intake.reading.headers import normalise_newlines
from intake.reading.mime import READING_POLICY, parse_mime
from intake.reading.mime_split import split_message, without_line_end
from store.collection import load_collection
from tests.mime_shapes import varied_mail

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def tree_of(message: Message) -> list[dict[str, Any]]:
    """Everything the parser sets on each part, in walk order."""
    parts = []
    for part in message.walk():
        state = {name: value for name, value in vars(part).items() if name != "policy"}
        state["defects"] = [type(defect).__name__ for defect in part.defects]
        state["class"] = type(part).__name__
        if part.is_multipart():
            state["_payload"] = len(part.get_payload())
        else:
            state["payload"] = part.get_payload()
        parts.append(state)
    return parts


def split_count(messages: list[bytes]) -> int:
    """How many of `messages` the split read, each checked against the stdlib's tree."""
    read = 0
    for raw in map(normalise_newlines, messages):
        ours = split_message(raw, READING_POLICY)
        if ours is not None:
            assert tree_of(ours) == tree_of(email.message_from_bytes(raw, policy=READING_POLICY)), raw[:300]
            read += 1
    return read


def assert_parse_mime_unchanged(messages: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    split = [parse_mime(raw) for raw in messages]
    monkeypatch.setattr(mime, "split_message", lambda raw, policy: None)
    assert [parse_mime(raw) for raw in messages] == split


def test_real_mail_splits_as_the_stdlib_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    if not CORPORA.is_dir():
        pytest.skip(f"the mail corpora are not at {CORPORA}")
    messages = [path.read_bytes() for path in sorted(CORPORA.rglob("*"))
                if path.is_file() and path.suffix != ".md" and path.stat().st_size < 2_000_000]
    assert split_count(messages) > len(messages) / 3    # bounces carry message/* parts: stdlib
    assert_parse_mime_unchanged(messages, monkeypatch)


def test_every_generated_return_is_split_as_the_stdlib_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    collection = load_collection()
    messages = [mail.raw for seed in (2020, 7, 31) for mail in realistic_returns(80, seed, collection)]
    assert split_count(messages) == len(messages)    # the common shapes never fall back
    assert_parse_mime_unchanged(messages, monkeypatch)


def test_varied_shapes_split_as_the_stdlib_reads_them_or_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(13)
    messages = [varied_mail(rng) for _ in range(3000)]
    assert split_count(messages) > len(messages) / 3
    assert_parse_mime_unchanged(messages[:600], monkeypatch)


@pytest.mark.parametrize("raw", [
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--b--\n",                 # empty part
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n--b--",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b \t\r\n\r\nx\r\n--b--\r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative;"
    b" boundary=bb\n\n--bb\n\nin\n--bb--\n\n--b--\nafter\n",
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
    b"Subject: forwarded\n\nthe return\n--b--\n",
    b'Content-Type: multipart/mixed; boundary=""\n\n--\n\n-------x--\n-- --\n---\n----\n',
])
def test_the_well_formed_shapes_are_split(raw: bytes) -> None:
    assert split_count([raw]) == 1


@pytest.mark.parametrize("raw", [
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nno close\n",
    b"Content-Type: multipart/mixed\n\n--b\n\nno boundary\n--b--\n",
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\ntwice\n--b--\n",
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\nnot a header\n--b--\n",
    b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\nStatus: 5.0.0\n",
])
def test_shapes_with_defects_or_other_rules_are_left_to_the_stdlib(raw: bytes) -> None:
    assert split_message(raw, READING_POLICY) is None


@pytest.mark.parametrize(("text", "left"), [
    ("a\r\n", "a"), ("a\n", "a"), ("a\r", "a"), ("a\n\r", "a\n"), ("a", "a"), ("", "")])
def test_one_line_end_is_taken_off_as_feedparser_takes_it(text: str, left: str) -> None:
    assert without_line_end(text) == left
