"""Section 二's forecast part and section 五 (fastest-rising occupations), from the report month's run
in marts.demand_forecast, its figures in marts.report_forecast_series (the last and next 12 months and
the change) and the monthly actuals drawn in its charts in marts.report_forecast_history
(docs/forecast.md)."""

from __future__ import annotations

from typing import Any

from talent.report.charts import LineChart
from talent.report.read import Table
from talent.units import (
    MISSING,
    fmt_int,
    fmt_num,
    fmt_pct,
    month_cn,
    month_key,
    shift_month,
    to_number,
)

# The "1+3" leading industries (文旅康养 the lead), then the others the boards classify.
LEADING_INDUSTRIES = ("文旅康养", "食品饮料", "生物医药", "新材料")
MODEL_CN = {
    "SeasonalNaive": "季节性朴素",
    "Naive": "朴素",
    "AutoETS": "指数平滑 ETS",
    "AutoARIMA": "ARIMA",
    "AutoTheta": "Theta",
    "Combination": "等权组合",
    "BottomUp": "行业自下而上汇总",
    "HistoricAverage": "历史均值",
}
FALLBACK_CN = {
    "short": "历史较短，用非季节模型",
    "sparse": "稀疏序列，用非季节模型",
    "too_short": "历史过短，用历史均值",
    "model_error": "模型拟合失败，用历史均值",
}
# County members that are no county (issue 12): forecast so the counties add up to the city, not shown.
NOT_COUNTIES = frozenset({"巴中市", "市本级", "未注明", "市外"})
DIMENSION_CN = {"city": "全市", "industry": "行业", "county": "县区", "occupation": "职业", "skill": "技能"}
WIDTH, HEIGHT = 460, 230
BOX = (56, 444, 34, 190)  # x0, x1, y0, y1


def forecast_chart(
    title: str, history: dict[str, float], rows: list[dict[str, Any]], month: str, first: str
) -> dict[str, Any]:
    """Geometry of one small-multiple chart: 36 months of history, the forecast and its 80/95% bands."""
    start = max(first, shift_month(month, -35))
    hist_months = []
    cursor = start
    while cursor <= month:
        hist_months.append(cursor)
        cursor = shift_month(cursor, 1)
    months = hist_months + [month_key(r["target_month"]) for r in rows]
    hist = [history.get(m, 0.0) for m in hist_months]
    points = [to_number(r["point"]) for r in rows]
    peak = max(hist + [v for v in points if v is not None] + [1.0])
    # Wide 95% bounds would squash the lines flat: the axis stops at 1.8x the largest line value and
    # bands are cut there (the caption says so).
    highs = [h for h in (to_number(r["hi95"]) for r in rows) if h is not None]
    chart = LineChart.scaled(BOX, len(months), min(max(highs + [peak]), peak * 1.8), ticks=4)
    now = len(hist_months) - 1

    def band(lo: str, hi: str) -> str:
        return chart.band((now, hist[-1]), [to_number(r[lo]) for r in rows], [to_number(r[hi]) for r in rows])

    x0, x1, y0, y1 = BOX
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "title": title,
        "yticks": chart.yticks(),
        "xticks": chart.xticks(
            [(i, f"{m[:4]}年") for i, m in enumerate(months) if m.endswith("-01") and 0 < i < len(months) - 3]
        ),
        "history": chart.polyline(hist),
        # The forecast line starts at the last actual month so the two lines join.
        "forecast": chart.polyline([hist[-1]] + points, now),
        "band95": band("lo95", "hi95"),
        "band80": band("lo80", "hi80"),
        "now_x": f"{chart.x_at(now):.1f}",
        "clipped": any(h > chart.top for h in highs),
        "desc": f"{title}：{month_cn(hist_months[0])}至{month_cn(month)}的实际值与此后 {len(rows)} 个月的预测。",
    }


def _series_summary(sid: str, meta: dict[str, Any], month: str) -> dict[str, Any]:
    by_h = {int(r["horizon"]): r for r in meta["rows"]}
    last12, next12, change = (to_number(meta[key]) for key in ("last12", "next12", "change"))
    horizons = []
    for h in (12, 24, 36):
        r = by_h.get(h)
        lo80, hi80 = (to_number(r["lo80"]), to_number(r["hi80"])) if r else (None, None)
        horizons.append(
            {
                "h": h,
                "month_cn": month_cn(shift_month(month, h)),
                "point": fmt_num(r["point"]) if r else MISSING,
                "interval": f"{fmt_num(lo80)}–{fmt_num(hi80)}"
                if lo80 is not None and hi80 is not None
                else MISSING,
                "raw": to_number(r["point"]) if r else None,
                "lo80": lo80,
                "hi80": hi80,
            }
        )
    model = str(meta.get("model") or "")
    base = meta.get("base_model")
    model_text = MODEL_CN.get(model, model)
    if base:
        model_text += f"（区间宽度取自全市{MODEL_CN.get(str(base), str(base))}模型）"
    return {
        "series_id": sid,
        "label": meta["label"],
        "dimension": meta["dimension"],
        "dimension_cn": DIMENSION_CN.get(meta["dimension"], meta["dimension"]),
        "last12": last12 or 0.0,
        "last12_text": fmt_int(last12),
        "next12": next12,
        "next12_text": fmt_int(next12),
        "change": change,
        "change_text": fmt_pct(change, signed=True),
        "horizons": horizons,
        "model": model,
        "model_text": model_text,
        "model_short": MODEL_CN.get(model, model),
        "fallback": meta.get("fallback"),
        "fallback_text": FALLBACK_CN.get(str(meta.get("fallback")), "") if meta.get("fallback") else "",
        "reconciliation": meta.get("reconciliation"),
    }


def forecast_series(
    month: str, demand_forecast: Table | None, figures: Table | None
) -> dict[str, dict[str, Any]]:
    """The report month's forecast rows grouped by series, each series' rows in horizon order, with the
    series' figures from marts.report_forecast_series (``figures``): last12, next12, change."""
    by_series = {str(r["series_id"]): r for r in (figures.records() if figures is not None else [])}
    series: dict[str, dict[str, Any]] = {}
    for r in demand_forecast.records() if demand_forecast is not None else []:
        if month_key(r["run_month"]) != month:
            continue
        figures_of = by_series.get(str(r["series_id"]), {})
        entry = series.setdefault(
            str(r["series_id"]),
            {
                "measure": r["measure"],
                "dimension": r["dimension"],
                "member": r["member"],
                "label": r.get("label") or r["member"],
                "model": r["model"],
                "base_model": r.get("base_model"),
                "fallback": r.get("fallback"),
                "reconciliation": r.get("reconciliation"),
                "last12": figures_of.get("last12"),
                "next12": figures_of.get("next12"),
                "change": figures_of.get("change_pct"),
                "rows": [],
            },
        )
        entry["rows"].append(r)
    for entry in series.values():
        entry["rows"].sort(key=lambda r: int(r["horizon"]))
    return series


def forecast_section(
    month: str, first: str, history: Table | None, series: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """``history``: the charted series' monthly actuals (marts.report_forecast_history, the month's run)."""
    if not series:
        return {"available": False, "groups": [], "summaries": {}}
    actuals: dict[str, dict[str, float]] = {}
    for r in history.records() if history is not None else []:
        actuals.setdefault(str(r["series_id"]), {})[month_key(r["month"])] = to_number(r["postings"]) or 0.0
    summaries: dict[str, dict[str, Any]] = {}
    for sid, entry in series.items():
        if entry["measure"] != "postings" or entry["dimension"] not in ("city", "industry", "county"):
            continue
        if entry["dimension"] == "county" and entry["member"] in NOT_COUNTIES:
            continue
        summaries[sid] = _series_summary(sid, entry, month)
        summaries[sid]["chart"] = forecast_chart(
            f"{entry['label']}（招聘岗位数，条/月）", actuals.get(sid, {}), entry["rows"], month, first
        )

    def ordered(dimension: str) -> list[dict[str, Any]]:
        items = [s for s in summaries.values() if s["dimension"] == dimension]
        if dimension == "industry":
            lead = {name: i for i, name in enumerate(LEADING_INDUSTRIES)}
            return sorted(
                items,
                key=lambda s: (s["label"] not in lead, lead.get(s["label"], 0), -s["last12"], s["label"]),
            )
        return sorted(items, key=lambda s: (-s["last12"], s["label"]))

    groups = [
        {"key": "city", "title": "全市", "items": ordered("city")},
        {"key": "industry", "title": "分行业（“1+3”主导产业在前）", "items": ordered("industry")},
        {"key": "county", "title": "分县区", "items": ordered("county")},
    ]
    return {
        "available": True,
        "groups": [g for g in groups if g["items"]],
        "summaries": summaries,
        "end_cn": month_cn(shift_month(month, 36)),
    }


def occupation_section(month: str, demand: Table, series: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for sid, entry in series.items():
        if entry["dimension"] != "occupation":
            continue
        summary = _series_summary(sid, entry, month)
        summary["code"] = str(entry["member"])
        rows.append(summary)
    if rows:
        rows.sort(key=lambda s: (s["change"] is None, -(s["change"] or 0.0), -s["last12"], s["label"]))
        return {"available": True, "rows": rows, "source": "forecast"}
    has_column = "occupation_code" in demand.columns or "occupation" in demand.columns
    return {"available": False, "rows": [], "has_column": has_column}
