"""The cells of a school export: CSV and XLSX reading, and the readers for one cell (a count, a rate,
a year, a major code). The header vocabulary and the kinds of rows live in `extractors.school_headers`
(re-exported here); what the rest of `extractors.schools` builds records from."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from extractors.charset import CharsetError, decode_bytes
from extractors.errors import SourceError
from extractors.school_headers import (  # noqa: F401 - re-exported: the cells' vocabulary
    CORRECTION,
    COUNT_FIELDS,
    DESTINATIONS,
    FIELDS,
    HEADER_ALIASES,
    HEADER_SEARCH_ROWS,
    RATE_FIELDS,
    RECORD_KEYS,
    SUB_ALIASES,
    SUMMARY,
    Header,
    cell_text,
    find_header,
    is_number,
    normal_key,
    row_kind,
)

SUPPORTED = (".csv", ".xlsx")
UNSUPPORTED = (".xls", ".et", ".ods")
# No school in Bazhong (the college has ~11,000 students in all) has a count anywhere near this in
# one major and year; a larger number is a typo or a pasted ID, and would not fit the warehouse's
# 32-bit integer columns well before it got absurd (2,147,483,647).
MAX_COUNT = 100_000


def read_csv(content: bytes, name: str) -> tuple[list[list[object]], str]:
    # Excel on Chinese Windows saves "CSV" as GBK and HTTP servers rarely say so correctly, so the
    # bytes decide, not the Content-Type (which is not passed).
    try:
        text, encoding = decode_bytes(content, "text/csv", strict=True, where=name)
    except CharsetError as exc:
        raise SourceError("cannot tell the text encoding of this CSV", where=name) from exc
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if find_header(rows) is None and "\t" in text[:4096]:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    return rows, encoding


def read_xlsx_sheets(content: bytes, name: str) -> list[tuple[str, list[list[object]]]]:
    """(sheet name, rows) of every sheet with a recognisable header (row i of a list is sheet row
    i+1); the first sheet alone when none has one, so the caller can say what is missing."""
    import openpyxl

    try:
        # Not read_only: read-only mode can skip empty rows, and source_row must match Excel's
        # numbering; merged cells read as None beyond their first cell, which find_header expects.
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError variants for broken files
        raise SourceError(f"not a readable XLSX workbook: {exc}", where=name) from exc
    try:
        sheets = [
            (sheet.title, [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()
    found = [(title, rows) for title, rows in sheets if find_header(rows) is not None]
    return found or sheets[:1]


def parse_count(value: object) -> tuple[int | None, str | None]:
    """(int or None, error or None). Blanks and dashes are None without error; a count above
    MAX_COUNT is an error, not a number to load."""
    number, problem = _read_count(value)
    if number is not None and number > MAX_COUNT:
        return None, f"{number:,} is above {MAX_COUNT:,}, more than any school has in one major and year"
    return number, problem


def _read_count(value: object) -> tuple[int | None, str | None]:
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int):
        return (value, None) if value >= 0 else (None, f"{value!r} is negative")
    if isinstance(value, float):
        if value.is_integer() and value >= 0:
            return int(value), None
        if value.is_integer():
            return None, f"{int(value)!r} is negative"
        return None, f"{value!r} is not a whole number"
    text = cell_text(value).replace(",", "")
    if text in ("", "-", "—", "/", "无"):
        return None, None
    text = text.removesuffix("人")
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text)), None
    if re.fullmatch(r"-\d+(\.0+)?", text):
        return None, f"{cell_text(value)!r} is negative"
    return None, f"{cell_text(value)!r} is not a whole number"


@dataclass(frozen=True)
class Rate:
    """A reported rate as a fraction 0..1, and how far off a count-based rate may be and still agree
    (half a unit of the last digit the school wrote, never under 0.05 percentage points)."""

    value: float
    tolerance: float


def rate_column_in_percent(values: list[object], heading_says_percent: bool) -> bool:
    """Whether a rate column's bare numbers are percentages (95.2) or fractions (0.952, what an
    Excel cell formatted as % holds): the heading's (%) or any bare number above 1 decides, so one
    column is read one way throughout."""
    if heading_says_percent:
        return True
    for value in values:
        text = cell_text(value).replace(",", "")
        if text.endswith("%") or not re.fullmatch(r"\d+(\.\d+)?", text):
            continue
        if float(text) > 1:
            return True
    return False


def parse_rate(value: object, in_percent: bool) -> tuple[Rate | None, str | None]:
    """(Rate or None, error or None): "95.2%" always, 95.2 when the column is in percent, 0.952
    otherwise. Blanks and dashes are None without error."""
    if value is None or isinstance(value, bool):
        return None, None
    text = cell_text(value).replace(",", "").replace("％", "%")
    if text in ("", "-", "—", "/", "无"):
        return None, None
    percent = in_percent or text.endswith("%")
    number = text.removesuffix("%").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", number):
        return None, f"{cell_text(value)!r} is not a rate"
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    fraction = float(number) / (100 if percent else 1)
    unit = 10.0**-decimals / (100 if percent else 1)
    if not 0 <= fraction <= 1:
        return None, f"{cell_text(value)!r} is not a rate between 0 and 100%"
    return Rate(round(fraction, 6), max(unit / 2, 0.0005)), None


def parse_year(value: object) -> tuple[int | None, str | None]:
    if value is None or cell_text(value) == "":
        return None, None
    m = re.search(r"(?:19|20)\d{2}", cell_text(value))
    if not m:
        return None, f"{cell_text(value)!r} is not a year"
    return int(m.group(0)), None


def parse_major_code(value: object) -> str | None:
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    # Excel turns "051300" into the number 51300: put the leading zero back for all-digit codes.
    if text.isdigit() and len(text) < 6:
        text = text.zfill(6)
    return text
