"""Reading one school export into records: find the header, sort the rows into title, header, data,
subtotal, note and footer, and turn every data row into one record per school × year × major with
the contract's English keys (docs/school_records.md). Student-level sheets go to
`extractors.school_students`; the checks a record must pass live in `extractors.school_checks`.

Besides the records, reading an export says what else the file holds (`Export.layout`): title rows,
notes (注/说明/数据来源/备注/填表说明, kept masked as the file's metadata) and footers (填表人, 电话,
邮箱, 身份证 …, never kept). The landing keeps a file byte for byte only when it is nothing but the
table; otherwise it keeps this layout (`extractors.schools`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from extractors.errors import SourceError
from extractors.privacy import find_personal_data, scrub
from extractors.school_cells import (
    CORRECTION,
    COUNT_FIELDS,
    FIELDS,
    HEADER_SEARCH_ROWS,
    RATE_FIELDS,
    RECORD_KEYS,
    SUMMARY,
    Header,
    cell_text,
    find_header,
    is_number,
    normal_key,
    parse_count,
    parse_major_code,
    parse_rate,
    parse_year,
    rate_column_in_percent,
    read_csv,
    read_xlsx_sheets,
    row_kind,
)
from extractors.school_checks import consistency, subtotal_problems, year_problem
from extractors.school_reference import load_catalogue, resolve_major
from extractors.school_students import aggregate_students

log = logging.getLogger("extractors.schools")

_SCHOOL_RE = re.compile(r"^(.+?(?:学院|学校|中学|职中|职高))")


def school_year_in(text: str) -> tuple[str | None, int | None]:
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


def is_summary_row(row: Sequence[object]) -> bool:
    for value in row:
        if value is None or is_number(value):
            continue
        text = normal_key(cell_text(value))
        if text and len(text) <= 20 and SUMMARY.search(text):
            return True
    return False


def blank_record(source_file: str, source_row: int | None, sheet: str | None) -> dict:
    rec: dict = dict.fromkeys(RECORD_KEYS)
    rec.update(source_file=source_file, source_row=source_row, sheet=sheet, is_correction=False)
    return rec


@dataclass
class Export:
    """One file as read: its records, the CSV encoding (None for XLSX), and what else it holds."""

    records: list[dict] = field(default_factory=list)
    encoding: str | None = None
    layout: list[dict] = field(default_factory=list)  # {"sheet", "row", "kind", "cells"?}, masked
    only_table: bool = True  # nothing but header, data and subtotal rows
    student_level: bool = False

    @property
    def notes(self) -> list[str]:
        return [
            " ".join(str(c) for c in e["cells"] if c not in (None, ""))
            for e in self.layout
            if e["kind"] == "note"
        ]


@dataclass(frozen=True)
class _Context:
    source_file: str
    sheet: str | None
    school: str | None  # from the options, else title, else file name
    year: int | None
    override: bool  # school/year came from the caller: they beat the table's own columns
    as_of: date  # the data date: no cohort graduating after it is accepted


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
    out_of_window = year_problem(year, ctx.as_of)
    if out_of_window:
        errors.append(("year", out_of_window))
    name = texts.get("major_name") or None
    match = resolve_major(parse_major_code(cells.get("major_code")), name, load_catalogue().level_of(school))
    if match.error:
        errors.append(("major_code", match.error))
    return school, year, match.major_code, name, match.reported, errors


def _masked_cells(row: Sequence[object]) -> list[object]:
    """A row's cells as JSON values with personal data masked (a phone typed into a 备注 cell)."""
    out: list[object] = []
    for value in row:
        if value is None:
            out.append(None)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(scrub(str(value)) if find_personal_data(str(value)) else value)
        else:
            out.append(scrub(cell_text(value)))
    while out and out[-1] in (None, ""):
        out.pop()
    return out


def _layout_entry(sheet: str | None, index: int, kind: str, row: Sequence[object] | None = None) -> dict:
    entry: dict = {"sheet": sheet, "row": index + 1, "kind": kind}
    if row is not None:
        entry["cells"] = _masked_cells(row)
    return entry


def read_sheet(
    rows: Sequence[Sequence[object]],
    source_file: str,
    *,
    sheet: str | None = None,
    school: str | None = None,
    year: int | None = None,
    seen_students: set[str] | None = None,
    as_of: date | None = None,
) -> Export:
    """Records and layout of a sheet's rows (index 0 = sheet row 1). `school`/`year`, when given,
    override the table; otherwise they are the fallback for rows that lack them (title, file name)."""
    header = find_header(rows)
    if header is None:
        raise SourceError(
            "no header row with the known column names (学校, 年份, 专业代码, 毕业生数, …) "
            f"in the first {HEADER_SEARCH_ROWS} rows",
            where=source_file,
        )
    out = Export()
    title_rows = []
    for index in range(header.index):
        kind = row_kind(rows[index]) or ("title" if any(cell_text(v) for v in rows[index]) else None)
        if kind == "title":
            title_rows.append(rows[index])
        if kind:
            out.layout.append(_layout_entry(sheet, index, kind, None if kind == "footer" else rows[index]))
    out.layout.extend(
        _layout_entry(sheet, i, "header", rows[i]) for i in range(header.index, header.data_start)
    )
    title = " ".join(cell_text(v) for row in title_rows for v in row if cell_text(v))
    title_school, title_year = school_year_in(title)
    name_school, name_year = school_year_in(Path(source_file).stem)
    ctx = _Context(
        source_file=source_file,
        sheet=sheet,
        school=school or title_school or name_school,
        year=year or title_year or name_year,
        override=bool(school or year),
        as_of=as_of or date.today(),
    )
    keys = header.keys
    if header.student_level:
        if not keys & {"major_code", "major_name"}:
            raise SourceError(
                "student-level sheet without a 专业 or 专业代码 column",
                where=source_file,
                row=header.index + 1,
                field="major_code",
            )
        out.records = _student_records(rows, header, ctx, seen_students)
        out.student_level = True
        out.only_table = False
        return out
    _require_columns(header, ctx)
    _read_table(rows, header, ctx, title, out)
    out.only_table = all(e["kind"] in ("header", "data", "subtotal") for e in out.layout)
    return out


def _require_columns(header: Header, ctx: _Context) -> None:
    keys = header.keys
    missing = [k for k in ("graduates",) if k not in keys]
    if not keys & {"major_code", "major_name"}:
        missing.insert(0, "major_code")
    if missing:
        raise SourceError(
            f"header lacks required columns {missing}",
            where=ctx.source_file,
            row=header.index + 1,
            field=",".join(missing),
        )
    if "year" not in keys and ctx.year is None:
        raise SourceError(
            "no 年份 column and no year in a title row or the file name (pass the year)",
            where=ctx.source_file,
            row=header.index + 1,
            field="year",
        )
    absent = [k for k in FIELDS if k not in keys]
    if absent:
        log.info("%s: columns not present, left null: %s", ctx.source_file, ", ".join(absent))


def _read_table(
    rows: Sequence[Sequence[object]], header: Header, ctx: _Context, title: str, out: Export
) -> None:
    rate_columns = {col: key for col, key in header.mapping.items() if key in RATE_FIELDS}
    in_percent = {
        col: rate_column_in_percent(
            [r[col] for r in rows[header.data_start :] if col < len(r)], col in header.percent_columns
        )
        for col in rate_columns
    }
    block: list[dict] = []  # detail rows since the last 小计
    detail: list[dict] = []  # every detail row of the sheet
    skipped: dict[str, int] = {}
    for index in range(header.data_start, len(rows)):
        row = rows[index]
        cells = {key: (row[col] if col < len(row) else None) for col, key in header.mapping.items()}
        texts = {key: cell_text(value) for key, value in cells.items()}
        if not any(cell_text(v) for v in row):
            continue  # blank line
        kind = row_kind(row)
        if kind is None and is_summary_row(row):
            label = "合计" if re.search(r"合计|总计|总数", "".join(cell_text(v) for v in row)) else "小计"
            bad = _check_subtotal(cells, detail if label == "合计" else block, index + 1, label, ctx)
            if bad:
                out.records.append(bad)
            if label == "小计":
                block = []
            kind = "subtotal"
        elif kind is None and not any(texts.get(k) for k in (*COUNT_FIELDS, "major_code", "major_name")):
            kind = "unrecognised"  # text under the table that is neither data, a note nor a footer
        if kind is not None:
            skipped[kind] = skipped.get(kind, 0) + 1
            out.layout.append(
                _layout_entry(ctx.sheet, index, kind, row if kind in ("note", "subtotal") else None)
            )
            continue
        out.layout.append(_layout_entry(ctx.sheet, index, "data", row))
        rec = _data_record(cells, texts, ctx, index, rate_columns, in_percent, row)
        rec["_declared_correction"] = bool(CORRECTION.search(title))
        out.records.append(rec)
        block.append(rec)
        detail.append(rec)
    if skipped:
        log.info(
            "%s: rows not read as data: %s",
            ctx.source_file,
            ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items())),
        )


def _data_record(
    cells: dict[str, object],
    texts: dict[str, str],
    ctx: _Context,
    index: int,
    rate_columns: dict[int, str],
    in_percent: dict[int, bool],
    row: Sequence[object],
) -> dict:
    rec = blank_record(ctx.source_file, index + 1, ctx.sheet)
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
    rates = {}
    for col, key in rate_columns.items():
        rate, problem = parse_rate(row[col] if col < len(row) else None, in_percent[col])
        if problem:
            errors.append((key, f"{key}: {problem}"))
        elif rate is not None:
            rec[key] = rate.value
            rates[key] = rate
    errors.extend(consistency(rec, rates))
    if errors:
        rec["parse_error"] = scrub("; ".join(e for _, e in errors))
        rec["parse_error_field"] = ", ".join(dict.fromkeys(f for f, _ in errors))
        log.warning("%s row %d: %s", ctx.source_file, index + 1, rec["parse_error"])
    return rec


def _check_subtotal(
    cells: dict[str, object], parts: list[dict], row: int, label: str, ctx: _Context
) -> dict | None:
    """A quarantine record when a 合计/小计 row disagrees with the rows it sums, else None."""
    wrong = subtotal_problems(cells, parts)
    if not wrong:
        return None
    rec = blank_record(ctx.source_file, row, ctx.sheet)
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
        is_summary_row=is_summary_row,
        cell_text=cell_text,
        seen=seen,
    )
    records = []
    for rec in out:
        full = blank_record(ctx.source_file, rec["source_row"], ctx.sheet)
        full.update({k: v for k, v in rec.items() if k in full})
        full["school"] = full["school"] or ctx.school
        full["year"] = full["year"] or ctx.year
        if full["record_kind"] == "student_level":
            errors = consistency(full)
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


def file_problem(source_file: str, exc: SourceError, sheet: str | None = None) -> dict:
    """The record that stands for a file (or sheet) that could not be read at all, so the validator
    quarantines it naming file, row and field, and the run goes on with the other files."""
    rec = blank_record(source_file, exc.row, sheet)
    rec.update(
        record_kind="file",
        parse_error=scrub(f"file not read: {exc.reason}"),
        parse_error_field=exc.field if exc.field and "," not in exc.field else "file",
    )
    rec["_declared_correction"] = False
    log.warning("%s%s: not read: %s", source_file, f" [{sheet}]" if sheet else "", exc)
    return rec


def read_export(
    content: bytes,
    source_file: str,
    *,
    school: str | None = None,
    year: int | None = None,
    seen_students: set[str] | None = None,
    as_of: date | None = None,
    keep_going: bool = False,
) -> Export:
    """One export, by file extension; every sheet of a workbook that has a recognisable header is
    read. With `keep_going`, a sheet that cannot be read becomes a `file_problem` record instead of
    stopping the file (a file that cannot be opened at all still raises)."""
    lower = source_file.lower()
    kwargs = {"school": school, "year": year, "seen_students": seen_students, "as_of": as_of}
    if lower.endswith(".xlsx"):
        export = Export(only_table=False)  # a workbook holds more than its table: properties, styles
        for title, rows in read_xlsx_sheets(content, source_file):
            try:
                part = read_sheet(rows, source_file, sheet=title, **kwargs)
            except SourceError as exc:
                if not keep_going:
                    raise
                export.records.append(file_problem(source_file, exc, title))
                continue
            export.records.extend(part.records)
            export.layout.extend(part.layout)
            export.student_level = export.student_level or part.student_level
    elif lower.endswith(".csv"):
        rows, encoding = read_csv(content, source_file)
        export = read_sheet(rows, source_file, **kwargs)
        export.encoding = encoding
    else:
        raise SourceError("unsupported school export format (save it as .xlsx or .csv)", where=source_file)
    declared = bool(CORRECTION.search(Path(source_file).name))
    for rec in export.records:
        rec["_declared_correction"] = rec.get("_declared_correction") or declared
    return export
