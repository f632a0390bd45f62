"""The cells of a school export: the header spellings real exports use (and where the header row is),
CSV and XLSX reading, and the readers for one cell (a count, a year, a major code). What the rest of
`extractors.schools` builds records from."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.charset import CharsetError, decode_bytes
from extractors.errors import SourceError
from extractors.school_students import STUDENT_ALIASES

SUPPORTED = (".csv", ".xlsx")
UNSUPPORTED = (".xls", ".et", ".ods")

# Contract key → header spellings seen in exports (compared after NFKC and removing spaces).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "school": ("学校", "学校名称", "院校", "院校名称", "学校全称"),
    "year": ("年份", "毕业年份", "届别", "年度", "毕业年度", "届次"),
    "major_code": ("专业代码", "专业编码", "专业代号", "专业编号"),
    "major_name": ("专业名称", "专业", "专业名", "所学专业"),
    "enrolment": ("招生人数", "招生数", "入学人数", "招生规模", "该届招生人数"),
    "graduates": ("毕业生数", "毕业人数", "毕业生人数", "毕业生总数"),
    "employed": ("就业人数", "就业数", "已就业人数"),
    "further_study": ("升学人数", "升学数"),
    "military": ("参军人数", "参军入伍人数", "入伍人数", "应征入伍人数"),
    "not_placed": ("待就业人数", "未就业人数", "待就业数"),
    "in_field": ("对口就业人数", "专业对口就业人数", "对口就业数"),
    "employed_local": ("本地就业人数", "本地就业数", "市内就业人数", "本市就业人数"),
}
# Names under a merged group header (毕业去向 / 其中) in the second header row.
SUB_ALIASES: dict[str, tuple[str, ...]] = {
    "employed": ("就业", "已就业"),
    "further_study": ("升学",),
    "military": ("参军", "入伍", "参军入伍", "应征入伍"),
    "not_placed": ("待就业", "未就业"),
    "in_field": ("对口就业", "专业对口"),
    "employed_local": ("本地就业", "市内就业", "本市就业"),
    "_destination_total": ("合计", "小计"),
}
FIELDS = tuple(HEADER_ALIASES)
COUNT_FIELDS = (
    "enrolment",
    "graduates",
    "employed",
    "further_study",
    "military",
    "not_placed",
    "in_field",
    "employed_local",
)
DESTINATIONS = ("employed", "further_study", "military", "not_placed")
# Every landed record has exactly these keys (contract section 2).
RECORD_KEYS = (
    "school",
    "year",
    "major_code",
    "major_name",
    *COUNT_FIELDS,
    "source_file",
    "source_row",
    "sheet",
    "record_kind",
    "major_code_reported",
    "parse_error",
    "parse_error_field",
    "superseded_by",
    "is_correction",
)
HEADER_SEARCH_ROWS = 30
SUMMARY = re.compile(r"(合计|小计|总计|总数)$")
CORRECTION = re.compile(r"更正|修正|修订|更新|订正")


def normal_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_ALIAS_TO_KEY = {normal_key(a): k for k, aliases in HEADER_ALIASES.items() for a in aliases}
_STUDENT_ALIAS_TO_KEY = {normal_key(a): k for k, aliases in STUDENT_ALIASES.items() for a in aliases}
_SUB_TO_KEY = {normal_key(a): k for k, aliases in SUB_ALIASES.items() for a in aliases}


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_key(value: object) -> str | None:
    text = normal_key(cell_text(value))
    return _ALIAS_TO_KEY.get(text) or _STUDENT_ALIAS_TO_KEY.get(text)


def is_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return bool(re.fullmatch(r"-?\d[\d,]*(\.\d+)?", cell_text(value)))


@dataclass(frozen=True)
class Header:
    index: int  # 0-based row of the (first) header row
    data_start: int  # 0-based row of the first data row
    mapping: dict[int, str]  # column -> key

    @property
    def keys(self) -> set[str]:
        return set(self.mapping.values())

    @property
    def student_level(self) -> bool:
        return "destination" in self.keys and "graduates" not in self.keys


def find_header(rows: Sequence[Sequence[object]]) -> Header | None:
    """The header: the first row naming at least three known columns (title rows above it are
    skipped whatever they say), plus the row under it when that row holds sub-headers of merged
    group cells (毕业去向 → 就业 | 升学 …) rather than data."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping: dict[int, str] = {}
        for col, value in enumerate(row):
            key = _header_key(value)
            if key and key not in mapping.values():
                mapping[col] = key
        if len(mapping) < 3:
            continue
        data_start = index + 1
        if data_start < len(rows):
            below = rows[data_start]
            sub: dict[int, str] = {}
            for col, value in enumerate(below):
                text = normal_key(cell_text(value))
                key = _ALIAS_TO_KEY.get(text) or _SUB_TO_KEY.get(text)
                if key:
                    sub[col] = key
            if len(sub) >= 2 and not any(is_number(v) for v in below):
                # A sub-header names its column; the cell above it was a group label (毕业去向 over
                # 就业 | 升学 …), even when that label happens to be a known name itself.
                for col, key in sub.items():
                    if key not in (k for c, k in mapping.items() if c != col):
                        mapping[col] = key
                data_start += 1
        return Header(index, data_start, mapping)
    return None


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
    """(int or None, error or None). Blanks and dashes are None without error."""
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
