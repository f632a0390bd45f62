"""School exports: graduates' destinations per school, graduation year (2021–2025) and major.

Each school exports the way its own office does: the college sends XLSX with a title row above
the header, 通江县职业高级中学 sends GB18030 CSV (an old Excel "save as CSV"), 南江县小河职业中学
UTF-8 CSV with a byte-order mark, the others plain UTF-8 CSV. Counts always add up:
就业 + 升学 + 参军 + 待就业 = 毕业生数, 对口就业 ≤ 就业, 本地就业 ≤ 就业. One school left the two
optional columns empty in its first year (it did not track them yet), which the contract allows.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import datetime
from random import Random

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sample_sources import vocabulary as vocab

GRADUATION_YEARS = tuple(range(2021, 2026))
HEADER = (
    "学校",
    "年份",
    "专业代码",
    "专业名称",
    "招生人数",
    "毕业生数",
    "就业人数",
    "升学人数",
    "参军人数",
    "待就业人数",
    "对口就业人数",
    "本地就业人数",
)
# (school, year) exports without 对口就业人数 / 本地就业人数.
UNTRACKED = {("南江县职业中学", 2021)}
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _rows(rng: Random, school: str, level: str, majors: tuple, year: int) -> list[list]:
    rows = []
    for code, name, first_year, base in majors:
        if year < first_year:
            continue
        enrolment = round(base * (1 + 0.03 * (year - 2021)) * rng.uniform(0.88, 1.12))
        graduates = round(enrolment * rng.uniform(0.86, 0.97))
        # Most 中职 graduates go on to study (对口升学, 单招); in 高职 it is 专升本, a minority.
        further = round(graduates * (rng.uniform(0.45, 0.72) if level == "中职" else rng.uniform(0.06, 0.2)))
        military = round(graduates * rng.uniform(0.005, 0.03))
        not_placed = round(graduates * rng.uniform(0.02, 0.09))
        employed = graduates - further - military - not_placed
        in_field: int | None = round(employed * rng.uniform(0.45, 0.82))
        local: int | None = round(employed * rng.uniform(0.22, 0.55))
        if (school, year) in UNTRACKED:
            in_field = local = None
        rows.append(
            [
                school,
                year,
                code,
                name,
                enrolment,
                graduates,
                employed,
                further,
                military,
                not_placed,
                in_field,
                local,
            ]
        )
    return rows


def _csv_text(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # files come from Excel on Windows
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def _xlsx_bytes(school: str, year: int, rows: list[list]) -> bytes:
    """XLSX with a title row, made byte-stable: openpyxl stamps the save time into the file."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}届"
    sheet.append([f"{school}{year}届毕业生去向统计表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(row)
    moment = datetime(year, 9, 15, 9, 0, 0)
    workbook.properties.creator = f"{school}招生就业处"
    workbook.properties.created = moment
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_schools(site: dict[str, bytes], headers: dict[str, str], seed: int) -> dict:
    """Add every export and `/schools/index.html` to `site`; GB18030 files get a charset header."""
    rng = Random(f"{seed}:schools")
    links = []
    total_rows = graduates = 0
    by_year = {str(year): 0 for year in GRADUATION_YEARS}
    gb18030 = []
    for school, level, kind, pattern, majors in vocab.SCHOOLS:
        for year in GRADUATION_YEARS:
            rows = _rows(rng, school, level, majors, year)
            name = pattern.format(year=year)
            path = f"/schools/files/{name}"
            if kind == "xlsx":
                site[path] = _xlsx_bytes(school, year, rows)
            elif kind == "csv-gb18030":
                site[path] = _csv_text(rows).encode("gb18030")
                headers[path] = "text/csv; charset=GB18030"
                gb18030.append(path)
            elif kind == "csv-utf8-bom":
                site[path] = _csv_text(rows).encode("utf-8-sig")
            else:
                site[path] = _csv_text(rows).encode("utf-8")
            links.append((name, f"{school}{year}届毕业生去向统计"))
            total_rows += len(rows)
            year_graduates = sum(row[5] for row in rows)
            graduates += year_graduates
            by_year[str(year)] += year_graduates
    items = "\n".join(f'<li><a href="files/{name}">{html.escape(label)}</a></li>' for name, label in links)
    site["/schools/index.html"] = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>职业院校毕业生去向数据报送</title>\n</head>\n<body>\n"
        "<h1>职业院校毕业生去向数据报送</h1>\n"
        "<p>各职业院校按年度报送的毕业生去向统计表（汇总数据，不含学生个人信息）。</p>\n"
        f'<ul class="files">\n{items}\n</ul>\n</body>\n</html>\n'
    ).encode()
    return {
        "files": len(links),
        "rows": total_rows,
        "graduates_total": graduates,
        "graduates_by_year": by_year,
        "gb18030_paths": gb18030,
    }
