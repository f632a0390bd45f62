"""Section 一、本月要点: the headline cards and the top-industry table of the report month, formatted
from marts.report_headline_monthly and marts.report_top_industries_monthly."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.units import MINUS, MISSING, fmt_int, fmt_pct, month_cn, month_key, shift_month, to_int, to_number

TOP_INDUSTRIES = 5


def _change(delta: Any, base: Any, pct: Any) -> dict[str, Any] | None:
    """A change against a base month, in figures and in words; None when the base is unknown."""
    if base is None:
        return None
    delta, base, pct = to_int(delta), to_int(base), to_number(pct)
    sign = "+" if delta >= 0 else MINUS
    text = f"{sign}{abs(delta):,}" + ("" if pct is None else f"（{sign}{abs(pct) * 100:.1f}%）")
    if delta == 0:
        words = "持平"
    elif pct is None:
        words = f"{'增加' if delta > 0 else '减少'} {abs(delta):,} 条"
    else:
        words = f"{'增长' if delta > 0 else '下降'} {abs(pct) * 100:.1f}%"
    return {"delta": delta, "base": base, "base_text": f"{base:,}", "pct": pct, "text": text, "words": words}


def headline_section(month: str, headline: Table) -> dict[str, Any]:
    """The report month's headline figures (the mart has a row for every month in the data)."""
    row = next((r for r in headline.records() if month_key(r["month"]) == month), None)
    if row is None:
        row = {k: None for k in headline.columns}
    salary = to_number(row["salary_median"])
    return {
        "postings": to_int(row["postings"]),
        "postings_text": fmt_int(to_int(row["postings"])),
        "headcount": to_int(row["headcount"]),
        "headcount_text": fmt_int(to_int(row["headcount"])),
        "postings_with_salary_text": fmt_int(to_int(row["postings_with_salary"])),
        "salary_median": None if salary is None else int(round(salary)),
        "salary_median_text": MISSING if salary is None else fmt_int(salary),
        "prev_cn": month_cn(shift_month(month, -1)),
        "last_year_cn": month_cn(shift_month(month, -12)),
        "mom": _change(row["mom_change"], row["previous_month_postings"], row["mom_change_pct"]),
        "yoy": _change(row["yoy_change"], row["last_year_postings"], row["yoy_change_pct"]),
    }


def top_industries_section(month: str, top_industries: Table) -> list[dict[str, Any]]:
    """The month's five industries with most postings (rank order), leaving out any with none."""
    rows = [
        r
        for r in top_industries.records()
        if month_key(r["month"]) == month and to_int(r["industry_rank"]) <= TOP_INDUSTRIES
    ]
    rows.sort(key=lambda r: to_int(r["industry_rank"]))
    return [
        {
            "industry": str(r["industry"]),
            "postings_text": fmt_int(r["postings"]),
            "share_text": fmt_pct(r["postings_share"]),
            "headcount_text": fmt_int(r["headcount"]),
        }
        for r in rows
        if to_int(r["postings"]) > 0
    ]
