"""School graduate-destination exports (毕业生去向统计): CSV (UTF-8, UTF-8 with BOM, GB18030) and
XLSX, from the schools' index page and from the inbox folder people drop files into.

One record per school × year × major with the contract's English keys (docs/school_records.md).
The header row is found by its known Chinese names, wherever title rows put it, and a second header
row under merged cells (毕业去向 → 就业 | 升学 | 参军 | 待就业) is folded into it. Subtotal rows
(合计, 小计) are checked against the rows they sum and dropped; notes under the table are skipped.
Student-level sheets (姓名, 身份证号, 毕业去向 …) are aggregated on arrival by
`extractors.school_students`, and their files are not kept: personal data never reaches disk.

Bad input does not drop rows and does not stop the file. A record that cannot be counted carries
`parse_error` (the reason) and `parse_error_field` (the field), and the validator quarantines it:
- a count that is not a whole number or is negative ("graduates: '十二' is not a whole number");
- a malformed major code, or one in neither the 2021 catalogue nor the old → new mapping (old codes
  are mapped, and the reported code is kept in `major_code_reported`);
- graduates exceeding the cohort's enrolment, destinations not adding up to graduates;
- a subtotal row that does not add up (landed as its own record, `record_kind` = "subtotal");
- a student row that cannot be counted (`record_kind` = "student_row").
When two files (or two rows) give the same school × year × major, the later one wins: the earlier
record gets `superseded_by` ("file#row" of the winner) and both are landed and loaded (the suite
reports the superseded rows, staging keeps the winner), and the winner gets `is_correction` = true
when the figures differ. "Later" is: a file that says it is
a correction (更正/修正/修订/更新 in its name or title) over one that does not, an inbox file over a
published one, then file name, then row.

`source_file` is the file's path under the landing's `files/` and `source_row` the 1-based row in
the original sheet or CSV (header and title rows counted); `sheet` names the XLSX sheet.

Longer than ~400 lines on purpose: finding the header, reading cells, checking subtotals, superseding
and crawling are steps of one reading of an export that share its `Header` and record shape; the
student-level part already lives apart (`extractors.school_students`)."""

from __future__ import annotations

import hashlib
import logging
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from extractors.errors import SourceError
from extractors.htmltext import parse_html
from extractors.http import HttpClient
from extractors.landing import LandingResult, land
from extractors.privacy import scrub
from extractors.school_cells import (  # noqa: F401 - parse_count is part of this module's interface
    CORRECTION,
    COUNT_FIELDS,
    DESTINATIONS,
    FIELDS,
    HEADER_SEARCH_ROWS,
    RECORD_KEYS,
    SUMMARY,
    SUPPORTED,
    UNSUPPORTED,
    Header,
    cell_text,
    find_header,
    is_number,
    normal_key,
    parse_count,
    parse_major_code,
    parse_year,
    read_csv,
    read_xlsx_sheets,
)
from extractors.school_reference import load_catalogue, resolve_major
from extractors.school_students import PERSONAL_KEYS, aggregate_students

log = logging.getLogger("extractors.schools")


_SCHOOL_RE = re.compile(r"^(.+?(?:学院|学校|中学|职中|职高))")


def _school_year_in(text: str) -> tuple[str | None, int | None]:
    """School and year from a title or file name ("巴中职业技术学院2024届毕业生去向统计表")."""
    text = cell_text(text)
    school = None
    for name in load_catalogue().schools:
        if name in text:
            school = name
            break
    if school is None:
        m = _SCHOOL_RE.search(text)
        if m and not re.search(r"\d", m.group(1)):
            school = m.group(1)
    m = re.search(r"((?:19|20)\d{2})\s*(?:届|年)", text) or re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)
    return school, int(m.group(1)) if m else None


def _title_text(rows: Sequence[Sequence[object]], header_index: int) -> str:
    return " ".join(cell_text(v) for row in rows[:header_index] for v in row if cell_text(v))


def _is_summary_row(row: Sequence[object]) -> bool:
    for value in row:
        if value is None or is_number(value):
            continue
        text = normal_key(cell_text(value))
        if text and len(text) <= 20 and SUMMARY.search(text):
            return True
    return False


def _blank_record(source_file: str, source_row: int, sheet: str | None) -> dict:
    rec: dict = dict.fromkeys(RECORD_KEYS)
    rec.update(source_file=source_file, source_row=source_row, sheet=sheet, is_correction=False)
    return rec


@dataclass(frozen=True)
class _Context:
    source_file: str
    sheet: str | None
    school: str | None  # from the options, else title, else file name
    year: int | None
    override: bool  # school/year came from the caller: they beat the table's own columns


def _resolve_identity(
    ctx: _Context, texts: dict[str, str], cells: dict[str, object]
) -> tuple[str | None, int | None, str | None, str | None, str | None, list[tuple[str, str]]]:
    """(school, year, major_code, major_name, reported code, [(field, error)]) of one row."""
    errors: list[tuple[str, str]] = []
    school = ctx.school if ctx.override and ctx.school else (texts.get("school") or ctx.school)
    if ctx.override and ctx.year:
        year = ctx.year
    else:
        year, problem = parse_year(cells.get("year"))
        if problem:
            errors.append(("year", f"year: {problem}"))
        elif year is None:
            year = ctx.year
    if not school:
        errors.append(("school", "school: not in the row, the title or the file name"))
    if year is None and not errors:
        errors.append(("year", "year: not in the row, the title or the file name"))
    name = texts.get("major_name") or None
    match = resolve_major(parse_major_code(cells.get("major_code")), name, load_catalogue().level_of(school))
    if match.error:
        errors.append(("major_code", match.error))
    return school, year, match.major_code, name, match.reported, errors


def parse_rows(
    rows: Sequence[Sequence[object]],
    source_file: str,
    *,
    sheet: str | None = None,
    school: str | None = None,
    year: int | None = None,
    seen_students: set[str] | None = None,
) -> list[dict]:
    """Records from a sheet's rows (index 0 = sheet row 1). `school`/`year`, when given, override
    the table; otherwise they are the fallback for rows that lack them (title row, file name)."""
    header = find_header(rows)
    if header is None:
        raise SourceError(
            "no header row with the known column names (学校, 年份, 专业代码, 毕业生数, …) "
            f"in the first {HEADER_SEARCH_ROWS} rows",
            where=source_file,
        )
    keys = header.keys
    title = _title_text(rows, header.index)
    title_school, title_year = _school_year_in(title)
    name_school, name_year = _school_year_in(Path(source_file).stem)
    ctx = _Context(
        source_file=source_file,
        sheet=sheet,
        school=school or title_school or name_school,
        year=year or title_year or name_year,
        override=bool(school or year),
    )
    if header.student_level:
        if not keys & {"major_code", "major_name"}:
            raise SourceError(
                "student-level sheet without a 专业 or 专业代码 column",
                where=source_file,
                row=header.index + 1,
                field="major_code",
            )
        return _student_records(rows, header, ctx, seen_students)

    missing = [k for k in ("graduates",) if k not in keys]
    if not keys & {"major_code", "major_name"}:
        missing.insert(0, "major_code")
    if missing:
        raise SourceError(
            f"header lacks required columns {missing}",
            where=source_file,
            row=header.index + 1,
            field=",".join(missing),
        )
    if "year" not in keys and ctx.year is None:
        raise SourceError(
            "no 年份 column and no year in a title row or the file name (pass the year)",
            where=source_file,
            row=header.index + 1,
            field="year",
        )
    absent = [k for k in FIELDS if k not in keys]
    if absent:
        log.info("%s: columns not present, left null: %s", source_file, ", ".join(absent))

    records: list[dict] = []
    block: list[dict] = []  # detail rows since the last 小计
    detail: list[dict] = []  # every detail row of the sheet
    skipped = 0
    for index in range(header.data_start, len(rows)):
        row = rows[index]
        cells = {key: (row[col] if col < len(row) else None) for col, key in header.mapping.items()}
        texts = {key: cell_text(value) for key, value in cells.items()}
        if not any(texts.values()):
            continue  # blank line
        if _is_summary_row(row):
            label = "合计" if re.search(r"合计|总计|总数", "".join(cell_text(v) for v in row)) else "小计"
            parts = detail if label == "合计" else block
            bad = _check_subtotal(cells, parts, index + 1, label, ctx)
            if bad:
                records.append(bad)
            if label == "小计":
                block = []
            skipped += 1
            continue
        if not any(texts.get(key) for key in (*COUNT_FIELDS, "major_code", "major_name")):
            skipped += 1  # a note under the table ("注：…", "填表人：…")
            continue
        rec = _blank_record(source_file, index + 1, sheet)
        rec["record_kind"] = "summary"
        school_, year_, code, name, reported, errors = _resolve_identity(ctx, texts, cells)
        rec.update(school=school_, year=year_, major_code=code, major_name=name, major_code_reported=reported)
        if code is None and reported:
            rec["major_code"] = reported  # keep what the school wrote on the quarantined record
        for key in COUNT_FIELDS:
            value, problem = parse_count(cells.get(key))
            rec[key] = value
            if problem:
                errors.append((key, f"{key}: {problem}"))
        errors.extend(_consistency(rec))
        if errors:
            rec["parse_error"] = scrub("; ".join(e for _, e in errors))
            rec["parse_error_field"] = ", ".join(dict.fromkeys(f for f, _ in errors))
            log.warning("%s row %d: %s", source_file, index + 1, rec["parse_error"])
        rec["_declared_correction"] = bool(CORRECTION.search(title))
        records.append(rec)
        block.append(rec)
        detail.append(rec)
    if skipped:
        log.info("%s: %d summary/note rows checked and skipped", source_file, skipped)
    return records


def _consistency(rec: dict) -> list[tuple[str, str]]:
    errors = []
    if rec["graduates"] is not None and rec["enrolment"] is not None and rec["graduates"] > rec["enrolment"]:
        errors.append(
            (
                "graduates",
                f"graduates: {rec['graduates']} exceed the cohort's enrolment of {rec['enrolment']}",
            )
        )
    values = [rec[k] for k in DESTINATIONS]
    if (
        rec["graduates"] is not None
        and all(v is not None for v in values)
        and sum(values) != rec["graduates"]
    ):
        errors.append(
            (
                "employed, further_study, military, not_placed",
                f"destinations add up to {sum(values)}, not to graduates {rec['graduates']}",
            )
        )
    return errors


def _check_subtotal(
    cells: dict[str, object], parts: list[dict], row: int, label: str, ctx: _Context
) -> dict | None:
    """A quarantine record when a 合计/小计 row disagrees with the rows it sums, else None. A field
    is compared only when the subtotal and every row under it state it."""
    wrong = []
    for key in COUNT_FIELDS:
        stated, problem = parse_count(cells.get(key))
        if stated is None or problem or not parts:
            continue
        values = [p[key] for p in parts]
        if any(v is None for v in values):
            continue
        if sum(values) != stated:
            wrong.append((key, stated, sum(values)))
    if not wrong:
        return None
    rec = _blank_record(ctx.source_file, row, ctx.sheet)
    first, last = parts[0]["source_row"], parts[-1]["source_row"]
    rec.update(
        record_kind="subtotal",
        school=ctx.school or parts[0]["school"],
        year=ctx.year or parts[0]["year"],
        parse_error="; ".join(
            f"{label} row says {key} {stated} but rows {first}-{last} add up to {total}"
            for key, stated, total in wrong
        ),
        parse_error_field=", ".join(k for k, _, _ in wrong),
    )
    log.warning("%s row %d: %s", ctx.source_file, row, rec["parse_error"])
    return rec


def _student_records(
    rows: Sequence[Sequence[object]], header: Header, ctx: _Context, seen: set[str] | None
) -> list[dict]:
    def resolve(texts: dict[str, str]):
        cells: dict[str, object] = {k: texts.get(k) for k in ("year", "major_code")}
        school, year, code, name, reported, errors = _resolve_identity(ctx, texts, cells)
        if code is not None and name is None:
            name = load_catalogue().majors[code][0]
        return school, year, code, name, reported, errors[0][1] if errors else None

    out = aggregate_students(
        rows,
        header.data_start,
        header.mapping,
        source_file=ctx.source_file,
        sheet=ctx.sheet,
        resolve=resolve,
        is_summary_row=_is_summary_row,
        cell_text=cell_text,
        seen=seen,
    )
    records = []
    for rec in out:
        full = _blank_record(ctx.source_file, rec["source_row"], ctx.sheet)
        full.update({k: v for k, v in rec.items() if k in full})
        full["school"] = full["school"] or ctx.school
        full["year"] = full["year"] or ctx.year
        if full["record_kind"] == "student_level":
            errors = _consistency(full)
            if errors:
                full["parse_error"] = "; ".join(e for _, e in errors)
                full["parse_error_field"] = ", ".join(f for f, _ in errors)
        full["_declared_correction"] = False
        records.append(full)
    log.info(
        "%s: student-level sheet aggregated into %d majors (%d rows not counted)",
        ctx.source_file,
        sum(r["record_kind"] == "student_level" for r in records),
        sum(r["record_kind"] == "student_row" for r in records),
    )
    return records


def is_student_level(records: Iterable[dict]) -> bool:
    return any(r.get("record_kind") in ("student_level", "student_row") for r in records)


def parse_export(
    content: bytes,
    source_file: str,
    *,
    school: str | None = None,
    year: int | None = None,
    seen_students: set[str] | None = None,
) -> tuple[list[dict], str | None]:
    """(records, encoding) of one export, by file extension; every sheet of a workbook that has a
    recognisable header is read."""
    lower = source_file.lower()
    kwargs = {"school": school, "year": year, "seen_students": seen_students}
    if lower.endswith(".xlsx"):
        records: list[dict] = []
        for title, rows in read_xlsx_sheets(content, source_file):
            records.extend(parse_rows(rows, source_file, sheet=title, **kwargs))
        encoding = None
    elif lower.endswith(".csv"):
        rows, encoding = read_csv(content, source_file)
        records = parse_rows(rows, source_file, **kwargs)
    else:
        raise SourceError("unsupported school export format (save it as .xlsx or .csv)", where=source_file)
    declared = bool(CORRECTION.search(Path(source_file).name))
    for rec in records:
        rec["_declared_correction"] = rec.get("_declared_correction") or declared
    return records, encoding


# ----------------------------------------------------------------------------------- corrections

_FIGURES = (*COUNT_FIELDS, "major_name")


def resolve_versions(records: list[dict], file_rank: dict[str, int] | None = None) -> None:
    """Mark every countable record that a later one for the same school × year × major replaces
    (`superseded_by`), and flag the winner `is_correction` when the figures differ. In place."""
    file_rank = file_rank or {}
    groups: dict[tuple, list[dict]] = {}
    for rec in records:
        if rec["record_kind"] in ("summary", "student_level") and rec["parse_error"] is None:
            groups.setdefault((rec["school"], rec["year"], rec["major_code"]), []).append(rec)
    for versions in groups.values():
        if len(versions) < 2:
            continue
        versions.sort(
            key=lambda r: (
                bool(r.get("_declared_correction")),
                file_rank.get(r["source_file"], 0),
                r["source_file"],
                r["sheet"] or "",
                r["source_row"],
            )
        )
        winner = versions[-1]
        for old in versions[:-1]:
            changed = [k for k in _FIGURES if k != "major_name" and old[k] != winner[k]]
            old["superseded_by"] = f"{winner['source_file']}#{winner['source_row']}"
            old["parse_error_field"] = ", ".join(changed) or None
            if changed:
                winner["is_correction"] = True
        log.info(
            "%s %s %s: %d versions, %s#%s wins%s",
            winner["school"],
            winner["year"],
            winner["major_code"],
            len(versions),
            winner["source_file"],
            winner["source_row"],
            " (figures corrected)" if winner["is_correction"] else "",
        )


def _finish(records: list[dict]) -> list[dict]:
    """Records in the landing shape: internal keys dropped, nothing personal."""
    out = []
    for rec in records:
        out.append({k: rec.get(k) for k in RECORD_KEYS if k not in PERSONAL_KEYS})
    return out


# ----------------------------------------------------------------------------------- one file


def parse_school_file(path: Path, school: str | None = None, year: int | None = None) -> dict:
    """One export as the `talent schools parse` contract: rows per major and quarantined cells.

    `{"rows": [{"school", "year", "major_code", "major_name", "enrolment", "graduates",
    "destinations": {"employed", "further_study", "military", "not_placed"}, "in_field"}],
    "quarantined": [{"sheet", "row", "field", "reason"}]}`; counts are integers, null where the
    file does not say. A student-level file comes out aggregated, with no personal data."""
    path = Path(path)
    records, _ = parse_export(path.read_bytes(), path.name, school=school, year=year)
    resolve_versions(records)
    rows, quarantined = [], []
    for rec in sorted(records, key=lambda r: (r["sheet"] or "", r["source_row"])):
        if rec["parse_error"] is not None:
            quarantined.append(
                {
                    "sheet": rec["sheet"],
                    "row": rec["source_row"],
                    "field": rec["parse_error_field"],
                    "reason": rec["parse_error"],
                }
            )
        elif rec["superseded_by"] is not None:
            quarantined.append(
                {
                    "sheet": rec["sheet"],
                    "row": rec["source_row"],
                    "field": rec["parse_error_field"] or "major_code",
                    "reason": f"superseded by a later row for the same major ({rec['superseded_by']})",
                }
            )
        else:
            rows.append(
                {
                    "school": rec["school"],
                    "year": rec["year"],
                    "major_code": rec["major_code"],
                    "major_name": rec["major_name"],
                    "enrolment": rec["enrolment"],
                    "graduates": rec["graduates"],
                    "destinations": {k: rec[k] for k in DESTINATIONS},
                    "in_field": rec["in_field"],
                }
            )
    rows.sort(key=lambda r: (str(r["school"]), r["year"] or 0, str(r["major_code"])))
    return {"rows": rows, "quarantined": quarantined}


# ----------------------------------------------------------------------------------- landing


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
    source `school_records`. An inbox file byte-identical to a downloaded one is read once; a
    student-level file is aggregated and its bytes are not kept."""
    settings = config.get("schools") or {}
    index_url = settings.get("index_url")
    client = client or HttpClient.from_config(config)
    sources: list[tuple[str, bytes, str, int]] = []  # (name under files/, bytes, origin, rank)

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
            sources.append((posixpath.basename(_link_path(url)), result.content, url, 0))
    inbox_paths = _inbox_files(Path(inbox_dir) if inbox_dir else None)
    for path in inbox_paths:
        # Inbox files are sent after publication (late reports, corrections): they rank later.
        sources.append((f"inbox/{path.name}", path.read_bytes(), str(path), 1))
    if not sources:
        raise SourceError(
            "no school exports: index_url not configured and the inbox is empty",
            where=str(inbox_dir) if inbox_dir else config.get("config_path"),
        )

    records: list[dict] = []
    files: dict[str, bytes] = {}
    names: set[str] = set()
    rank: dict[str, int] = {}
    seen_sha: dict[str, str] = {}
    seen_students: set[str] = set()
    for name, content, origin, origin_rank in sources:
        sha = hashlib.sha256(content).hexdigest()
        if sha in seen_sha:
            log.info("%s is byte-identical to %s; read once", origin, seen_sha[sha])
            continue
        if name in names:
            # Two different files with one base name: keep both, the second under its full URL path.
            name = (
                _link_path(origin).lstrip("/") if "://" in origin else f"inbox/{sha[:8]}-{Path(origin).name}"
            )
        seen_sha[sha] = origin
        names.add(name)
        rank[name] = origin_rank
        rows, encoding = parse_export(content, name, seen_students=seen_students)
        if encoding:
            _note_encoding(client.fetch_log, origin, encoding)
        if is_student_level(rows):
            log.info("school export %s is student-level: aggregated, the file itself is not kept", origin)
        else:
            files[name] = content
        log.info("school export %s: %d records (encoding %s)", origin, len(rows), encoding or "xlsx")
        records.extend(rows)
    resolve_versions(records, rank)
    records.sort(key=lambda r: (r["source_file"], r["sheet"] or "", r["source_row"], r["record_kind"]))
    return land(
        "school_records", partition, _finish(records), files, raw_dir=raw_dir, fetches=client.fetch_log
    )


def _note_encoding(fetches: Iterable[dict], url: str, encoding: str) -> None:
    """Record the encoding the CSV was actually read with (the server's header may be wrong)."""
    for entry in fetches:
        if entry.get("url") == url:
            entry["encoding"] = encoding
