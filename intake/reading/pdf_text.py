"""A PDF letter's text: PDFium (pypdfium2) after the bomb pre-check, pypdf when it is encrypted.

PDFium reads a letter ten times faster than pypdf and gets ligatures and word order right, but
it has no decompression limit, so `check_pdf_streams` measures every stream first. An
encrypted PDF's streams cannot be measured without its key, so it goes to pypdf, which
decrypts with the empty password and limits each stream itself.
"""

from __future__ import annotations

import codecs
import ctypes
import io
import re
import threading
from typing import Any

from intake.reading.formats import ENCRYPTED_LETTER
from intake.reading.pdf_streams import TOO_LARGE, check_pdf_streams, is_encrypted
from intake.reading.safety import UnreadableFile

SCANNED = ("letter not readable: it seems to be a scan (the PDF has no text layer); please "
           "send the letter as .docx or as a PDF saved from Word")
# PDFium writes a hyphen that joins a word broken over two lines as U+0002; other C0
# characters are glyphs without a Unicode mapping.
UNMAPPED = re.compile(r"[\x00\x01\x03-\x08\x0b\x0e-\x1f]")
PAGE_DAMAGED = "the PDF is damaged (PdfiumError)"    # as pypdfium2's error was named
# PDFium is not thread-safe: the workers read one message at a time, but a caller that reads
# in threads (a test, a hand import) must not have two documents open in it at once.
PDFIUM_LOCK = threading.Lock()


def read_pdf(data: bytes, max_pages: int, max_chars: int) -> str:
    """The text of the first max_pages pages (fewer once max_chars are read); UnreadableFile."""
    if is_encrypted(data):
        chunks = _pypdf_pages(data, max_pages, max_chars)
    else:
        check_pdf_streams(data)
        with PDFIUM_LOCK:
            chunks = _pdfium_pages(data, max_pages, max_chars)
    if not any(chunk.strip() for chunk in chunks):
        raise UnreadableFile(SCANNED)
    return "\n".join(chunks)


def _pdfium_pages(data: bytes, max_pages: int, max_chars: int) -> list[str]:
    """Through PDFium's own calls: pypdfium2's document, page and text page objects each add
    a finalizer and parent bookkeeping, a third of reading a one-page letter, all for nothing
    when every handle is closed here in order."""
    import pypdfium2.raw as pdfium

    document = pdfium.FPDF_LoadMemDocument64(data, len(data), None)
    try:
        pages = pdfium.FPDF_GetPageCount(document)  # 0 when the document did not open
        if pages < 1:
            if pdfium.FPDF_GetLastError() in (pdfium.FPDF_ERR_PASSWORD, pdfium.FPDF_ERR_SECURITY):
                raise UnreadableFile(ENCRYPTED_LETTER)
            raise UnreadableFile("the PDF is damaged (it could not be opened)")
        chunks: list[str] = []
        size = 0
        for number in range(min(pages, max_pages)):
            if size >= max_chars:
                break
            text = _page_text(pdfium, document, number)
            chunks.append(UNMAPPED.sub("", text.replace("\x02", "-")))
            size += len(text)
        return chunks
    finally:
        if document:
            pdfium.FPDF_CloseDocument(document)


def _page_text(pdfium: Any, document: Any, number: int) -> str:
    """The text inside the page's box (media box cut by crop box), as pypdfium2's
    get_text_bounded gives it; UnreadableFile when PDFium cannot load the page."""
    page = pdfium.FPDF_LoadPage(document, number)
    if not page:
        raise UnreadableFile(PAGE_DAMAGED)
    try:
        box = pdfium.FS_RECTF()
        text_page = pdfium.FPDFText_LoadPage(page)
        if not text_page or not pdfium.FPDF_GetPageBoundingBox(page, box):
            raise UnreadableFile(PAGE_DAMAGED)
        try:
            bounds = (text_page, box.left, box.top, box.right, box.bottom)
            length = pdfium.FPDFText_GetBoundedText(*bounds, None, 0)
            if length <= 0:
                return ""
            buffer = (ctypes.c_ushort * length)()
            pdfium.FPDFText_GetBoundedText(*bounds, buffer, length)
            return codecs.decode(buffer, "utf-16-le", "ignore")
        finally:
            if text_page:
                pdfium.FPDFText_ClosePage(text_page)
    finally:
        pdfium.FPDF_ClosePage(page)


def _pypdf_pages(data: bytes, max_pages: int, max_chars: int) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(ENCRYPTED_LETTER)
        chunks: list[str] = []
        size = 0
        for page in reader.pages[:max_pages]:
            if size >= max_chars:
                break
            chunks.append(page.extract_text() or "")
            size += len(chunks[-1])
        return chunks
    except UnreadableFile:
        raise
    except (FileNotDecryptedError, DependencyError) as error:
        raise UnreadableFile(ENCRYPTED_LETTER) from error
    except LimitReachedError as error:
        raise UnreadableFile(TOO_LARGE) from error
    except Exception as error:  # pypdf raises many kinds (PdfReadError, ValueError, ...) on damage
        raise UnreadableFile(f"the PDF is damaged ({type(error).__name__})") from error
