"""Sections 三 (economic and supply context cards) and 四 (the supply–demand gap table), from
marts.report_regional_indicators, marts.report_graduates and marts.report_gap_by_industry: each as of
the report month (bulletins published by then, the cohorts known then, demand up to the month)."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.report.text import plain_number, ratio_text
from talent.settings import CITY
from talent.units import MINUS, MISSING, fmt_int, fmt_pct, month_cn, to_int, to_number


def _latest_by_indicator(indicators: list[dict[str, Any]], name: str, max_year: int) -> dict[str, Any] | None:
    # Prefer the city's own rows; fall back to any region so a renamed region still shows something.
    rows = [
        r
        for r in indicators
        if r["indicator"] == name
        and r["year"] is not None
        and int(r["year"]) <= max_year
        # superseded vintages of a revised figure are history, not the figure to quote
        and r.get("is_latest_vintage") is not False
    ]
    city = [r for r in rows if r["region"] == CITY]
    rows = [r for r in (city or rows) if to_number(r["value"]) is not None]
    return max(rows, key=lambda r: (int(r["year"]), str(r["region"]))) if rows else None


def indicator_cards(indicators: Table, report_year: int) -> list[dict[str, Any]]:
    records = indicators.records()
    cards = []
    spec = (
        ("gdp", "地区生产总值", "亿元"),
        ("resident_population", "年末常住人口", "万人"),
        ("urbanization_rate_pct", "常住人口城镇化率", "%"),
    )
    growth = _latest_by_indicator(records, "gdp_growth_pct", report_year)
    for key, label, default_unit in spec:
        row = _latest_by_indicator(records, key, report_year)
        if row is None:
            continue
        # value_text keeps the bulletin's own digits (261.30, not 261.3).
        shown = row.get("value_text") or plain_number(to_number(row["value"]))
        unit = row.get("unit") or default_unit
        sub = f"{row['year']}年统计公报"
        if key == "gdp" and growth is not None and growth["year"] == row["year"]:
            sub += f"，比上年增长 {growth.get('value_text') or plain_number(to_number(growth['value']))}%"
        cards.append(
            {
                "key": key,
                "label": f"{label}（{row['year']}年）",
                "raw": plain_number(to_number(row["value"])),
                "text": f"{shown}{'' if unit == '%' else ' '}{unit}",
                "sub": sub,
            }
        )
    return cards


def supply_cards(graduates: Table) -> list[dict[str, Any]]:
    """The cards of the newest cohort known at the report month (marts.report_graduates)."""
    if not graduates.rows:
        return []
    row = graduates.records()[0]
    year = row["year"]
    total = to_int(row["graduates"])
    sub = f"{row['schools']} 所院校 {year} 届合计"
    return [
        {
            "key": "graduates",
            "label": f"职业院校毕业生（{year}届）",
            "raw": str(total),
            "text": f"{fmt_int(total)} 人",
            "sub": sub,
        },
        {
            "key": "placement_rate",
            "label": f"毕业去向落实率（{year}届）",
            "raw": plain_number(to_number(row["placement_rate"])),
            "text": fmt_pct(row["placement_rate"]),
            "sub": sub,
        },
        {
            "key": "local_retention_rate",
            "label": f"本地就业率（{year}届）",
            "raw": plain_number(to_number(row["local_rate"])),
            "text": fmt_pct(row["local_rate"]),
            "sub": "本地就业人数占就业人数",
        },
    ]


# marts.report_gap_by_industry.gap_status (dbt_project/macros/gap_status.sql) in the 判断 column's words.
GAP_STATUS_CN = {
    "shortage": "紧缺",
    "tight": "偏紧",
    "surplus": "供大于求",
    "oversupply": "供给过剩",
    "no_supply": "无毕业生数据",
    "no_data": "无数据",
}


def _judgement(row: dict[str, Any]) -> str:
    status = row.get("gap_status")
    if status is None:  # a warehouse built before the column: the shortage flag is all it knows
        return "紧缺" if row["shortage_flag"] else MISSING
    return GAP_STATUS_CN.get(str(status), str(status))


def _signed(value: Any) -> str:
    number = to_number(value)
    if number is None:
        return MISSING
    return f"{'+' if number > 0 else MINUS if number < 0 else ''}{abs(int(round(number))):,}"


def gap_section(gap_by_industry: Table, month: str, first: str) -> dict[str, Any] | None:
    """The gap table of one year from marts.report_gap_by_industry (already as of the report month)."""
    gap_rows = gap_by_industry.records()
    report_year = int(month[:4])
    years = sorted({int(r["year"]) for r in gap_rows if r["year"] is not None})
    if not years:
        return None

    def has_supply(year: int) -> bool:
        return any(int(r["year"]) == year and (to_number(r["supply_graduates"]) or 0) > 0 for r in gap_rows)

    # Prefer the newest calendar year that had ended by the report month and has graduates on record:
    # the yearly demand would otherwise be partial, and a year without graduates shows every industry
    # as "no supply", which says nothing.
    complete = [y for y in years if y < report_year or month.endswith("-12")]
    candidates = (
        [y for y in complete if has_supply(y)] or complete or [y for y in years if has_supply(y)] or years
    )
    year = candidates[-1]
    rows = [r for r in gap_rows if r["year"] is not None and int(r["year"]) == year]
    rows.sort(
        key=lambda r: (
            to_number(r["demand_supply_ratio"]) is None,
            -(to_number(r["demand_supply_ratio"]) or 0),
            str(r["industry"]),
        )
    )
    # Say plainly when the demand side does not cover the whole year.
    covered_from, covered_to = max(first, f"{year}-01"), min(month, f"{year}-12")
    note = ""
    if (covered_from, covered_to) != (f"{year}-01", f"{year}-12"):
        note = f"{year}年需求仅含{month_cn(covered_from)}至{month_cn(covered_to)}的数据，不满全年。"
    return {
        "year": year,
        "note": note,
        "rows": [
            {
                "industry": r["industry"],
                "demand_postings": fmt_int(r["demand_postings"]),
                "demand_headcount": fmt_int(r["demand_headcount"]),
                "supply_graduates": fmt_int(r["supply_graduates"]),
                "supply_employed_local": fmt_int(r["supply_employed_local"]),
                "ratio": ratio_text(r["demand_supply_ratio"]),
                "gap": _signed(r["gap"]),
                "shortage": bool(r["shortage_flag"]),
                "judgement": _judgement(r),
            }
            for r in rows
        ],
    }
