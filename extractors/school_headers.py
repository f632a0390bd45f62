"""What the rows of a school export are: the header spellings real Chinese school statistics use
(and where the header row is), and which rows under or above the table are notes, sources or a
personal footer rather than data. `extractors.school_cells` reads the cells themselves.

Vocabulary (issue 12.4). Two measures of students must not be confused:
- intake (招生数, 新生数, 入学人数) is `enrolment`, the cohort's size when it entered; graduates
  cannot exceed it;
- on-roll (在校生数, 在校学生数, 在籍生数) is `on_roll`, everyone studying at the school in the major
  at the statistics date, every grade together: a different count, kept apart and never compared
  with graduates.
Rates (就业率, 对口就业率) are what the school reports; they are read as fractions 0..1 whether written
"95.2%", 95.2 under a heading ending in (%) or 0.952, and cross-checked against the counts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.school_students import STUDENT_ALIASES

# Contract key → header spellings seen in exports (compared after NFKC, removing spaces and a
# trailing unit such as (人) or (%); see `normal_key`).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "school": ("学校", "学校名称", "院校", "院校名称", "学校全称"),
    "year": ("年份", "毕业年份", "届别", "年度", "毕业年度", "届次"),
    "major_code": ("专业代码", "专业编码", "专业代号", "专业编号"),
    "major_name": ("专业名称", "专业", "专业名", "所学专业"),
    "enrolment": (
        "招生人数",
        "招生数",
        "入学人数",
        "招生规模",
        "该届招生人数",
        "新生数",
        "新生人数",
        "录取人数",
    ),
    "on_roll": ("在校生数", "在校学生数", "在校生人数", "在校人数", "在籍生数", "在籍学生数", "在籍人数"),
    "graduates": ("毕业生数", "毕业人数", "毕业生人数", "毕业生总数", "毕业生"),
    "employed": ("就业人数", "就业数", "已就业人数", "就业"),
    "further_study": ("升学人数", "升学数", "升学"),
    "military": ("参军人数", "参军入伍人数", "入伍人数", "应征入伍人数", "参军", "参军入伍"),
    "not_placed": ("待就业人数", "未就业人数", "待就业数", "待就业", "未就业"),
    # In a student list 对口就业 heads the 是否对口 flag instead (find_header tells them apart).
    "in_field": ("对口就业人数", "专业对口就业人数", "对口就业数", "对口就业"),
    "employed_local": ("本地就业人数", "本地就业数", "市内就业人数", "本市就业人数", "本地就业"),
    "employment_rate_reported": ("就业率", "毕业生就业率", "初次就业率", "就业率(含升学)"),
    "in_field_rate_reported": ("对口就业率", "专业对口就业率", "专业对口率", "对口率"),
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
    "on_roll",
)
RATE_FIELDS = ("employment_rate_reported", "in_field_rate_reported")
DESTINATIONS = ("employed", "further_study", "military", "not_placed")
# Every landed record has exactly these keys (contract section 2).
RECORD_KEYS = (
    "school",
    "year",
    "major_code",
    "major_name",
    *COUNT_FIELDS,
    *RATE_FIELDS,
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

# Rows that are not the table. Checked on the first non-empty cell of a row, footer first: "填表人"
# is a person, "填表说明" a note. A footer names who filled the form in and how to reach them: it is
# never kept. A note (注/说明/数据来源/备注/填表说明/单位：人) is kept, masked, as the file's metadata.
_FOOTER = re.compile(
    r"^(?:填表人|填报人|制表人|统计人|审核人|审批人|负责人|单位负责人|分管领导|经办人|联系人|联系电话|"
    r"电话|手机|座机|邮箱|电子邮箱|e-?mail|身份证|签字|签名|盖章|\(?公章|填表日期|填报日期|制表日期|报送日期)",
    re.IGNORECASE,
)
_NOTE = re.compile(
    r"^(?:注|说明|备注|附注|数据来源|资料来源|来源|填表说明|统计说明|单位)(?:\s*\d*[:：.、．)）\s]|$)"
)


def normal_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _strip_unit(key: str) -> str:
    """ "就业人数(人)" → "就业人数", "就业率(%)" → "就业率", "就业率%" → "就业率"."""
    return re.sub(r"(?:\((?:人|名|个|%|％)\)|%|％)$", "", key)


def header_says_percent(value: object) -> bool:
    return bool(re.search(r"[%％]", normal_key(cell_text(value))))


_ALIAS_TO_KEY = {normal_key(a): k for k, aliases in HEADER_ALIASES.items() for a in aliases}
_STUDENT_ALIAS_TO_KEY = {normal_key(a): k for k, aliases in STUDENT_ALIASES.items() for a in aliases}
_SUB_TO_KEY = {normal_key(a): k for k, aliases in SUB_ALIASES.items() for a in aliases}


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _lookup(table: dict[str, str], value: object) -> str | None:
    text = normal_key(cell_text(value))
    return table.get(text) or table.get(_strip_unit(text))


def _header_key(value: object) -> str | None:
    return _lookup(_ALIAS_TO_KEY, value) or _lookup(_STUDENT_ALIAS_TO_KEY, value)


def is_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return bool(re.fullmatch(r"-?\d[\d,]*(\.\d+)?%?", cell_text(value)))


def row_kind(row: Sequence[object]) -> str | None:
    """ "footer" or "note" when the row's first non-empty cell starts like one, else None."""
    first = next((cell_text(v) for v in row if cell_text(v)), "")
    if not first:
        return None
    key = normal_key(first)
    if _FOOTER.match(key):
        return "footer"
    if _NOTE.match(key):
        return "note"
    return None


@dataclass(frozen=True)
class Header:
    index: int  # 0-based row of the (first) header row
    data_start: int  # 0-based row of the first data row
    mapping: dict[int, str]  # column -> key
    percent_columns: frozenset[int] = frozenset()  # columns whose heading says the unit is %

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
        percent: set[int] = set()
        for col, value in enumerate(row):
            key = _header_key(value)
            if key and key not in mapping.values():
                mapping[col] = key
                if header_says_percent(value):
                    percent.add(col)
        if len(mapping) < 3:
            continue
        data_start = index + 1
        if data_start < len(rows):
            below = rows[data_start]
            sub: dict[int, str] = {}
            for col, value in enumerate(below):
                key = _lookup(_ALIAS_TO_KEY, value) or _lookup(_SUB_TO_KEY, value)
                if key:
                    sub[col] = key
                    if header_says_percent(value):
                        percent.add(col)
            if len(sub) >= 2 and not any(is_number(v) for v in below):
                # A sub-header names its column; the cell above it was a group label (毕业去向 over
                # 就业 | 升学 …), even when that label happens to be a known name itself.
                for col, key in sub.items():
                    if key not in (k for c, k in mapping.items() if c != col):
                        mapping[col] = key
                data_start += 1
        if "destination" in mapping.values() and "graduates" not in mapping.values():
            # A student list: its 对口就业 column says 是/否 per student, not a count.
            mapping = {c: ("in_field_flag" if k == "in_field" else k) for c, k in mapping.items()}
        return Header(index, data_start, mapping, frozenset(percent))
    return None
