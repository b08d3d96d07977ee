"""Time to read one return by format: our readers beside the spreadsheet libraries' raw reads.

"Ours" is what the intake does with one file: `read_sheets` + `find_template` for a template
(sniffing, the archive checks, cell text, finding the rows by content), `read_letter` for a
letter. "Raw" is the library alone loading the same file and touching every cell (or
extracting the text), so the difference is the cost of our checks and of finding the template.

`measure_generality` scores the reader on returns generated every way councils write them
(`tests/return_variants.py`, the generality test's generator, at a larger size).
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import docx
import openpyxl
import pypdf
import python_calamine
from odf import opendocument
from odf.table import TableCell

from bench.mail import return_content
from bench.stats import repeat, spread
from intake.reading.letters import read_letter
from intake.reading.sheets import read_sheets
from intake.reading.template import find_template
from intake.samples import files, grids
from store.collection import Collection
from store.register import authorities_by_code
from tests.return_scoring import score
from tests.return_variants import generate

LEEDS = "E08000035"
Reader = Callable[[bytes], object]


def measure_reading(collection: Collection, times: int) -> list[dict[str, Any]]:
    """One row per format: file size, our read (p50/p99) and each raw library's."""
    content = return_content(authorities_by_code()[LEEDS], collection, random.Random(5))
    layout = grids.Layout()
    samples = {
        "xlsx": files.write_xlsx(content, layout, collection),
        "xls": files.write_xls(content, layout, collection),
        "ods": files.write_ods(content, layout, collection),
        "csv": files.write_csv(content, layout, collection),
        "docx": files.write_docx_letter(content.letter_text),
        "pdf": files.write_pdf_letter(content.letter_text),
    }
    rows = []
    for fmt, data in samples.items():
        name = f"Leeds return.{fmt}"
        ours = _our_letter(name) if fmt in ("docx", "pdf") else _our_template(name, collection)
        raw = {library: spread(repeat(partial(read, data), times)).to_json()
               for library, read in RAW_READERS[fmt].items()}
        rows.append({"format": fmt, "file_bytes": len(data),
                     "ours": spread(repeat(partial(ours, data), times)).to_json(), "raw": raw,
                     "raw_skipped": SKIPPED.get(fmt, {})})
    return rows


def measure_generality(collection: Collection, count: int, seed: int = 1) -> dict[str, Any]:
    """Share of generated cells, totals and LA fields read right, and the misreadings' count."""
    started = time.perf_counter()
    variants = list(generate(count, seed, collection))
    result = score(variants, collection)
    rates = result.rates()
    return {"returns": count, "seed": seed,
            "cells_right_pct": round(rates["cells"], 2),
            "totals_right_pct": round(rates["totals"], 2),
            "las_right_pct": round(rates["las"], 2), "las_wrong": result.las_wrong,
            "returns_misread": len(result.misses), "examples": result.misses[:5],
            "seconds": round(time.perf_counter() - started, 1)}


def _our_template(name: str, collection: Collection) -> Reader:
    def read(data: bytes) -> object:
        template = find_template(read_sheets(name, data), name, collection)
        if template is None:
            raise RuntimeError(f"no template found in {name}")
        return template
    return read


def _our_letter(name: str) -> Reader:
    return lambda data: read_letter(name, data)


def _calamine(data: bytes) -> object:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]


def _openpyxl_read_only(data: bytes) -> object:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    finally:
        book.close()


def _odfpy(data: bytes) -> object:
    document = opendocument.load(io.BytesIO(data))
    return [str(cell) for cell in document.spreadsheet.getElementsByType(TableCell)]


def _csv(data: bytes) -> object:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _python_docx(data: bytes) -> object:
    return [paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs]


def _pypdf(data: bytes) -> object:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _xls_readers() -> tuple[dict[str, Reader], dict[str, str]]:
    readers: dict[str, Reader] = {"python-calamine": _calamine}
    try:
        import xlrd
    except ImportError:
        return readers, {"xlrd": "not installed"}

    def read(data: bytes) -> object:
        book = xlrd.open_workbook(file_contents=data)
        return [[sheet.row_values(r) for r in range(sheet.nrows)] for sheet in book.sheets()]

    return {**readers, "xlrd": read}, {}


_XLS_READERS, _XLS_SKIPPED = _xls_readers()
RAW_READERS: dict[str, dict[str, Reader]] = {
    "xlsx": {"python-calamine": _calamine, "openpyxl read_only": _openpyxl_read_only},
    "xls": _XLS_READERS,
    "ods": {"python-calamine": _calamine, "odfpy": _odfpy},
    "csv": {"csv module": _csv},
    "docx": {"python-docx": _python_docx},
    "pdf": {"pypdf": _pypdf},
}
SKIPPED: dict[str, dict[str, str]] = {"xls": _XLS_SKIPPED} if _XLS_SKIPPED else {}
