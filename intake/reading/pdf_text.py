"""A PDF letter's text: PDFium (pypdfium2) after the bomb pre-check, pypdf when it is encrypted.

PDFium reads a letter ten times faster than pypdf and gets ligatures and word order right, but
it has no decompression limit, so `check_pdf_streams` measures every stream first. An
encrypted PDF's streams cannot be measured without its key, so it goes to pypdf, which
decrypts with the empty password and limits each stream itself.
"""

from __future__ import annotations

import io
import re
import threading

from intake.reading.formats import ENCRYPTED_LETTER
from intake.reading.pdf_streams import TOO_LARGE, check_pdf_streams, is_encrypted
from intake.reading.safety import UnreadableFile

SCANNED = ("letter not readable: it seems to be a scan (the PDF has no text layer); please "
           "send the letter as .docx or as a PDF saved from Word")
# PDFium writes a hyphen that joins a word broken over two lines as U+0002; other C0
# characters are glyphs without a Unicode mapping.
UNMAPPED = re.compile(r"[\x00\x01\x03-\x08\x0b\x0e-\x1f]")
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
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        if error.err_code in (pypdfium2.raw.FPDF_ERR_PASSWORD, pypdfium2.raw.FPDF_ERR_SECURITY):
            raise UnreadableFile(ENCRYPTED_LETTER) from error
        raise UnreadableFile("the PDF is damaged (it could not be opened)") from error
    try:
        chunks: list[str] = []
        size = 0
        for number in range(min(len(document), max_pages)):
            if size >= max_chars:
                break
            page = document[number]
            text_page = page.get_textpage()
            text = text_page.get_text_bounded()
            text_page.close()
            page.close()
            chunks.append(UNMAPPED.sub("", text.replace("\x02", "-")))
            size += len(text)
        return chunks
    except pypdfium2.PdfiumError as error:
        raise UnreadableFile(f"the PDF is damaged ({type(error).__name__})") from error
    finally:
        document.close()


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
