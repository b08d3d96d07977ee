"""What an OLE compound file (old Office, encrypted Office, Outlook .msg) holds, by its streams.

Stream names are compared without case: Excel writes `Workbook`, older writers `Book`, and
some exporters `WORKBOOK`, all of which Excel opens. Encryption shows in the streams too: an
encrypted .xlsx or .docx is an OLE file with an `EncryptedPackage` stream; an encrypted .xls
has a FILEPASS record before its first sheet; an encrypted .doc sets fEncrypted in its FIB.
"""

from __future__ import annotations

import struct

import olefile

FILEPASS = 0x002F           # BIFF record: the workbook is encrypted from here on
EOF_RECORD = 0x000A         # BIFF record: end of the workbook globals
MAX_RECORDS = 100_000       # the globals of a real workbook hold a few hundred
F_ENCRYPTED = 0x0100        # FIB base flag: the document is encrypted


def ole_kind(data: bytes) -> tuple[str, str]:
    """(kind, family) of an OLE file; family is '' when the streams do not say."""
    try:
        ole = olefile.OleFileIO(data)
    except Exception:  # olefile raises OSError, struct.error, IndexError ... on damage
        return _kind_by_names(data)
    try:
        streams = {"/".join(path).lower(): "/".join(path) for path in ole.listdir()}
        return _kind_of(ole, streams) if streams else _kind_by_names(data)
    except Exception:  # a stream chain that olefile cannot follow: the file is damaged
        return "corrupt", ""
    finally:
        ole.close()


def _kind_by_names(data: bytes) -> tuple[str, str]:
    """For a directory olefile cannot walk: the stream names, in UTF-16, are still telling."""
    lowered = data.lower()
    for name, kind, family in (("encryptedpackage", "encrypted-ooxml", ""),
                               ("workbook", "xls", "spreadsheet"), ("worddocument", "doc", "letter")):
        if name.encode("utf-16-le") in lowered:
            return kind, family
    return "corrupt", ""


def _kind_of(ole: olefile.OleFileIO, streams: dict[str, str]) -> tuple[str, str]:
    if "encryptedpackage" in streams:
        return "encrypted-ooxml", ""   # an encrypted .xlsx or .docx: only the name tells which
    book = streams.get("workbook") or streams.get("book")
    if book:
        encrypted = _biff_encrypted(ole.openstream(book).read())
        return ("encrypted-ole" if encrypted else "xls"), "spreadsheet"
    if "worddocument" in streams:
        head = ole.openstream(streams["worddocument"]).read(12)
        encrypted = len(head) >= 12 and struct.unpack_from("<H", head, 10)[0] & F_ENCRYPTED
        return ("encrypted-ole" if encrypted else "doc"), "letter"
    if any(name.startswith("__substg1.0_") for name in streams):
        return "outlook-msg", "container"
    return "unknown", ""


def _biff_encrypted(stream: bytes) -> bool:
    """Whether a FILEPASS record comes before the end of the workbook globals."""
    offset = 0
    for _ in range(MAX_RECORDS):
        if offset + 4 > len(stream):
            return False
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == FILEPASS:
            return True
        if kind == EOF_RECORD:
            return False
        offset += 4 + length
    return False
