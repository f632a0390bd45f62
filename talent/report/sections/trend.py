"""Section 二 (图1): monthly postings per industry over the last 36 months (fewer when the data is
younger), from marts.report_top_industries_monthly (the points) and marts.report_industry_trend (the
legend order and totals), drawn with the report's one chart builder."""

from __future__ import annotations

from typing import Any

from talent.report.charts import LineChart, text_width
from talent.report.read import Table
from talent.settings import CITY
from talent.units import fmt_int, month_cn, month_key, shift_month, to_int

# Okabe–Ito colours (readable for colour-blind readers) plus dash patterns so lines stay
# distinguishable on a black-and-white printout.
INDUSTRY_STYLE = {
    "文旅康养": ("#D55E00", ""),
    "食品饮料": ("#E69F00", "6 3"),
    "生物医药": ("#009E73", ""),
    "新材料": ("#0072B2", "6 3"),
    "电子信息": ("#56B4E9", "2 3"),
    "智能制造": ("#CC79A7", ""),
    "其他": ("#999999", "2 3"),
}
FALLBACK_STYLE = (("#000000", "8 3 2 3"), ("#8C564B", ""), ("#7F7F7F", "6 3"), ("#BCBD22", "2 3"))
WIDTH = 960
BOX = (72, 904, 40, 330)  # x0, x1, y0, y1; the right margin leaves room for the last month label


def trend_chart(month: str, first: str, top_industries: Table, industry_trend: Table) -> dict[str, Any]:
    """``top_industries``: the monthly points; ``industry_trend``: the industries of the report month's
    window in legend order with their window totals (marts.report_industry_trend)."""
    start = max(first, shift_month(month, -35))
    months: list[str] = []
    cursor = start
    while cursor <= month:
        months.append(cursor)
        cursor = shift_month(cursor, 1)

    totals: dict[str, dict[str, int]] = {}
    for r in top_industries.records():
        ym = month_key(r["month"])
        if start <= ym <= month:
            totals.setdefault(str(r["industry"]), {})[ym] = to_int(r["postings"])
    # Biggest industries first (the mart's legend_rank) so the legend reads in order of importance.
    window_totals = {str(r["industry"]): r["window_postings"] for r in industry_trend.records()}
    names = list(window_totals)

    peak = max([v for s in totals.values() for v in s.values()] + [0])
    chart = LineChart.scaled(BOX, len(months), peak, ticks=5, min_step=1)
    x0, x1, y0, y1 = BOX
    every = 1 if len(months) <= 12 else 3
    # Count labels back from the report month so it is always labelled.
    xticks = chart.xticks(
        [(i, month_cn(m) if (len(months) - 1 - i) % every == 0 else "") for i, m in enumerate(months)]
    )

    series, legend = [], []
    lx, ly = x0, y1 + 66
    fallback = iter(FALLBACK_STYLE * (len(names) // len(FALLBACK_STYLE) + 1))
    for name in names:
        color, dash = INDUSTRY_STYLE.get(name) or next(fallback)
        values = [totals.get(name, {}).get(m, 0) for m in months]
        series.append(
            {
                "name": name,
                "color": color,
                "dash": dash or "none",
                "points": chart.polyline(values),
                "last_x": f"{chart.x_at(len(months) - 1):.1f}",
                "last_y": f"{chart.y_at(values[-1]):.1f}",
                "total_text": fmt_int(window_totals[name]),
            }
        )
        item_width = 30 + text_width(name) + 24
        if lx + item_width > x1 and lx > x0:
            lx, ly = x0, ly + 22
        legend.append({"x": round(lx, 1), "y": ly, "name": name, "color": color, "dash": dash or "none"})
        lx += item_width

    return {
        "width": WIDTH,
        "height": ly + 24,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "xticks": xticks,
        "yticks": chart.yticks(),
        "series": series,
        "legend": legend,
        "months": len(months),
        "short": len(months) < 36,
        "first_cn": month_cn(months[0]),
        "last_cn": month_cn(months[-1]),
        "title": f"{CITY}分行业月度招聘岗位数（{month_cn(months[0])}—{month_cn(months[-1])}）",
        "desc": "折线图：横轴为月份，纵轴为去重后的招聘岗位数，每条折线代表一个行业。",
    }
