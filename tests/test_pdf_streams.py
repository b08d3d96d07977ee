"""The PDF bomb pre-check decodes each stream as PDFium would, and stops past the limit."""

from __future__ import annotations

import base64
import random
import zlib

import pytest
from pypdf._codecs._codecs import LzwCodec

from intake.reading.letters import UnreadableLetter, read_letter
from intake.reading.pdf_streams import MAX_STREAM_BYTES, MAX_STREAMS, check_pdf_streams, decoded
from intake.reading.safety import UnreadableFile
from tests import hostile_files as hostile


def one_stream_pdf(stream: bytes, filters: str) -> bytes:
    """A PDF whose one content stream (the page's text) is `stream` under `filters`."""
    body = b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode()) + stream
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               body + b"\nendstream"]
    out = b"%PDF-1.4\n"
    for number, obj in enumerate(objects, 1):
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    return out + b"trailer\n<< /Size 5 /Root 1 0 R >>\n%%EOF\n"


def spaces_deflated(megabytes: int) -> bytes:
    packer = zlib.compressobj(9)
    return b"".join(packer.compress(b" " * (1 << 20)) for _ in range(megabytes)) + packer.flush()


def test_a_compression_bomb_is_refused_as_too_large_before_it_is_opened() -> None:
    with pytest.raises(UnreadableLetter, match="too large"):
        read_letter("letter.pdf", hostile.pdf_compression_bomb(megabytes=80))


def test_a_bomb_wrapped_in_ascii85_is_unwrapped_and_refused() -> None:
    wrapped = base64.a85encode(spaces_deflated(80)) + b"~>"
    with pytest.raises(UnreadableFile, match="too large"):
        check_pdf_streams(one_stream_pdf(wrapped, "[/ASCII85Decode /FlateDecode]"))


def test_many_streams_just_under_the_limit_are_refused_together() -> None:
    stream = spaces_deflated(MAX_STREAM_BYTES >> 20)
    pdf = one_stream_pdf(stream, "/FlateDecode")
    check_pdf_streams(pdf)  # one is allowed: pypdf allowed as much per stream
    with pytest.raises(UnreadableFile, match="too large"):
        check_pdf_streams(pdf * 5)


@pytest.mark.parametrize("seed", range(4))
def test_lzw_streams_decode_as_pypdf_encodes_them(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = rng.choice([b"ab ", bytes(range(256)), b"care homes "])
    text = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 20_000)))
    assert decoded(LzwCodec().encode(text), [b"LZWDecode"]) == text


def test_image_streams_are_not_decoded_past_their_codec() -> None:
    jpeg_in_flate = zlib.compress(b"\xff\xd8\xff" + bytes(1000))
    assert decoded(jpeg_in_flate, [b"FlateDecode", b"DCTDecode"]) == b"\xff\xd8\xff" + bytes(1000)


def test_a_flood_of_tiny_streams_is_refused() -> None:
    flood = b"%PDF-1.4\n" + b"1 0 obj << >> stream\nx\nendstream endobj\n" * (MAX_STREAMS + 1)
    with pytest.raises(UnreadableFile, match="too large"):
        check_pdf_streams(flood)
