"""Pay and experience as job ads write them: ranges, open ends, 千/万/k units, 13薪, yearly, daily and
hourly pay turned into monthly yuan; experience as years, Chinese numerals included. Each reader
returns None for what it cannot read (a guessed figure is a silent error). Used by
`extractors.job_boards.normalize`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    # NFKC folds full-width digits, letters and "～" so one set of patterns covers both widths.
    # Cached: the normaliser folds one ad's title and description once per reader (a dozen times).
    return unicodedata.normalize("NFKC", text)


# ---------------------------------------------------------------------------------------------
# salary

WORKING_DAYS_PER_MONTH = 21.75  # the statutory monthly average (人社部 2008)
HOURS_PER_DAY = 8
HOURS_PER_MONTH = WORKING_DAYS_PER_MONTH * HOURS_PER_DAY  # 174
_UNITS = {"k": 1000, "千": 1000, "w": 10000, "万": 10000, "元": 1, None: 1}
_NUM = r"(\d+(?:\.\d+)?)\s*(k|千|万|w|元)?"
_RANGE = re.compile(_NUM + r"\s*(?:-|~|至|到|—|–|－)+\s*" + _NUM)
_SINGLE = re.compile(_NUM)
_MONTHS = re.compile(r"(\d{1,2})\s*薪")
# "待遇优厚" (generous pay) names no amount but is no promise to negotiate either: a parse error.
_NEGOTIABLE = re.compile(r"面议|面谈|议薪|negotiable")
_YEARLY = re.compile(r"年薪|/年|每年|元年|万年|/yr")
_DAILY = re.compile(r"日薪|/天|/日|每天|元天|元日|日结")
_HOURLY = re.compile(r"时薪|/小时|/时|每小时|元时")
_OPEN_LOW = re.compile(r"以上|起|及以上|\+|不低于|最低")
_OPEN_HIGH = re.compile(r"以下|以内|封顶|最高|不超过")


def _tidy(text: str) -> str:
    return fold(text).lower().replace(",", "").replace("，", "").replace(" ", "")


def _number(value: float) -> float | int:
    value = round(value, 2)
    return int(value) if value == int(value) else value


def salary_fields(text: str | None) -> dict[str, Any]:
    """salary_min, salary_max (CNY per month), salary_months, salary_negotiable, salary_parse_error.

    6-8K·13薪 → 6000, 8000, 13; 1.5万-2万 → 15000, 20000, 12; 10-15万/年 → 8333.33, 12500, 12;
    200元/天 → 4350 (×21.75); 25元/小时 → 4350 (×174); 5000元以上 → 5000, None; 面议 → nulls and
    negotiable. salary_months is 12 unless the text says "13薪" etc., and null when no amount is
    known. Text that carries no readable amount gives nulls and a salary_parse_error naming it."""
    out: dict[str, Any] = {
        "salary_min": None,
        "salary_max": None,
        "salary_months": None,
        "salary_negotiable": False,
        "salary_parse_error": None,
    }
    if text is None or not str(text).strip():
        return out
    s = _tidy(str(text))
    months = None
    m = _MONTHS.search(s)
    if m:
        months = int(m.group(1))
        s = s[: m.start()] + s[m.end() :]
    if _NEGOTIABLE.search(s) and not re.search(r"\d", s.replace("面议", "")):
        out["salary_negotiable"] = True
        out["salary_months"] = months
        return out
    if "面议" in s:
        out["salary_negotiable"] = True  # "3000-5000元，可面议": an amount and room to negotiate

    if _YEARLY.search(s):
        per_month = 1 / 12
    elif _DAILY.search(s):
        per_month = WORKING_DAYS_PER_MONTH
    elif _HOURLY.search(s):
        per_month = HOURS_PER_MONTH
    else:
        per_month = 1.0

    lo = hi = None
    r = _RANGE.search(s)
    if r:
        lo_v, lo_u, hi_v, hi_u = r.groups()
        # "6-8K", "1.5-2万": a unit written once applies to both ends ("8千-1.2万" keeps its own).
        lo_u = lo_u or hi_u
        hi_u = hi_u or lo_u
        lo = float(lo_v) * _UNITS[lo_u] * per_month
        hi = float(hi_v) * _UNITS[hi_u] * per_month
        if lo > hi:
            lo, hi = hi, lo
    else:
        single = _SINGLE.search(s)
        if not single:
            out["salary_parse_error"] = f"no amount in salary text {text!r}"
            return out
        value = float(single.group(1)) * _UNITS[single.group(2)] * per_month
        head, tail = s[: single.start()], s[single.end() :]
        if _OPEN_LOW.search(tail) or re.search(r"不低于|最低|底薪|保底", head):
            lo = value
        elif _OPEN_HIGH.search(tail) or re.search(r"最高|不超过", head):
            hi = value
        else:
            lo = hi = value

    # Below 100 CNY a month is not a wage: a bare "6-8" whose unit the board dropped. Better
    # unknown than off by a factor of 1000.
    if any(v is not None and v < 100 for v in (lo, hi)):
        out["salary_parse_error"] = f"amount without a unit in salary text {text!r}"
        return out
    out["salary_min"] = _number(lo) if lo is not None else None
    out["salary_max"] = _number(hi) if hi is not None else None
    out["salary_months"] = months or 12
    return out


def parse_salary(text: str | None) -> tuple[float | int | None, float | int | None, int | None]:
    """(salary_min, salary_max, salary_months); all None when unreadable, missing or 面议."""
    f = salary_fields(text)
    return f["salary_min"], f["salary_max"], f["salary_months"]


# ---------------------------------------------------------------------------------------------
# experience

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_number(text: str) -> str:
    """ "三" → "3", "十" → "10", "十五" → "15": enough for years of experience."""

    def one(m: re.Match) -> str:
        s = m.group(0)
        if s == "十":
            return "10"
        if s.startswith("十"):
            return str(10 + _CN_DIGITS.get(s[1], 0))
        if s.endswith("十"):
            return str(_CN_DIGITS.get(s[0], 1) * 10)
        if "十" in s:
            a, b = s.split("十")
            return str(_CN_DIGITS.get(a, 1) * 10 + _CN_DIGITS.get(b, 0))
        return "".join(str(_CN_DIGITS[c]) for c in s)

    return re.sub(r"[零一二两三四五六七八九十]+", one, text)


def experience_years(text: str | None) -> tuple[int | None, int | None]:
    """(experience_min_years, experience_max_years).

    1-3年 → (1, 3); 5年以上 → (5, None); 1年以下 → (0, 1); 不限/无经验 → (0, None);
    应届生 → (0, 0); unreadable or missing → (None, None)."""
    if not text or not str(text).strip():
        return None, None
    s = _cn_number(fold(str(text)).replace(" ", ""))
    if re.search(r"应届|在校|实习生|毕业生", s):
        return 0, 0
    if re.search(r"不限|无经验|无需经验|无要求|不要求|经验不限|零基础|接受小白|可无经验", s):
        return 0, None
    r = re.search(r"(\d+(?:\.\d+)?)\s*(?:年)?\s*(?:-|~|至|到|—|–)\s*(\d+(?:\.\d+)?)\s*年", s)
    if r:
        lo, hi = float(r.group(1)), float(r.group(2))
        return int(min(lo, hi)), int(max(lo, hi) + 0.999)
    one = re.search(r"(\d+(?:\.\d+)?)\s*年", s)
    if one:
        years = float(one.group(1))
        tail = s[one.end() :]
        if re.match(r"\s*(?:以下|以内|内)", tail):
            return 0, int(years + 0.999)
        # "3年以上", "3年及以上", "3年经验", "3年": at least 3
        return int(years), None
    months = re.search(r"(\d+)\s*个?月", s)
    if months:
        # "6个月以上": some experience, under a year
        return 0, 1
    return None, None
