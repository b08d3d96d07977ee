"""The one format sniffer: what a file is, from its bytes first, its name and declared type after.

Councils send files under wrong names (an .xlsx saved as .xls, a workbook called .csv) and
mail systems declare types loosely, so the content decides where it can: zip and OLE
containers by the parts they hold, PDF, RTF and TNEF by their signature. The name and the
declared type only break ties (a zip that holds nothing telling, text that may be a CSV or a
letter) and say what a file that cannot be opened was meant to be, so that its reason names
the right thing ("the covering letter is password-protected", not "the workbook").

Sniffing reads only directories and a few small parts, never a whole member: it is safe on
bombs, which the readers' own checks (`intake.reading.safety`) refuse afterwards.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from intake.reading.ole import ole_kind

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")
ODF_MIMETYPES = {b"application/vnd.oasis.opendocument.spreadsheet": "ods",
                 b"application/vnd.oasis.opendocument.text": "odt"}

SPREADSHEETS = frozenset({"xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "excel-2003-xml"})
LETTERS = frozenset({"docx", "doc", "pdf", "odt", "rtf", "txt"})
CONTAINERS = frozenset({"zip", "tnef", "rfc822"})
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".xltx", ".xltm",
                                  ".xlsb", ".xlt"})
LETTER_SUFFIXES = {".docx": "docx", ".docm": "docx", ".doc": "doc", ".pdf": "pdf",
                   ".odt": "odt", ".rtf": "rtf", ".txt": "txt", ".text": "txt"}
CONTAINER_SUFFIXES = {".zip": "zip", ".dat": "tnef", ".eml": "rfc822"}
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
FORWARDED_TYPES = frozenset({"message/rfc822", "message/global"})


@dataclass(frozen=True)
class FileFormat:
    """What a file is (`kind`) and what it is for in a return (`family`).

    kind: xlsx, xlsm, xlsb, xls, ods, csv, excel-2003-xml, docx, doc, pdf, odt, rtf, txt,
    zip, tnef, rfc822, nonstandard-ooxml, encrypted-ooxml, encrypted-ole, encrypted-odf,
    outlook-msg, html, image, empty, binary (not text, and no format we know), corrupt or
    unknown. family: spreadsheet, letter, container or other; for an encrypted, corrupt or
    empty file, what its name or parts say it was meant to be.
    """

    kind: str
    family: str

    @property
    def encrypted(self) -> bool:
        return self.kind.startswith("encrypted-")


def sniff(data: bytes, filename: str = "", declared: str = "") -> FileFormat:
    """The format of a file from its bytes, with its name and declared MIME type as tie-breaks."""
    suffix = PurePath(filename.lower()).suffix
    declared = declared.lower()
    intended = _family_by_name(suffix, declared)
    if not data.strip():
        return FileFormat("empty", intended)
    if data.startswith(ZIP_MAGIC):
        return _sniff_zip(data, suffix, intended)
    if data.startswith(OLE_MAGIC):
        kind, family = ole_kind(data)
        return FileFormat(kind, family or intended)
    if data.startswith(TNEF_MAGIC):
        return FileFormat("tnef", "container")
    if b"%PDF-" in data[:1024]:
        return FileFormat("pdf", "letter")
    if data.lstrip()[:5] == b"{\\rtf":
        return FileFormat("rtf", "letter")
    if data.startswith(IMAGE_MAGIC) or declared.startswith("image/"):
        return FileFormat("image", "other")
    return _sniff_text(data, suffix, declared, intended)


def _family_by_name(suffix: str, declared: str) -> str:
    if suffix in SPREADSHEET_SUFFIXES or "spreadsheet" in declared or "excel" in declared:
        return "spreadsheet"
    if suffix in LETTER_SUFFIXES or "wordprocessing" in declared or "msword" in declared \
            or declared in ("application/pdf", "application/rtf", "text/rtf"):
        return "letter"
    if suffix in CONTAINER_SUFFIXES or declared in TNEF_TYPES or declared in FORWARDED_TYPES \
            or "zip" in declared:
        return "container"
    return "other"


def _sniff_zip(data: bytes, suffix: str, intended: str) -> FileFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                macros = "xl/vbaProject.bin" in names or suffix == ".xlsm"
                return FileFormat("xlsm" if macros else "xlsx", "spreadsheet")
            if "xl/workbook.bin" in names:
                return FileFormat("xlsb", "spreadsheet")
            if "word/document.xml" in names:
                return FileFormat("docx", "letter")
            if "content.xml" in names or "mimetype" in names:
                return _sniff_odf(archive, names, suffix, intended)
            if "[Content_Types].xml" in names:
                # An Office package whose parts are not where Office puts them: the readers'
                # bomb checks look where Office puts them, so it is refused, by what it is.
                types = member_head(archive, "[Content_Types].xml", 65536)
                family = ("spreadsheet" if b"spreadsheetml" in types else
                          "letter" if b"wordprocessingml" in types else intended)
                return FileFormat("nonstandard-ooxml", family)
    except Exception:  # zipfile and zlib raise many kinds on a damaged or hostile directory
        return FileFormat("corrupt", intended)
    return FileFormat("zip", "container")  # whatever its name: what it holds may be the return


def _sniff_odf(archive: zipfile.ZipFile, names: set[str], suffix: str, intended: str) -> FileFormat:
    kind = ODF_MIMETYPES.get(member_head(archive, "mimetype", 100).strip())
    if kind is None and suffix in (".ods", ".odt"):
        kind = suffix[1:]  # LibreOffice always writes the mimetype; other writers may not
    if kind is None:
        return FileFormat("zip", "container")
    family = "spreadsheet" if kind == "ods" else "letter"
    if b"encryption-data" in member_head(archive, "META-INF/manifest.xml", 65536):
        return FileFormat("encrypted-odf", family)
    return FileFormat(kind, family)


def member_head(archive: zipfile.ZipFile, name: str, size: int) -> bytes:
    """The first `size` bytes of an archive member; b"" when there is no such member."""
    try:
        with archive.open(name) as entry:
            return entry.read(size)
    except KeyError:
        return b""


def _sniff_text(data: bytes, suffix: str, declared: str, intended: str) -> FileFormat:
    head = data[:4096].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table")) or b"<html" in head[:2048]:
        return FileFormat("html", intended)
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return FileFormat("excel-2003-xml", "spreadsheet")
    if not looks_like_text(data):
        # A binary file named as text is not damaged text but something else misnamed.
        binary = suffix in (".txt", ".text", ".csv") or intended == "other"
        return FileFormat("binary" if binary else "corrupt", intended)
    if intended == "spreadsheet" or declared in ("text/csv", "application/csv"):
        return FileFormat("csv", "spreadsheet")
    if suffix == ".eml" or declared in FORWARDED_TYPES:
        return FileFormat("rfc822", "container")
    if intended == "letter" or declared == "text/plain":
        return FileFormat(LETTER_SUFFIXES.get(suffix, "txt"), "letter")
    return FileFormat("unknown", intended)


def looks_like_text(data: bytes) -> bool:
    """Whether bytes read as text: few control or undecodable characters in the first 64 KiB."""
    text = text_of(data[:65536])
    odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n\f"))
    return odd <= len(text) / 100


def text_of(data: bytes) -> str:
    """A text file's bytes as text: by its byte order mark, else UTF-16 by its zero bytes,
    else UTF-8, else Windows-1252 (what Excel on Windows writes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    sample = data[:4096]
    if sample.count(0) > len(sample) // 4:
        # UTF-16 without a byte order mark: the zero bytes sit on the high side of ASCII.
        even_zeros = sample[0::2].count(0)
        return data.decode("utf-16-be" if even_zeros > sample[1::2].count(0) else "utf-16-le",
                           errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")

ENCRYPTED_WORKBOOK = ("the workbook is password-protected (encrypted); please send it again "
                      "without a password")
ENCRYPTED_LETTER = ("the covering letter is password-protected; please send it again without "
                    "a password")
ENCRYPTED_FILE = "the file is password-protected (encrypted); please send it again without a password"
ENCRYPTED = {"letter": ENCRYPTED_LETTER, "spreadsheet": ENCRYPTED_WORKBOOK}
DAMAGED_WORKBOOK = "the file is not a readable spreadsheet (it may be damaged)"
DESCRIPTIONS = {
    "docx": "a Word document", "doc": "an old Word document (.doc)", "pdf": "a PDF",
    "odt": "an OpenDocument text", "rtf": "a Rich Text document", "txt": "a text file",
    "zip": "a zip archive", "tnef": "an Outlook winmail.dat",
    "rfc822": "a saved email", "image": "an image",
}
REFUSALS = {
    "xlsb": "the file is an Excel binary workbook (.xlsb); please save it as .xlsx",
    "excel-2003-xml": "the file is an old Excel XML spreadsheet (2003); please save it as .xlsx",
    "doc": "old Word .doc files cannot be read; please send it as .docx or .pdf",
    "outlook-msg": ("the file is a saved Outlook message (.msg); please forward the email "
                    "itself, or attach its files"),
    "empty": "the file is empty",
    "nonstandard-ooxml": ("the file is an Office document laid out in an unusual way; please "
                          "open it and save it again (as .xlsx, or .docx for a letter)"),
    "binary": "the file is not text (it looks like a binary file)",
    "unknown": ("the file is not in a format that can be read (a spreadsheet, a Word, "
                "OpenDocument, PDF, RTF or text document, or a zip)"),
}
DAMAGED = {
    "spreadsheet": DAMAGED_WORKBOOK,
    "letter": ("the covering letter is damaged and cannot be opened; please send it again as "
               ".docx or .pdf"),
    "container": "the attached archive or message is damaged and cannot be opened",
    "other": "the file is damaged and cannot be opened",
}


def refusal(found: FileFormat, wanted: str) -> str:
    """Why a file is not read as a `wanted` ('spreadsheet' or 'letter'), naming what it is."""
    if found.encrypted:
        return ENCRYPTED.get(found.family, ENCRYPTED_FILE)
    if found.kind == "corrupt":
        return DAMAGED[found.family]
    if found.kind in DESCRIPTIONS and found.family != wanted:
        return f"the file is {DESCRIPTIONS[found.kind]}, not a {wanted}"
    if found.kind == "html":
        return ("the file is a web page saved with a spreadsheet name; please open it in Excel "
                "and save it as .xlsx" if found.family == "spreadsheet" else
                "the file is a web page, not a document; please send the letter as .docx or .pdf")
    if found.kind in REFUSALS:
        return REFUSALS[found.kind]
    return f"the file is {DESCRIPTIONS.get(found.kind, 'of another kind')}, not a {wanted}"
