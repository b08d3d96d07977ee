"""Outlook's winmail.dat (TNEF) built around our own files, as [MS-OXTNEF] lays it out.

No maintained TNEF writer exists on PyPI; this writes only what Outlook writes for a plain
message with attachments (version, code page, message class, body, and per attachment its
rendering, title and data). tests/fixtures/ holds real Outlook files read by the same code.
"""

from __future__ import annotations

import struct

SIGNATURE = 0x223E9F78
MESSAGE, ATTACHMENT = 1, 2
# (attribute id, attribute type) from [MS-OXTNEF] 2.1.3.1
TNEF_VERSION, OEM_CODEPAGE, MESSAGE_CLASS = (0x9006, 0x0008), (0x9007, 0x0006), (0x8008, 0x0007)
BODY, RENDERING, TITLE, DATA = (0x800C, 0x0002), (0x9002, 0x0006), (0x8010, 0x0001), (0x800F, 0x0006)


def tnef(files: list[tuple[str, bytes]], body: str = "", key: int = 0x1234) -> bytes:
    """A winmail.dat holding `files` and, when given, a plain-text body."""
    out = struct.pack("<IH", SIGNATURE, key)
    out += _attribute(MESSAGE, TNEF_VERSION, struct.pack("<I", 0x00010000))
    out += _attribute(MESSAGE, OEM_CODEPAGE, struct.pack("<II", 1252, 0))
    out += _attribute(MESSAGE, MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\0")
    if body:
        out += _attribute(MESSAGE, BODY, body.encode("cp1252"))
    for name, data in files:
        out += _attribute(ATTACHMENT, RENDERING, struct.pack("<HIIHHI", 1, 0xFFFFFFFF, 0, 0, 0, 0))
        out += _attribute(ATTACHMENT, TITLE, name.encode("cp1252") + b"\0")
        out += _attribute(ATTACHMENT, DATA, data)
    return out


def _attribute(level: int, attribute: tuple[int, int], data: bytes) -> bytes:
    ident, kind = attribute
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, ident, kind, len(data)) + data + struct.pack("<H", checksum)
