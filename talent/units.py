"""Months and numbers: the two units every figure in the warehouse, the forecast and the report is
counted in. One definition each, so the report, the forecast and `talent run` agree on what the
month before 2026-01 is and on how a missing, NaN or infinite value prints.

Months travel as ``YYYY-MM`` strings (sortable, JSON-able, what people type on the command line).
Numbers read from marts may be NULL, NaN, Decimal, numpy scalars or ints; `to_number` turns all of
them into an optional float, and the ``fmt_*`` helpers print that optional float for people:
``—`` for missing, thousands separators, and a true minus sign (U+2212) in Chinese typesetting."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MISSING = "—"
MINUS = "−"  # U+2212: a hyphen-minus reads as a dash in CJK typesetting


class MonthFormatError(ValueError):
    pass


# -------------------------------------------------------------------------------------------- months


def check_month(month: Any) -> str:
    """``month`` as a clean ``YYYY-MM`` string, or MonthFormatError naming what was given."""
    if not isinstance(month, str) or not MONTH_RE.match(month.strip()):
        raise MonthFormatError(f"month must look like YYYY-MM (e.g. 2026-10), got {month!r}")
    return month.strip()


def month_key(value: Any) -> str:
    """``YYYY-MM`` of a date, datetime or date-like string (``2026-10-01`` → ``2026-10``)."""
    if isinstance(value, date):  # datetime is a date too
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)[:7]


def shift_month(month: str, months: int) -> str:
    """The month ``months`` after ``month`` (negative: before), across year ends."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_cn(month: str) -> str:
    """``2026-03`` → ``2026年3月``."""
    return f"{int(month[:4])}年{int(month[5:7])}月"


def first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


# ------------------------------------------------------------------------------------------- numbers


def to_number(value: Any) -> float | None:
    """An optional finite float: None for NULL, NaN, ±inf and anything that is not a number."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def to_int(value: Any) -> int:
    """A count for display or arithmetic: missing counts as 0, fractions round half to even."""
    number = to_number(value)
    return 0 if number is None else int(round(number))


def growth(new: Any, old: Any) -> float | None:
    """Relative change ``new / old − 1``; None when either is missing or the base is not positive."""
    new, old = to_number(new), to_number(old)
    if new is None or old is None or old <= 0:
        return None
    return new / old - 1


def fmt_int(value: Any) -> str:
    """A count as a whole number with thousands separators (``203.0`` → ``203``), losses with U+2212."""
    number = to_number(value)
    if number is None:
        return MISSING
    whole = int(round(number))
    return f"{MINUS if whole < 0 else ''}{abs(whole):,}"


# Columns that count people or ads. Some marts store counts as doubles (graduates apportioned from
# majors to occupations keep 2 decimals), but "203.00 人" reads as a measurement: counts print whole.
COUNT_COLUMN_RE = re.compile(
    r"(^|_)(postings|headcount|graduates|employed|employed_local|enrolment|gap|count|schools|rows|landings)$"
)


def is_count_column(column: str) -> bool:
    return bool(COUNT_COLUMN_RE.search(column))


def fmt_cell(column: str, value: Any) -> str:
    """A mart value in a generic table: counts whole, ratios with 2 decimals, 是/否 for flags."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    number = to_number(value)
    if number is None:
        return MISSING
    if column == "year" or column.endswith(("_year", "rank")):
        return str(int(number))  # a year or a rank is a label: 2026, not 2,026
    if is_count_column(column) or isinstance(value, int):
        return fmt_int(number)
    return fmt_num(number, 2)


def fmt_num(value: Any, digits: int = 1) -> str:
    number = to_number(value)
    return MISSING if number is None else f"{number:,.{digits}f}"


def fmt_pct(value: Any, digits: int = 1, signed: bool = False) -> str:
    """A share as a percentage (0.123 → ``12.3%``); ``signed`` adds ``+`` to gains. Losses always
    carry the true minus sign."""
    number = to_number(value)
    if number is None:
        return MISSING
    text = f"{abs(number) * 100:.{digits}f}%"
    if number < 0 and text.strip("0.%"):
        return MINUS + text
    if signed and number > 0 and text.strip("0.%"):
        return "+" + text
    return text


def nice_step(raw: float) -> float:
    """The axis step of 1, 2 or 5 × 10ⁿ at or above ``raw`` (> 0)."""
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10**exponent
