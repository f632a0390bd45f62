"""Section 八: the shortage-occupation list of the latest period that had ended by the report month,
from marts.report_shortage_occupations (shortage_occupations as of the report month) when it exists,
with the rule that made it (docs/shortage_rule.md; the thresholds live in
dbt_project/macros/shortage_rule.sql and are restated in RULE below)."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.units import MISSING, fmt_cell, fmt_int, fmt_num, month_key, to_number

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
    "supply_graduates": "对口毕业生数",
    "demand_supply_ratio": "求人倍率",
    "gap": "缺口",
    "rank_change": "排名变化",
    "previous_rank": "上期排名",
    "shortage_flag": "紧缺",
    "shortage_status_label": "判定",
    "evidence_label": "证据",
    "supply_cohort_year": "毕业届次",
}
# What the table shows when the mart has these columns; any other table shows its first 8.
PREFERRED = (
    "shortage_rank",
    "occupation_name",
    "industry",
    "demand_postings",
    "demand_headcount",
    "supply_graduates",
    "demand_supply_ratio",
    "shortage_status_label",
    "evidence_label",
)
SHOWN = 20
NUMERIC = frozenset(
    {"shortage_rank", "demand_postings", "demand_headcount", "supply_graduates", "demand_supply_ratio", "gap"}
)

# The rule in the report's words; keep in step with dbt_project/macros/shortage_rule.sql.
RATIO_THRESHOLD = 1.5
MIN_POSTINGS = 5
STRONG_POSTINGS = 20
RULE = (
    "判定规则：以当年去重招聘人数对比最近一届已报告毕业生中对口该职业的人数（按专业—职业对照权重折算），"
    f"求人倍率（招聘人数 ÷ 对口毕业生数）≥ {RATIO_THRESHOLD} 且当年招聘岗位不少于 {MIN_POSTINGS} 条的职业判为“紧缺”；"
    f"岗位不足 {MIN_POSTINGS} 条的为“需求样本不足”；有需求而没有对口毕业生的为“无对口供给（待核实）”，"
    "不判为紧缺（零供给无从比较，需核实专业—职业对照或外地、社会供给）。"
    f"证据：岗位 {STRONG_POSTINGS} 条以上且对比当年毕业生为“证据充分”，其余按比值判断的为“证据一般”，"
    "未按比值判断的为“证据不足”。当年未满时需求只含已过月份，求人倍率偏低，判断偏保守。"
)


def _cell(column: str, value: Any, record: dict[str, Any]) -> str:
    if column == "demand_supply_ratio" and to_number(value) is None:
        # no ratio without graduates to divide by: say why instead of leaving the cell blank
        return "无对口毕业生" if to_number(record.get("supply_graduates")) == 0 else MISSING
    if column == "demand_supply_ratio":
        return fmt_num(value, 2)
    if column in ("shortage_rank", "rank", "previous_rank", "rank_change"):
        return MISSING if to_number(value) is None else str(int(to_number(value) or 0))
    return fmt_cell(column, value)


def _basis(records: list[dict[str, Any]], period_text: str, month: str) -> str:
    """One sentence on what the chosen year's list compares and how many it flags."""
    if not records or "shortage_flag" not in records[0]:
        return ""
    demand = f"{period_text}年"
    if period_text == month[:4] and month[5:] != "12":
        demand += f"1—{int(month[5:])}月"  # the year so far: say so, the ratio is lower than a full year's
    flagged = sum(1 for r in records if r["shortage_flag"])
    cohorts = sorted(
        {int(r["supply_cohort_year"]) for r in records if to_number(r.get("supply_cohort_year"))}
    )
    against = f"对比{cohorts[-1]}届毕业生" if cohorts else "尚无已报告的毕业生届次可对比"
    if cohorts and period_text and str(cohorts[-1]) != period_text:
        against += f"（{period_text}届尚未报告）"
    unverified = sum(1 for r in records if r.get("shortage_status") == "no_mapped_supply")
    text = f"{demand}需求{against}：{fmt_int(len(records))} 个有需求的职业中 {fmt_int(flagged)} 个判为紧缺"
    if unverified:
        text += f"，{fmt_int(unverified)} 个无对口供给待核实"
    return text + "。"


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
    preferred = [c for c in PREFERRED if c in shortage.columns]
    if "shortage_status_label" in preferred:
        shown_cols = preferred
    else:
        shown_cols = [c for c in shortage.columns if not c.endswith("_id") and c != period_col][:8]
    has_rule = "shortage_status" in shortage.columns
    return {
        "available": True,
        "period": period_text,
        "headers": [SHORTAGE_LABELS.get(c, c) for c in shown_cols],
        # counts and ratios right-aligned like every other table's numbers; the name may wrap
        "classes": ["num" if c in NUMERIC else "name" if c == "occupation_name" else "" for c in shown_cols],
        "rows": [[_cell(c, r[c], r) for c in shown_cols] for r in records[:SHOWN]],
        "count": len(records),
        "flagged": sum(1 for r in records if r.get("shortage_flag")),
        "rule": (_basis(records, period_text, month) + RULE) if has_rule else "",
    }
