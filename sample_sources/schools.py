"""School exports: graduates' destinations per school, graduation year (2019–2025) and major.

The index page publishes 2021–2025; the inbox (`_inbox/schools/`, not served, copied into the
warehouse inbox by `stage_inbox`) holds what schools send by hand: the 2019–2020 archive in the old
major codes, a correction, a student-level list, and rows the pipeline must quarantine.

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


def _stable_xlsx(workbook: Workbook, moment: datetime, creator: str) -> bytes:
    """Workbook bytes made stable: openpyxl stamps the save time into the file."""
    workbook.properties.creator = creator
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


def _xlsx_bytes(school: str, year: int, rows: list[list]) -> bytes:
    """XLSX with a title row above the header."""
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
    return _stable_xlsx(workbook, datetime(year, 9, 15, 9, 0, 0), f"{school}招生就业处")


def write_schools(site: dict[str, bytes], headers: dict[str, str], seed: int) -> dict:
    """Add every export and `/schools/index.html` to `site`; GB18030 files get a charset header."""
    rng = Random(f"{seed}:schools")
    links = []
    total_rows = graduates = 0
    by_year = {str(year): 0 for year in GRADUATION_YEARS}
    gb18030 = []
    published: dict[tuple, list] = {}
    for school, level, kind, pattern, majors in vocab.SCHOOLS:
        for year in GRADUATION_YEARS:
            rows = _rows(rng, school, level, majors, year)
            published.update({(school, year, row[2]): row for row in rows})
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
        # what the index page publishes (2021-2025)
        "files": len(links),
        "rows": total_rows,
        "graduates_total": graduates,
        "graduates_by_year": by_year,
        "gb18030_paths": gb18030,
        # what the inbox adds (2019-2020, bad rows, a correction, a student list) and what the
        # supply mart must hold once both have landed
        "inbox": write_school_inbox(site, seed, published),
    }


# --------------------------------------------------------------------------------------------------
# The inbox: files schools send by hand rather than publish. Not served; `stage_inbox` copies them
# into the warehouse's inbox folder, as a person would.

ARCHIVE_YEARS = (2019, 2020)
INBOX_DIR = "_inbox/schools"
# 2021 code -> (pre-2021 code, pre-2021 name) as the schools wrote them before the 2021 catalogue
# (must agree with dbt_project/seeds/major_code_changes.csv; tests check it).
OLD_CODES = {
    "460301": ("560301", "机电一体化技术"),
    "460102": ("560102", "机械制造与自动化"),
    "510101": ("610101", "电子信息工程技术"),
    "510201": ("610201", "计算机应用技术"),
    "490201": ("590201", "药品生产技术"),
    "490204": ("590203", "中药制药技术"),
    "520201": ("620201", "护理"),
    "540101": ("640101", "旅游管理"),
    "540106": ("640105", "酒店管理"),
    "530701": ("630801", "电子商务"),
    "530605": ("630701", "市场营销"),
    "660301": ("051300", "机电技术应用"),
    "710102": ("091300", "电子技术应用"),
    "710201": ("090100", "计算机应用"),
    "720101": ("100100", "护理"),
    "720201": ("100600", "药剂"),
    "730701": ("121100", "电子商务"),
    "740101": ("130100", "旅游服务与管理"),
    "740104": ("130200", "高星级饭店运营与管理"),
    "740201": ("130700", "中餐烹饪与营养膳食"),
    "700206": ("082500", "汽车运用与维修"),
    "610111": ("011500", "农产品保鲜与加工"),
    "770101": ("160100", "学前教育"),
}
# 专业大类 of the college's majors, for the subtotal rows of its archive workbook.
_DIVISIONS = {
    "46": "装备制造大类",
    "51": "电子与信息大类",
    "49": "食品药品与粮食大类",
    "52": "医药卫生大类",
    "54": "旅游大类",
    "53": "财经商贸大类",
}
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞宇浩然欣怡子涵雨轩"
_EMPLOYERS = ("巴中市某机械厂", "四川某电子有限公司", "成都某餐饮管理公司", "巴中某汽车服务中心", "某幼儿园")
_PLACES = ("巴中市巴州区", "巴中市恩阳区", "南江县", "成都市", "重庆市", "广州市")


def _archive_rows(rng: Random, school: str, level: str, majors: tuple, year: int) -> list[list]:
    """The school's rows for a pre-2021 year, written with the old codes and names."""
    # Majors the vocabulary starts in 2021 were already taught: 2021 is the first published year.
    older = tuple(
        (code, name, ARCHIVE_YEARS[0] if first <= 2021 else first, base) for code, name, first, base in majors
    )
    rows = _rows(rng, school, level, older, year)
    for row in rows:
        row[2], row[3] = OLD_CODES[row[2]]
    return rows


def _college_archive_xlsx(school: str, year: int, rows: list[list], wrong_subtotal: bool) -> bytes:
    """The college's own layout: title, two-row merged header (毕业去向 over four columns), rows grouped
    by 专业大类 with 小计 rows, a 合计 row and notes under the table; no 学校/年份 columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "毕业去向"
    top = [
        "序号",
        "专业大类",
        "专业代码",
        "专业名称",
        "该届招生人数",
        "毕业生数",
        "毕业去向",
        None,
        None,
        None,
        "对口就业人数",
        "本地就业人数",
    ]
    sub = [None] * 6 + ["就业", "升学", "参军入伍", "待就业", None, None]
    sheet.append([f"{school}{year}届毕业生去向统计表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(top))
    sheet.append(top)
    sheet.append(sub)
    sheet.merge_cells(start_row=2, start_column=7, end_row=2, end_column=10)
    for col in (1, 2, 3, 4, 5, 6, 11, 12):
        sheet.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    groups: dict[str, list[list]] = {}
    for row in rows:
        new_code = next(code for code, (old, _name) in OLD_CODES.items() if old == row[2])
        groups.setdefault(_DIVISIONS[new_code[:2]], []).append(row)
    number = 0
    first_subtotal = True
    for division, members in groups.items():
        for row in members:
            number += 1
            sheet.append([number, division, row[2], row[3], *row[4:]])
        sums = [sum(r[i] for r in members) for i in range(4, 12)]
        if wrong_subtotal and first_subtotal:
            sums[1] += 10  # a typed-over subtotal: 毕业生数 10 too high
        first_subtotal = False
        sheet.append([None, f"{division} 小计", None, None, *sums])
    sheet.append([None, "合计", None, None, *[sum(r[i] for r in rows) for i in range(4, 12)]])
    sheet.append([])
    sheet.append(["注：1. 就业含灵活就业；2. 统计截至当年8月31日；3. 招生人数为该届学生入学时人数。"])
    sheet.append(["填表单位：招生就业处"])
    return _stable_xlsx(workbook, datetime(year, 9, 20, 9, 0, 0), f"{school}招生就业处")


def _fake_id(rng: Random, year: int) -> str:
    body = f"5119{rng.randint(21, 23):02d}{year - 19}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + rng.choice("0123456789X")


def _student_list_xlsx(rng: Random, school: str, year: int, rows: list[list]) -> tuple[bytes, dict]:
    """A student-level list (姓名, 身份证号, 手机号 …) whose counts are the summary `rows`, plus one
    student listed twice. Returns the bytes and what the pipeline must never let out of the extractor."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "毕业生名单"
    sheet.append([f"{school}{year}届毕业生就业去向名单"])
    sheet.append(
        ["序号", "姓名", "性别", "身份证号", "手机号", "专业", "毕业去向", "就业单位", "就业地点", "是否对口"]
    )
    students = []
    for row in rows:
        (
            _school,
            _year,
            _code,
            name,
            _enrol,
            graduates,
            employed,
            further,
            military,
            not_placed,
            in_field,
            local,
        ) = row
        kinds = (
            ["签约就业"] * employed
            + ["升学（对口升学）"] * further
            + ["应征入伍"] * military
            + ["待就业"] * not_placed
        )
        for i, kind in enumerate(kinds):
            employed_here = i < employed
            students.append(
                [
                    rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(("", rng.choice(_GIVEN))),
                    rng.choice("男女"),
                    _fake_id(rng, year),
                    f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}",
                    name,
                    kind,
                    rng.choice(_EMPLOYERS) if employed_here else "",
                    (_PLACES[i % 3] if i < local else _PLACES[3 + i % 3]) if employed_here else "",
                    ("是" if i < in_field else "否") if employed_here else "",
                ]
            )
    rng.shuffle(students)
    twice = students[7]
    students.insert(40, list(twice))  # the same student pasted twice: counted once, quarantined once
    for number, student in enumerate(students, start=1):
        sheet.append([number, *student])
    personal = {
        "names": sorted({s[0] for s in students}),
        "id_numbers": sorted({s[2] for s in students}),
        "phones": sorted({s[3] for s in students}),
        "duplicate_rows": 1,
    }
    return _stable_xlsx(workbook, datetime(year, 9, 25, 9, 0, 0), f"{school}学生科"), personal


def write_school_inbox(site: dict[str, bytes], seed: int, http_rows: dict[tuple, list]) -> dict:
    """Add the inbox files under `/_inbox/schools/` (not served) and return their truth.

    - 2019 and 2020 exports of every school in the old (pre-2021) codes: the college's as a workbook
      with merged headers and subtotals, 通江's as GB18030 CSV, 南江县职业中学's 2020 as a student list;
    - bad rows the pipeline must quarantine: a code in no catalogue, a count written in words,
      graduates above enrolment, a subtotal that does not add up, a student listed twice;
    - a correction of 巴中市职业中学's 2024 export (two majors' figures changed).
    `http_rows` maps (school, year, code) to the published row; the truth says which rows the supply
    mart must end up with."""
    rng = Random(f"{seed}:school-inbox")
    files: list[str] = []
    expected = {key: row[5] for key, row in http_rows.items()}
    quarantined: list[dict] = []
    personal: dict = {}
    for school, level, kind, pattern, majors in vocab.SCHOOLS:
        for year in ARCHIVE_YEARS:
            rows = _archive_rows(rng, school, level, majors, year)
            for row in rows:
                new_code = next(code for code, (old, _n) in OLD_CODES.items() if old == row[2])
                expected[(school, year, new_code)] = row[5]
            bad: list[list] = []
            if (school, year) == ("巴中市职业中学", 2019):
                bad.append([school, year, "999999", "未列入目录的专业", 40, 35, 20, 12, 1, 2, 10, 8])
                quarantined.append({"school": school, "year": year, "field": "major_code"})
            if (school, year) == ("南江县小河职业中学", 2019):
                bad.append([school, year, "100600", "药剂", 60, "五十", 20, 25, 1, 4, 10, 8])
                quarantined.append({"school": school, "year": year, "field": "graduates"})
            if (school, year) == ("平昌通用职业技术学校", 2020):
                bad.append([school, year, "180300", "老年人服务与管理", 30, 41, 20, 15, 2, 4, 10, 9])
                quarantined.append({"school": school, "year": year, "field": "graduates"})
            name = f"{INBOX_DIR}/{pattern.format(year=year).rsplit('.', 1)[0]}"
            if kind == "xlsx":
                wrong = year == 2019
                site[f"/{name}.xlsx"] = _college_archive_xlsx(school, year, rows, wrong_subtotal=wrong)
                files.append(f"{name}.xlsx")
                if wrong:
                    quarantined.append({"school": school, "year": year, "field": "graduates"})
            elif (school, year) == ("南江县职业中学", 2020):
                content, personal = _student_list_xlsx(rng, school, year, rows)
                site[f"/{name}_毕业生名单.xlsx"] = content
                files.append(f"{name}_毕业生名单.xlsx")
                quarantined.append({"school": school, "year": year, "field": "id_number"})
            elif kind == "csv-gb18030":
                text = _csv_text(rows + bad).replace("专业代码", "专业编码").replace("毕业生数", "毕业人数")
                totals = [sum(r[i] for r in rows) for i in range(4, 12)]
                text += ",".join(["合计", "", "", "", *map(str, totals)]) + "\r\n"
                site[f"/{name}.csv"] = text.encode("gb18030")
                files.append(f"{name}.csv")
            else:
                site[f"/{name}.csv"] = _csv_text(rows + bad).encode("utf-8")
                files.append(f"{name}.csv")
    # The correction: 巴中市职业中学 re-sends its 2024 export with two majors' figures fixed.
    school, year = "巴中市职业中学", 2024
    fixed = []
    corrected = []
    for (s, y, _code), row in sorted(http_rows.items()):
        if (s, y) != (school, year):
            continue
        row = list(row)
        if len(corrected) < 2:
            # 3 more graduates, all 待就业; enrolment raised too where it would fall below graduates
            row[5] += 3
            row[9] += 3
            row[4] = max(row[4], row[5])
            corrected.append(row[2])
            expected[(school, year, row[2])] = row[5]
        fixed.append(row)
    site[f"/{INBOX_DIR}/bzszz_{year}_更正.csv"] = _csv_text(fixed).encode("utf-8")
    files.append(f"{INBOX_DIR}/bzszz_{year}_更正.csv")
    by_year: dict[str, int] = {}
    for (_s, y, _c), graduates in expected.items():
        by_year[str(y)] = by_year.get(str(y), 0) + graduates
    return {
        "files": sorted(files),
        "quarantined": quarantined,
        "corrected": [f"{year}-{school}-{code}" for code in corrected],
        "student_level": personal,
        "supply": {
            "rows": len(expected),
            "graduates_total": sum(expected.values()),
            "graduates_by_year": dict(sorted(by_year.items())),
            "years": sorted({y for _s, y, _c in expected}),
        },
    }


def stage_inbox(site_dir, inbox_dir) -> list[str]:
    """Copy the sample inbox files into the warehouse inbox folder (what a person dropping files
    does). Idempotent: files already there with the same bytes are left alone."""
    from pathlib import Path

    source = Path(site_dir) / INBOX_DIR
    target = Path(inbox_dir)
    if not source.is_dir():
        return []
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(source.iterdir()):
        destination = target / path.name
        if not destination.exists() or destination.read_bytes() != path.read_bytes():
            destination.write_bytes(path.read_bytes())
            copied.append(path.name)
    return copied
