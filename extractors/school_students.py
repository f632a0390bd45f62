"""Student-level school sheets (one row per graduate: 姓名, 身份证号, 手机号, 专业, 毕业去向, 就业单位 …)
aggregated on arrival into the same per-major counts the summary exports give.

Personal data stops here: names, ID numbers, phone numbers, student numbers and employers are read
into memory only to classify and count, and nothing derived from them is returned except counts.
A student listed twice (same ID number, in one file or across the files of one extraction run) is
counted once; the match uses a salted SHA-256 of the ID number, and the salt is drawn fresh for
each process and never written, so the hashes cannot be reversed or joined with anything outside
the run. Rows that cannot be counted (unknown destination, no major, a repeated student) come back
as problem records naming sheet, row and field — never a personal value."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

_SALT = secrets.token_bytes(16)

# Column keys a student-level sheet may carry besides the shared ones (school, year, major_*).
STUDENT_ALIASES: dict[str, tuple[str, ...]] = {
    "student_name": ("姓名", "学生姓名", "毕业生姓名"),
    "id_number": ("身份证号", "身份证号码", "身份证", "公民身份号码"),
    "phone": ("手机号", "手机号码", "联系电话", "电话", "联系方式"),
    "student_no": ("学号", "学籍号"),
    "gender": ("性别",),
    "class_name": ("班级",),
    "destination": ("毕业去向", "去向", "就业去向", "毕业去向类别", "去向类别"),
    "employer": ("就业单位", "单位名称", "工作单位", "就业单位名称"),
    "work_place": ("就业地点", "就业地区", "工作地点", "单位所在地", "就业城市"),
    "in_field_flag": ("是否对口", "专业对口", "是否专业对口", "对口就业"),
}
# Keys whose values are personal and must never leave this module.
PERSONAL_KEYS = ("student_name", "id_number", "phone", "student_no", "employer")

# 毕业去向 wording → destination. Checked in order; the first pattern found in the text wins, so
# "待就业" is tested before "就业" and "不就业拟升学" counts as not placed.
DESTINATION_PATTERNS: tuple[tuple[str, str], ...] = (
    ("not_placed", r"待就业|未就业|暂不就业|不就业|求职中|拟升学|待业"),
    ("military", r"参军|入伍|应征"),
    ("further_study", r"升学|专升本|升本|深造|单招|留学|升入"),
    ("employed", r"就业|创业|签约|劳动合同|自由职业|灵活|录用|入职|聘用"),
)
_YES = {"是", "对口", "y", "yes", "1", "√", "✓"}
_NO = {"否", "不对口", "n", "no", "0", "×", "✗"}
# A place counts as local when it names the city or one of its county-level units.
LOCAL_PLACES = ("巴中", "巴州", "恩阳", "通江", "南江", "平昌")


def classify_destination(text: str) -> str | None:
    text = unicodedata.normalize("NFKC", text).strip()
    for key, pattern in DESTINATION_PATTERNS:
        if re.search(pattern, text):
            return key
    return None


def student_key(id_number: str) -> str:
    """Salted hash of an ID number: the same student gives the same key within this process only."""
    normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", id_number)).upper()
    return hashlib.sha256(_SALT + normal.encode()).hexdigest()


@dataclass
class Group:
    school: str | None
    year: int | None
    major_code: str | None
    major_name: str | None
    reported: str | None
    first_row: int
    sheet: str | None
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "graduates": 0,
            "employed": 0,
            "further_study": 0,
            "military": 0,
            "not_placed": 0,
        }
    )
    in_field: int | None = None
    employed_local: int | None = None


def aggregate_students(
    rows: Sequence[Sequence[object]],
    data_start: int,
    mapping: dict[int, str],
    *,
    source_file: str,
    sheet: str | None,
    resolve: Callable[
        [dict[str, str]], tuple[str | None, int | None, str | None, str | None, str | None, str | None]
    ],
    is_summary_row: Callable[[Sequence[object]], bool],
    cell_text: Callable[[object], str],
    seen: set[str] | None = None,
) -> list[dict]:
    """Per-major records plus problem records from a student sheet (rows index 0 = sheet row 1).

    `resolve(texts)` returns (school, year, major_code, major_name, reported_code, error) for a
    row's non-personal texts; `seen` carries student keys across the files of one run."""
    seen = seen if seen is not None else set()
    columns = set(mapping.values())
    has_in_field = "in_field_flag" in columns
    has_place = "work_place" in columns
    groups: dict[tuple, Group] = {}
    problems: list[dict] = []

    def problem(row: int, fld: str, reason: str, texts: dict[str, str]) -> None:
        problems.append(
            {
                "record_kind": "student_row",
                "school": texts.get("school") or None,
                "year": None,
                "major_code": None,
                "major_name": texts.get("major_name") or None,
                "source_file": source_file,
                "source_row": row,
                "sheet": sheet,
                "parse_error": reason,
                "parse_error_field": fld,
            }
        )

    for index in range(data_start, len(rows)):
        row = rows[index]
        cells = {key: (row[col] if col < len(row) else None) for col, key in mapping.items()}
        texts = {key: cell_text(value) for key, value in cells.items()}
        if not any(texts.values()) or is_summary_row(row):
            continue
        if not any(texts.get(k) for k in ("destination", "major_name", "major_code", *PERSONAL_KEYS)):
            continue  # a note under the table
        line = index + 1
        public = {k: v for k, v in texts.items() if k not in PERSONAL_KEYS}
        if texts.get("id_number"):
            key = student_key(texts["id_number"])
            if key in seen:
                problem(
                    line,
                    "id_number",
                    "the same student (matched by ID number) is listed again; counted once",
                    public,
                )
                continue
            seen.add(key)
        destination = classify_destination(texts.get("destination", ""))
        if destination is None:
            reason = (
                "毕业去向 is empty" if not texts.get("destination") else "毕业去向 is not a known destination"
            )
            problem(line, "destination", reason, public)
            continue
        school, year, code, name, reported, error = resolve(public)
        if error:
            fld = (
                error.split(" ", 1)[0]
                if error.split(" ", 1)[0] in ("school", "year", "major_code")
                else "major_code"
            )
            problem(line, fld, error, public)
            continue
        group = groups.get((school, year, code))
        if group is None:
            group = groups[(school, year, code)] = Group(school, year, code, name, reported, line, sheet)
        group.counts["graduates"] += 1
        group.counts[destination] += 1
        if destination == "employed":
            if has_in_field:
                flag = texts.get("in_field_flag", "").lower()
                group.in_field = (group.in_field or 0) + (1 if flag in _YES else 0)
                if flag and flag not in _YES | _NO:
                    problem(
                        line,
                        "in_field_flag",
                        "是否对口 is neither 是 nor 否; counted as not in field",
                        public,
                    )
            if has_place:
                place = texts.get("work_place", "")
                group.employed_local = (group.employed_local or 0) + (
                    1 if any(p in place for p in LOCAL_PLACES) else 0
                )
    records = []
    for group in groups.values():
        # Columns the sheet has but nobody employed: zero, not unknown.
        in_field = group.in_field if group.in_field is not None else (0 if has_in_field else None)
        local = group.employed_local if group.employed_local is not None else (0 if has_place else None)
        records.append(
            {
                "record_kind": "student_level",
                "school": group.school,
                "year": group.year,
                "major_code": group.major_code,
                "major_name": group.major_name,
                "major_code_reported": group.reported,
                "enrolment": None,  # a list of graduates does not say how many enrolled
                **group.counts,
                "in_field": in_field,
                "employed_local": local,
                "source_file": source_file,
                "source_row": group.first_row,
                "sheet": sheet,
                "parse_error": None,
                "parse_error_field": None,
            }
        )
    return records + problems
