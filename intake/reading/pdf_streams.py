"""The PDF bomb pre-check: how far each stream of a PDF unpacks, found with bounded decoders.

PDFium inflates whatever streams a page needs with no limit of its own, so before it opens a
letter every stream is decoded here up to MAX_STREAM_BYTES (as pypdf limits each stream), and
all of them together up to MAX_PDF_BYTES. A letter's streams unpack to a few megabytes; a
compression bomb (a page of spaces deflated a thousand times over) is refused by what it is.

Streams are found by their `stream` keyword and their filters read from the dictionary before
it, without parsing the file: a stream this cannot decode (an image codec, encryption, damage)
is one PDFium would not inflate for text either, or fails on in the same way.
"""

from __future__ import annotations

import binascii
import re
import zlib
from base64 import a85decode

from intake.reading.safety import UnreadableFile

MAX_STREAM_BYTES = 75_000_000
MAX_PDF_BYTES = 300_000_000
MAX_STREAMS = 50_000                # a long report has a few thousand
DICTIONARY_REACH = 65_536           # how far back from `stream` its dictionary may start
TOO_LARGE = "the PDF is too large to read (it unpacks to far more than a letter)"
STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
FILTER = re.compile(rb"/(ASCIIHexDecode|AHx|ASCII85Decode|A85|LZWDecode|LZW|FlateDecode|Fl|"
                    rb"RunLengthDecode|RL|CCITTFaxDecode|CCF|DCTDecode|DCT|JPXDecode|"
                    rb"JBIG2Decode|Crypt)(?![A-Za-z0-9])")
ENCRYPTED = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
LZW_CLEAR, LZW_END = 256, 257


class TooLarge(Exception):
    """A stream unpacks past its limit."""


def is_encrypted(data: bytes) -> bool:
    """Whether the PDF declares encryption (its streams cannot be checked without the key)."""
    return ENCRYPTED.search(data) is not None


def check_pdf_streams(data: bytes) -> None:
    """Refuse a PDF whose streams would unpack to more than a letter can; UnreadableFile."""
    total = streams = position = 0
    while match := STREAM.search(data, position):
        start, streams = match.end(), streams + 1
        reach = max(0, start - DICTIONARY_REACH)
        dictionary = max(data.rfind(b"obj", reach, start), reach)
        end = data.find(b"endstream", start)
        position = end if end >= 0 else len(data)   # each byte is searched once, not per stream
        try:
            total += len(decoded(data[start:position], FILTER.findall(data, dictionary, start)))
        except TooLarge as error:
            raise UnreadableFile(TOO_LARGE) from error
        if total > MAX_PDF_BYTES or streams > MAX_STREAMS:
            raise UnreadableFile(TOO_LARGE)


def decoded(stream: bytes, filters: list[bytes]) -> bytes:
    """The stream through its text-relevant filters, each bounded; stops at an image codec."""
    for name in filters:
        decoder = DECODERS.get(name)
        if decoder is None:
            break                       # an image codec or encryption: not inflated for text
        stream = decoder(stream)
    return stream


def _inflate(data: bytes) -> bytes:
    try:
        # max_length stops the inflater one byte past the limit, however far the data goes.
        out = zlib.decompressobj().decompress(data, MAX_STREAM_BYTES + 1)
    except zlib.error:
        return b""                      # damaged: PDFium gets no further with it
    _check_size(len(out))
    return out


def _ascii_hex(data: bytes) -> bytes:
    digits = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">", 1)[0])
    return binascii.unhexlify(digits + b"0" * (len(digits) % 2))


def _ascii85(data: bytes) -> bytes:
    text = data.split(b"~>", 1)[0].replace(b"<~", b"")
    if text.count(b"z") * 4 > MAX_STREAM_BYTES:
        raise TooLarge()
    try:
        return a85decode(text + b"~>", adobe=False, ignorechars=b" \t\n\r\x0b\x0c~>")
    except ValueError:
        return b""


def _run_length(data: bytes) -> bytes:
    out, index = bytearray(), 0
    while index < len(data) and data[index] != 128:
        length = data[index]
        if length < 128:
            out += data[index + 1:index + 2 + length]
            index += length + 2
        else:
            out += data[index + 1:index + 2] * (257 - length)
            index += 2
        _check_size(len(out))
    return bytes(out)


def _lzw(data: bytes) -> bytes:
    """PDF's LZW (EarlyChange 1), stopping past the limit: it can unpack ~2,700 times over."""
    table = [bytes([byte]) for byte in range(256)] + [b"", b""]
    out, previous = bytearray(), b""
    buffer = bits = 0
    width = 9
    for byte in data:
        buffer, bits = (buffer << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code = (buffer >> bits) & ((1 << width) - 1)
            buffer &= (1 << bits) - 1
            if code == LZW_CLEAR:
                del table[258:]
                width, previous = 9, b""
                continue
            if code == LZW_END or (code >= len(table) and not previous) or code > len(table):
                return bytes(out)
            entry = table[code] if code < len(table) else previous + previous[:1]
            if previous and len(table) < 4096:
                table.append(previous + entry[:1])
                if len(table) + 1 >= 1 << width and width < 12:
                    width += 1
            out += entry
            previous = entry
        _check_size(len(out))
    return bytes(out)


def _check_size(size: int) -> None:
    if size > MAX_STREAM_BYTES:
        raise TooLarge()


DECODERS = {b"FlateDecode": _inflate, b"Fl": _inflate, b"ASCIIHexDecode": _ascii_hex,
            b"AHx": _ascii_hex, b"ASCII85Decode": _ascii85, b"A85": _ascii85,
            b"LZWDecode": _lzw, b"LZW": _lzw, b"RunLengthDecode": _run_length, b"RL": _run_length}
