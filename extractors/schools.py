"""School graduate-destination exports (毕业生去向统计): CSV (UTF-8, UTF-8 with BOM, GB18030) and
XLSX, from the schools' index page and from the inbox folder people drop files into.

One record per school × year × major with the contract's English keys. The header row is found
by its known Chinese names (exports put title rows above it, and schools rename columns), so the
same reader takes every school's file. Every file is kept byte for byte under `files/`: these are
aggregate counts, no personal data.

Bad cells do not drop rows. A count that is not a whole number becomes None and the row gets a
`parse_error` string ("graduates: '十二' is not a whole number"), which the validator uses to
quarantine it; `parse_error` is None on clean rows. `source_file` is the file's path under the
landing's `files/` and `source_row` the 1-based row in the original sheet or CSV (header and title
rows counted), so a reviewer can open the file at the right line."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import charset_normalizer

from extractors.errors import SourceError
from extractors.htmltext import parse_html
from extractors.http import HttpClient
from extractors.landing import LandingResult, land

log = logging.getLogger("extractors.schools")

SUPPORTED = (".csv", ".xlsx")
UNSUPPORTED = (".xls", ".et", ".ods")

# Contract key → header spellings seen in exports (compared after NFKC and removing spaces).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "school": ("学校", "学校名称", "院校", "院校名称", "学校全称"),
    "year": ("年份", "毕业年份", "届别", "年度", "毕业年度", "届次"),
    "major_code": ("专业代码", "专业编码", "专业代号", "专业编号"),
    "major_name": ("专业名称", "专业", "专业名"),
    "enrolment": ("招生人数", "招生数", "入学人数", "招生规模"),
    "graduates": ("毕业生数", "毕业人数", "毕业生人数", "毕业生总数"),
    "employed": ("就业人数", "就业数", "已就业人数"),
    "further_study": ("升学人数", "升学数"),
    "military": ("参军人数", "参军入伍人数", "入伍人数", "应征入伍人数"),
    "not_placed": ("待就业人数", "未就业人数", "待就业数"),
    "in_field": ("对口就业人数", "专业对口就业人数", "对口就业数"),
    "employed_local": ("本地就业人数", "本地就业数", "市内就业人数", "本市就业人数"),
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
# Without these a row cannot be placed in the warehouse: a file lacking one is a layout change.
# (`year` too, unless a title row above the header names it.)
REQUIRED_COLUMNS = ("major_code", "major_name", "graduates")
HEADER_SEARCH_ROWS = 30
_SUMMARY = re.compile(r"^(合计|小计|总计|总数|全校合计)$")
_ALIAS_TO_KEY = {
    re.sub(r"\s+", "", unicodedata.normalize("NFKC", alias)): key
    for key, aliases in HEADER_ALIASES.items()
    for alias in aliases
}


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[int, str]] | None:
    """(0-based index of the header row, {column index: contract key}) or None.

    The header is the first row naming at least three known columns; title rows above it are
    skipped whatever they say."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping: dict[int, str] = {}
        for col, value in enumerate(row):
            key = _ALIAS_TO_KEY.get(re.sub(r"\s+", "", _cell_text(value)))
            if key and key not in mapping.values():
                mapping[col] = key
        if len(mapping) >= 3:
            return index, mapping
    return None


def decode_csv(content: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) of CSV bytes: BOM, strict UTF-8, strict GB18030, then detection.

    Excel on Chinese Windows saves "CSV" as GBK; HTTP servers rarely say so correctly, so the
    bytes decide, not the Content-Type."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(content).best()
    if best is None:
        raise SourceError("cannot tell the text encoding of this CSV", where=name)
    return str(best), best.encoding


def read_csv(content: bytes, name: str) -> tuple[list[list[object]], str]:
    text, encoding = decode_csv(content, name)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if find_header(rows) is None and "\t" in text[:4096]:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    return rows, encoding


def read_xlsx(content: bytes, name: str) -> tuple[list[list[object]], str | None]:
    """Rows of the first sheet that has a recognisable header (row i of the list is sheet row i+1)."""
    import openpyxl

    try:
        # Not read_only: read-only mode can skip empty rows, and source_row must match Excel's numbering.
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError variants for broken files
        raise SourceError(f"not a readable XLSX workbook: {exc}", where=name) from exc
    try:
        first = None
        for sheet in workbook.worksheets:
            rows = [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
            if first is None:
                first = rows
            if find_header(rows) is not None:
                return rows, None
        return first or [], None
    finally:
        workbook.close()


def parse_count(value: object) -> tuple[int | None, str | None]:
    """(int or None, error or None). Blanks and dashes are None without error."""
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int):
        return (value, None) if value >= 0 else (None, f"{value!r} is negative")
    if isinstance(value, float):
        if value.is_integer() and value >= 0:
            return int(value), None
        return None, f"{value!r} is not a whole number"
    text = _cell_text(value).replace(",", "")
    if text in ("", "-", "—", "/", "无"):
        return None, None
    text = text.removesuffix("人")
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text)), None
    return None, f"{_cell_text(value)!r} is not a whole number"


def parse_year(value: object) -> tuple[int | None, str | None]:
    if value is None or _cell_text(value) == "":
        return None, None
    m = re.search(r"(?:19|20)\d{2}", _cell_text(value))
    if not m:
        return None, f"{_cell_text(value)!r} is not a year"
    return int(m.group(0)), None


def parse_major_code(value: object) -> str | None:
    text = _cell_text(value)
    if not text:
        return None
    # Excel turns "051001" into the number 51001: put the leading zero back for all-digit codes.
    if text.isdigit() and len(text) < 6:
        text = text.zfill(6)
    return text


def _title_fallback(rows: Sequence[Sequence[object]], header_index: int) -> tuple[str | None, int | None]:
    """School and year from a title row such as "巴中职业技术学院2024届毕业生去向统计表"."""
    for row in rows[:header_index]:
        for value in row:
            m = re.search(r"^(.+?(?:学院|学校|中学|职中|职高))\s*((?:19|20)\d{2})", _cell_text(value))
            if m:
                return m.group(1), int(m.group(2))
    return None, None


def parse_rows(rows: Sequence[Sequence[object]], source_file: str) -> list[dict]:
    """Records from a sheet's rows (index 0 = sheet row 1)."""
    found = find_header(rows)
    if found is None:
        raise SourceError(
            "no header row with the known column names (学校, 年份, 专业代码, 毕业生数, …) "
            f"in the first {HEADER_SEARCH_ROWS} rows",
            where=source_file,
        )
    header_index, mapping = found
    missing = [key for key in REQUIRED_COLUMNS if key not in mapping.values()]
    if missing:
        raise SourceError(
            f"header lacks required columns {missing}",
            where=source_file,
            row=header_index + 1,
            field=",".join(missing),
        )
    title_school, title_year = _title_fallback(rows, header_index)
    if "year" not in mapping.values() and title_year is None:
        raise SourceError(
            "no 年份 column and no year in a title row", where=source_file, row=header_index + 1, field="year"
        )
    absent = [key for key in FIELDS if key not in mapping.values()]
    if absent:
        log.warning("%s: columns not present, left null: %s", source_file, ", ".join(absent))

    records = []
    skipped = 0
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        cells = {key: (row[col] if col < len(row) else None) for col, key in mapping.items()}
        texts = {key: _cell_text(value) for key, value in cells.items()}
        if not any(texts.values()):
            continue  # blank line
        if any(_SUMMARY.match(texts.get(key, "")) for key in ("school", "major_code", "major_name")):
            skipped += 1  # a totals row would double-count every major
            continue
        if not any(texts.get(key) for key in (*COUNT_FIELDS, "major_code", "major_name")):
            skipped += 1  # a note under the table ("注：…", "填表人：…")
            continue
        errors = []
        rec: dict[str, object] = {
            "school": texts.get("school") or title_school,
            "major_code": parse_major_code(cells.get("major_code")),
            "major_name": texts.get("major_name") or None,
            "source_file": source_file,
            "source_row": index + 1,
        }
        year, problem = parse_year(cells.get("year"))
        if problem:
            errors.append(f"year: {problem}")
        rec["year"] = year if year is not None or problem else title_year
        for key in COUNT_FIELDS:
            value, problem = parse_count(cells.get(key))
            rec[key] = value
            if problem:
                errors.append(f"{key}: {problem}")
        rec["parse_error"] = "; ".join(errors) or None
        if errors:
            log.warning("%s row %d: %s", source_file, index + 1, rec["parse_error"])
        records.append(rec)
    if skipped:
        log.info("%s: %d summary/note rows skipped", source_file, skipped)
    return records


def parse_export(content: bytes, source_file: str) -> tuple[list[dict], str | None]:
    """(records, encoding) of one export, by file extension."""
    lower = source_file.lower()
    if lower.endswith(".xlsx"):
        rows, encoding = read_xlsx(content, source_file)
    elif lower.endswith(".csv"):
        rows, encoding = read_csv(content, source_file)
    else:
        raise SourceError("unsupported school export format (save it as .xlsx or .csv)", where=source_file)
    return parse_rows(rows, source_file), encoding


def _link_path(url: str) -> str:
    return unquote(urlsplit(url).path)


def find_export_links(index_html: str, index_url: str) -> list[str]:
    """Absolute URLs of every .csv/.xlsx linked from the index page, in page order."""
    doc = parse_html(index_html)
    links: list[str] = []
    for a in doc.find_all("a"):
        href = a.get("href")
        if not href:
            continue
        url = urljoin(index_url, href)
        path = _link_path(url).lower()
        if path.endswith(SUPPORTED) or path.endswith(UNSUPPORTED):
            if url not in links:
                links.append(url)
    return links


def _inbox_files(inbox_dir: Path | None) -> list[Path]:
    if inbox_dir is None or not Path(inbox_dir).is_dir():
        return []
    return sorted(
        p
        for p in Path(inbox_dir).iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in SUPPORTED + UNSUPPORTED
    )


def extract_schools(
    config: dict, partition: str, raw_dir, inbox_dir=None, *, client: HttpClient | None = None
) -> LandingResult:
    """Read every export linked from `schools.index_url` plus every file in `inbox_dir`, land
    source `school_records`. An inbox file byte-identical to a downloaded one is read once."""
    settings = config.get("schools") or {}
    index_url = settings.get("index_url")
    client = client or HttpClient.from_config(config)
    sources: list[tuple[str, bytes, str]] = []  # (name under files/, bytes, where it came from)

    if index_url:
        index = client.get(index_url)
        links = find_export_links(index.text, index.url)
        log.info("school index %s: %d export links", index.url, len(links))
        if not links:
            raise SourceError(
                "school index page links no .csv/.xlsx export (layout change?)", where=index.url
            )
        for url in links:
            result = client.get(url)
            sources.append((posixpath.basename(_link_path(url)), result.content, url))
    inbox_paths = _inbox_files(Path(inbox_dir) if inbox_dir else None)
    for path in inbox_paths:
        sources.append((f"inbox/{path.name}", path.read_bytes(), str(path)))
    if not sources:
        raise SourceError(
            "no school exports: index_url not configured and the inbox is empty",
            where=str(inbox_dir) if inbox_dir else config.get("config_path"),
        )

    records: list[dict] = []
    files: dict[str, bytes] = {}
    seen_sha: dict[str, str] = {}
    for name, content, origin in sources:
        sha = hashlib.sha256(content).hexdigest()
        if sha in seen_sha:
            log.info("%s is byte-identical to %s; read once", origin, seen_sha[sha])
            continue
        if name in files:
            # Two different files with one base name: keep both, the second under its full URL path.
            name = (
                _link_path(origin).lstrip("/") if "://" in origin else f"inbox/{sha[:8]}-{Path(origin).name}"
            )
        seen_sha[sha] = origin
        rows, encoding = parse_export(content, name)
        if encoding:
            _note_encoding(client.fetch_log, origin, encoding)
        log.info("school export %s: %d rows (encoding %s)", origin, len(rows), encoding or "xlsx")
        files[name] = content
        records.extend(rows)
    records.sort(key=lambda r: (r["source_file"], r["source_row"]))
    return land("school_records", partition, records, files, raw_dir=raw_dir, fetches=client.fetch_log)


def _note_encoding(fetches: Iterable[dict], url: str, encoding: str) -> None:
    """Record the encoding the CSV was actually read with (the server's header may be wrong)."""
    for entry in fetches:
        if entry.get("url") == url:
            entry["encoding"] = encoding
