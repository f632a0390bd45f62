"""Section 八: the shortage-occupation list of the latest period that had ended by the report month,
from marts.report_shortage_occupations (shortage_occupations as of the report month) when it exists."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.units import month_key, to_number

SHORTAGE_LABELS = {
    "rank": "排名",
    "shortage_rank": "排名",
    "period": "期间",
    "year": "年份",
    "month": "月份",
    "occupation_code": "职业代码",
    "occupation_name": "职业名称",
    "occupation": "职业",
    "industry": "行业",
    "demand_postings": "招聘岗位数",
    "demand_headcount": "招聘人数",
    "supply_graduates": "毕业生数",
    "demand_supply_ratio": "需求/供给比",
    "gap": "缺口",
    "rank_change": "排名变化",
    "previous_rank": "上期排名",
    "shortage_flag": "紧缺",
}
SHOWN = 20


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    number = to_number(value) if not isinstance(value, str) else None
    if number is not None and not isinstance(value, int):
        return f"{number:,.2f}"
    return "" if value is None else str(value)


def shortage_section(month: str, shortage: Table | None) -> dict[str, Any]:
    if shortage is None or not shortage.rows:
        return {"available": False, "rows": [], "headers": []}
    records = shortage.records()
    period_col = next((c for c in ("period", "month", "year") if c in shortage.columns), None)
    period_text = ""
    if period_col:
        # The latest period that had ended by the report month (a year counts from its own year).
        def key(value: Any) -> str:
            return month_key(value) if period_col != "year" else f"{int(value):04d}-01"

        periods = sorted({key(r[period_col]) for r in records if r[period_col] is not None})
        eligible = [p for p in periods if p <= month] or periods
        chosen = eligible[-1]
        records = [r for r in records if r[period_col] is not None and key(r[period_col]) == chosen]
        period_text = str(next(iter(records))[period_col]) if records else ""
    rank_col = next((c for c in ("rank", "shortage_rank") if c in shortage.columns), None)
    if rank_col:
        records.sort(key=lambda r: (to_number(r[rank_col]) is None, to_number(r[rank_col]) or 0.0))
    shown_cols = [c for c in shortage.columns if not c.endswith("_id") and c != period_col][:8]
    return {
        "available": True,
        "period": period_text,
        "headers": [SHORTAGE_LABELS.get(c, c) for c in shown_cols],
        "rows": [[_cell(r[c]) for c in shown_cols] for r in records[:SHOWN]],
        "count": len(records),
    }
