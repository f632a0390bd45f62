"""The forecast-driven sections of the monthly report, computed from marts already read into memory.

`talent.publish` reads the marts (read-only, briefly) and calls ``build_sections``; this module only
computes figures and chart geometry for the template, and the machine-readable tables shipped beside
the report (forecast, accuracy, oversupply, shortage). Every optional input — the forecast marts,
occupation columns, ``marts.skill_demand_monthly``, ``marts.shortage_occupations``, the raw landings'
validation results — may be missing: its section then says 暂无数据 instead of failing, so a report
can always be published from whatever the warehouse holds.

Nothing here reads the clock, and every list is sorted with explicit tie-breakers, so the same marts
give the same page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

CITY = "巴中市"
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
DIMENSION_CN = {"city": "全市", "industry": "行业", "county": "县区", "occupation": "职业", "skill": "技能"}
NO_DATA = "暂无数据"


# ------------------------------------------------------------------------------------------ helpers


def month_key(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)[:7]


def shift(month: str, months: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_cn(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"


def num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def fmt_int(value: float | None) -> str:
    return "—" if value is None else f"{int(round(value)):,}"


def fmt_num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def fmt_pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{abs(value) * 100:.{digits}f}%"
    if signed:
        return ("+" if value > 0 else "−" if value < 0 else "") + text
    return ("−" if value < 0 else "") + text


def growth(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old <= 0:
        return None
    return new / old - 1


def _records(marts: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    table = marts.get(name)
    return None if table is None else table.records()


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10**exponent


def _label_num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


# ------------------------------------------------------------------------------------ the forecasts


def _history(demand: list[dict[str, Any]], month: str, dimension: str, member: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in demand:
        ym = month_key(r["month"])
        if ym > month:
            continue
        if dimension == "industry" and str(r.get("industry")) != member:
            continue
        if dimension == "county" and str(r.get("county")) != member:
            continue
        out[ym] = out.get(ym, 0.0) + (num(r.get("postings")) or 0.0)
    return out


def forecast_chart(
    title: str, history: dict[str, float], rows: list[dict[str, Any]], month: str, first: str
) -> dict[str, Any]:
    """Geometry of one small-multiple chart: 36 months of history, the forecast and its 80/95% bands."""
    width, height = 460, 230
    x0, x1, y0, y1 = 56, 444, 34, 190
    start = max(first, shift(month, -35))
    hist_months = []
    cursor = start
    while cursor <= month:
        hist_months.append(cursor)
        cursor = shift(cursor, 1)
    fc_months = [month_key(r["target_month"]) for r in rows]
    months = hist_months + fc_months
    hist = [history.get(m, 0.0) for m in hist_months]
    points = [num(r["point"]) for r in rows]
    peak = max([v for v in hist] + [v for v in points if v is not None] + [1.0])
    # Wide 95% bounds would squash the lines flat: the axis stops at 1.8x the largest line value and
    # bands are cut there (the caption says so).
    highs = [num(r["hi95"]) for r in rows if num(r["hi95"]) is not None]
    top_raw = min(max(highs + [peak]), peak * 1.8)
    step = _nice_step(top_raw / 4) if top_raw > 0 else 1
    top = max(step, math.ceil(top_raw / step) * step)
    clipped = any(h > top for h in highs)

    def x_at(i: int) -> float:
        return x0 + i * (x1 - x0) / max(1, len(months) - 1)

    def y_at(v: float | None) -> float:
        v = 0.0 if v is None else min(max(v, 0.0), top)
        return y1 - (y1 - y0) * v / top

    def line(values: Sequence[float | None], offset: int) -> str:
        return " ".join(
            f"{x_at(offset + i):.1f},{y_at(v):.1f}" for i, v in enumerate(values) if v is not None
        )

    def band(lo_key: str, hi_key: str) -> str:
        n = len(hist_months) - 1
        upper = [(x_at(n), y_at(hist[-1]))] + [
            (x_at(n + 1 + i), y_at(num(r[hi_key]))) for i, r in enumerate(rows) if num(r[hi_key]) is not None
        ]
        lower = [
            (x_at(n + 1 + i), y_at(num(r[lo_key]))) for i, r in enumerate(rows) if num(r[lo_key]) is not None
        ][::-1] + [(x_at(n), y_at(hist[-1]))]
        if len(upper) < 2:
            return ""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)

    yticks = []
    tick = 0.0
    while tick <= top + 1e-9:
        yticks.append({"y": f"{y_at(tick):.1f}", "label": _label_num(tick)})
        tick += step
    xticks = [
        {"x": f"{x_at(i):.1f}", "label": f"{m[:4]}年"}
        for i, m in enumerate(months)
        if m.endswith("-01") and 0 < i < len(months) - 3
    ]
    n = len(hist_months) - 1
    return {
        "width": width,
        "height": height,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "title": title,
        "yticks": yticks,
        "xticks": xticks,
        "history": line(hist, 0),
        # The forecast line starts at the last actual month so the two lines join.
        "forecast": line([hist[-1]] + points, n),
        "band95": band("lo95", "hi95"),
        "band80": band("lo80", "hi80"),
        "now_x": f"{x_at(n):.1f}",
        "clipped": clipped,
        "desc": f"{title}：{month_cn(hist_months[0])}至{month_cn(month)}的实际值与此后 {len(rows)} 个月的预测。",
    }


def _series_summary(
    sid: str, meta: dict[str, Any], rows: list[dict[str, Any]], history: dict[str, float], month: str
) -> dict[str, Any]:
    last12 = sum(history.get(shift(month, -i), 0.0) for i in range(12))
    by_h = {int(r["horizon"]): r for r in rows}
    next12 = sum(num(by_h[h]["point"]) or 0.0 for h in range(1, 13) if h in by_h)
    change = growth(next12, last12) if len([h for h in range(1, 13) if h in by_h]) == 12 else None
    horizons = []
    for h in (12, 24, 36):
        r = by_h.get(h)
        horizons.append(
            {
                "h": h,
                "month_cn": month_cn(shift(month, h)),
                "point": fmt_num(num(r["point"])) if r else "—",
                "interval": (
                    f"{fmt_num(num(r['lo80']))}–{fmt_num(num(r['hi80']))}"
                    if r and num(r["lo80"]) is not None and num(r["hi80"]) is not None
                    else "—"
                ),
                "raw": num(r["point"]) if r else None,
                "lo80": num(r["lo80"]) if r else None,
                "hi80": num(r["hi80"]) if r else None,
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
        "last12": last12,
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


def forecast_section(month: str, marts: dict[str, Any]) -> dict[str, Any]:
    fc = _records(marts, "demand_forecast") or []
    fc = [r for r in fc if month_key(r["run_month"]) == month]
    demand = _records(marts, "talent_demand_monthly") or []
    months = sorted({month_key(r["month"]) for r in demand})
    first = months[0] if months else month
    series: dict[str, dict[str, Any]] = {}
    for r in fc:
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
                "rows": [],
            },
        )
        entry["rows"].append(r)
    for entry in series.values():
        entry["rows"].sort(key=lambda r: int(r["horizon"]))
    if not series:
        return {"available": False, "groups": [], "summaries": {}, "series": {}}

    summaries: dict[str, dict[str, Any]] = {}
    for sid, entry in series.items():
        if entry["measure"] != "postings" or entry["dimension"] not in ("city", "industry", "county"):
            continue
        history = _history(demand, month, entry["dimension"], str(entry["member"]))
        summaries[sid] = _series_summary(sid, entry, entry["rows"], history, month)
        summaries[sid]["chart"] = forecast_chart(
            f"{entry['label']}（招聘岗位数，条/月）", history, entry["rows"], month, first
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
        "series": series,
        "end_cn": month_cn(shift(month, 36)),
    }


def occupation_section(month: str, marts: dict[str, Any], forecast: dict[str, Any]) -> dict[str, Any]:
    series = forecast.get("series", {})
    demand = _records(marts, "talent_demand_monthly") or []
    rows = []
    for sid, entry in series.items():
        if entry["dimension"] != "occupation":
            continue
        code = str(entry["member"])
        history: dict[str, float] = {}
        for r in demand:
            value = r.get("occupation_code", r.get("occupation"))
            if value is not None and str(value) == code and month_key(r["month"]) <= month:
                ym = month_key(r["month"])
                history[ym] = history.get(ym, 0.0) + (num(r.get("postings")) or 0.0)
        summary = _series_summary(sid, entry, entry["rows"], history, month)
        summary["code"] = code
        rows.append(summary)
    if rows:
        rows.sort(key=lambda s: (s["change"] is None, -(s["change"] or 0.0), -s["last12"], s["label"]))
        return {"available": True, "rows": rows, "source": "forecast"}
    has_column = any("occupation_code" in r or "occupation" in r for r in demand[:1])
    return {"available": False, "rows": [], "has_column": has_column}


def _count_column(columns: Iterable[str]) -> str | None:
    columns = list(columns)
    return next(
        (c for c in ("postings", "unique_postings", "mentions", "postings_mentioning") if c in columns), None
    )


def skill_section(month: str, marts: dict[str, Any], forecast: dict[str, Any]) -> dict[str, Any]:
    table = marts.get("skill_demand_monthly")
    if table is None or "skill" not in table.columns or "month" not in table.columns:
        return {"available": False, "hot": [], "rising": []}
    count = _count_column(table.columns)
    if count is None:
        return {"available": False, "hot": [], "rising": []}
    current: dict[str, float] = {}
    previous: dict[str, float] = {}
    lo, prev_lo = shift(month, -11), shift(month, -23)
    for r in table.records():
        skill, ym = r.get("skill"), month_key(r["month"])
        if skill is None:
            continue
        value = num(r.get(count)) or 0.0
        if lo <= ym <= month:
            current[str(skill)] = current.get(str(skill), 0.0) + value
        elif prev_lo <= ym < lo:
            previous[str(skill)] = previous.get(str(skill), 0.0) + value
    if not current:
        return {"available": False, "hot": [], "rising": []}
    forecasts = {
        str(e["member"]): sum(num(r["point"]) or 0.0 for r in e["rows"] if int(r["horizon"]) <= 12)
        for e in forecast.get("series", {}).values()
        if e["dimension"] == "skill"
    }

    def item(skill: str) -> dict[str, Any]:
        change = growth(current.get(skill), previous.get(skill))
        nxt = forecasts.get(skill)
        return {
            "skill": skill,
            "current": current.get(skill, 0.0),
            "current_text": fmt_int(current.get(skill, 0.0)),
            "previous_text": fmt_int(previous.get(skill)) if skill in previous else "—",
            "change": change,
            "change_text": fmt_pct(change, signed=True),
            "next12_text": fmt_int(nxt) if nxt is not None else "—",
            "forecast_change_text": fmt_pct(growth(nxt, current.get(skill)), signed=True)
            if nxt is not None
            else "—",
        }

    hot = [item(s) for s in sorted(current, key=lambda s: (-current[s], s))[:10]]
    # A skill mentioned a handful of times "doubles" easily: rising needs 5+ mentions in both years.
    eligible = [s for s in current if current[s] >= 5 and previous.get(s, 0) >= 5]
    rising = [
        item(s) for s in sorted(eligible, key=lambda s: (-(growth(current[s], previous[s]) or 0), s))[:10]
    ]
    rising = [r for r in rising if (r["change"] or 0) > 0]
    return {
        "available": True,
        "hot": hot,
        "rising": rising,
        "window_cn": f"{month_cn(lo)}至{month_cn(month)}",
        "has_forecast": bool(forecasts),
    }


def oversupply_section(month: str, marts: dict[str, Any], forecast: dict[str, Any]) -> dict[str, Any]:
    """Graduates of the latest cohort per major vs the next 12 months' forecast demand of its industry."""
    supply = _records(marts, "talent_supply_yearly") or []
    report_year = int(month[:4])
    years = sorted(
        {int(r["year"]) for r in supply if r.get("year") is not None and int(r["year"]) <= report_year}
    )
    if not years:
        return {"available": False, "rows": [], "table_rows": []}
    year = years[-1]
    majors: dict[tuple[str, str, str], float] = {}
    for r in supply:
        if r.get("year") is None or int(r["year"]) != year:
            continue
        key = (
            str(r.get("major_code") or ""),
            str(r.get("major_name") or ""),
            str(r.get("industry") or "其他"),
        )
        majors[key] = majors.get(key, 0.0) + (num(r.get("graduates")) or 0.0)
    graduates_by_industry: dict[str, float] = {}
    for (_, _, industry), g in majors.items():
        graduates_by_industry[industry] = graduates_by_industry.get(industry, 0.0) + g

    series = forecast.get("series", {})
    demand_by_industry: dict[str, float] = {}
    basis = "forecast_headcount"
    for measure in ("headcount", "postings"):
        found = {
            str(e["member"]): sum(num(r["point"]) or 0.0 for r in e["rows"] if int(r["horizon"]) <= 12)
            for e in series.values()
            if e["dimension"] == "industry" and e["measure"] == measure
        }
        if found:
            demand_by_industry = found
            basis = f"forecast_{measure}"
            break
    if not demand_by_industry:
        # No forecast for this month: the last 12 months' actual headcount is the honest stand-in.
        basis = "actual_headcount_last12"
        lo = shift(month, -11)
        for r in _records(marts, "talent_demand_monthly") or []:
            if lo <= month_key(r["month"]) <= month:
                ind = str(r.get("industry"))
                demand_by_industry[ind] = demand_by_industry.get(ind, 0.0) + (
                    num(r.get("headcount")) or num(r.get("postings")) or 0.0
                )

    rows = []
    for (code, name, industry), grads in majors.items():
        total = graduates_by_industry.get(industry, 0.0)
        dem = demand_by_industry.get(industry, 0.0)
        ratio = dem / total if total > 0 else None
        risk = (
            "high"
            if ratio is not None and ratio < 0.5
            else "medium"
            if ratio is not None and ratio < 1
            else "low"
        )
        rows.append(
            {
                "major_code": code,
                "major_name": name,
                "industry": industry,
                "graduates": grads,
                "industry_graduates": total,
                "industry_demand": dem,
                "ratio": ratio,
                "risk": risk,
            }
        )
    rows.sort(
        key=lambda r: (
            r["ratio"] is None,
            r["ratio"] or 0.0,
            -r["graduates"],
            r["major_code"],
            r["major_name"],
        )
    )
    risk_cn = {"high": "高", "medium": "中", "low": "低"}
    shown = [
        {
            **r,
            "graduates_text": fmt_int(r["graduates"]),
            "industry_graduates_text": fmt_int(r["industry_graduates"]),
            "industry_demand_text": fmt_int(r["industry_demand"]),
            "ratio_text": "—" if r["ratio"] is None else f"{r['ratio']:.2f}",
            "risk_cn": risk_cn[r["risk"]],
        }
        for r in rows
        if r["risk"] != "low" and r["graduates"] > 0
    ][:15]
    columns = (
        "year",
        "major_code",
        "major_name",
        "industry",
        "graduates",
        "industry_graduates",
        "industry_demand_next12",
        "demand_per_graduate",
        "oversupply_risk",
        "demand_basis",
    )
    table_rows = tuple(
        (
            year,
            r["major_code"],
            r["major_name"],
            r["industry"],
            round(r["graduates"], 6),
            round(r["industry_graduates"], 6),
            round(r["industry_demand"], 6),
            None if r["ratio"] is None else round(r["ratio"], 6),
            r["risk"],
            basis,
        )
        for r in rows
    )
    return {
        "available": True,
        "year": year,
        "rows": shown,
        "at_risk": sum(1 for r in rows if r["risk"] != "low" and r["graduates"] > 0),
        "basis": basis,
        "columns": columns,
        "table_rows": table_rows,
    }


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


def shortage_section(month: str, marts: dict[str, Any]) -> dict[str, Any]:
    table = marts.get("shortage_occupations")
    if table is None or not table.rows:
        return {"available": False, "rows": [], "headers": []}
    records = table.records()
    period_col = next((c for c in ("period", "month", "year") if c in table.columns), None)
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
    rank_col = next((c for c in ("rank", "shortage_rank") if c in table.columns), None)
    if rank_col:
        records.sort(key=lambda r: (num(r[rank_col]) is None, num(r[rank_col]) or 0.0))
    shown_cols = [c for c in table.columns if not c.endswith("_id") and c != period_col][:8]

    def cell(value: Any) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        number = num(value) if not isinstance(value, str) else None
        if number is not None and not isinstance(value, int):
            return f"{number:,.2f}"
        return "" if value is None else str(value)

    return {
        "available": True,
        "period": period_text,
        "headers": [SHORTAGE_LABELS.get(c, c) for c in shown_cols],
        "rows": [[cell(r[c]) for c in shown_cols] for r in records[:20]],
        "count": len(records),
    }


def accuracy_section(month: str, marts: dict[str, Any], forecast: dict[str, Any]) -> dict[str, Any]:
    records = [r for r in (_records(marts, "forecast_accuracy") or []) if month_key(r["run_month"]) == month]
    if not records:
        return {"available": False, "rows": []}
    by_series: dict[str, dict[str, dict[str, Any]]] = {}
    for r in records:
        by_series.setdefault(str(r["series_id"]), {})[str(r["model"])] = r
    labels = {sid: e["label"] for sid, e in forecast.get("series", {}).items()}
    rows, chosen_mase, bench_mase, combo_mase, cov80, cov95, beats = [], [], [], [], [], [], 0
    meta_any = records[0]
    for sid in sorted(by_series, key=lambda s: (s.split("/")[0] != "postings", _dim_order(s), s)):
        models = by_series[sid]
        chosen = next((m for m, r in models.items() if r["chosen"]), None)
        c = models.get(chosen) if chosen else None
        b = models.get("SeasonalNaive")
        combo = models.get("Combination")
        cm, bm = (num(c["mase"]) if c else None), (num(b["mase"]) if b else None)
        if cm is not None and bm is not None:
            chosen_mase.append(cm)
            bench_mase.append(bm)
            beats += cm < bm
        if combo is not None and num(combo["mase"]) is not None and bm is not None:
            combo_mase.append(num(combo["mase"]))
        if c is not None and num(c["coverage80"]) is not None:
            cov80.append(num(c["coverage80"]))
        if c is not None and num(c["coverage95"]) is not None:
            cov95.append(num(c["coverage95"]))
        measure, dimension, member = (sid.split("/", 2) + ["", ""])[:3]
        rows.append(
            {
                "series": f"{DIMENSION_CN.get(dimension, dimension)} · {labels.get(sid, member)}"
                + ("（招聘人数）" if measure == "headcount" else ""),
                "chosen": MODEL_CN.get(chosen or "", chosen or "—"),
                "mase": fmt_num(cm, 2),
                "bench": fmt_num(bm, 2),
                "combo": fmt_num(num(combo["mase"]) if combo else None, 2),
                "smape": fmt_num(num(c["smape"]) if c else None, 1),
                "cov80": fmt_pct(num(c["coverage80"]) if c else None, 0),
                "cov95": fmt_pct(num(c["coverage95"]) if c else None, 0),
                "better": cm is not None and bm is not None and cm < bm,
                "fallback": FALLBACK_CN.get(str(c.get("fallback")), "") if c and c.get("fallback") else "",
            }
        )

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    return {
        "available": True,
        "rows": rows,
        "mase_chosen": mean(chosen_mase),
        "mase_bench": mean(bench_mase),
        "mase_combo": mean(combo_mase),
        "mase_chosen_text": fmt_num(mean(chosen_mase), 3),
        "mase_bench_text": fmt_num(mean(bench_mase), 3),
        "mase_combo_text": fmt_num(mean(combo_mase), 3),
        "cov80_text": fmt_pct(mean(cov80), 0),
        "cov95_text": fmt_pct(mean(cov95), 0),
        "beats": beats,
        "compared": len(chosen_mase),
        "horizon": int(meta_any["backtest_horizon"] or 0),
        "windows": int(meta_any["windows"] or 0),
    }


def _dim_order(sid: str) -> int:
    dimension = sid.split("/")[1] if sid.count("/") >= 2 else ""
    return (
        ("city", "industry", "county", "occupation", "skill").index(dimension)
        if dimension
        in (
            "city",
            "industry",
            "county",
            "occupation",
            "skill",
        )
        else 9
    )


# ---------------------------------------------------------------------------------- data quality


SOURCE_CN = {
    "bulletins": "统计公报",
    "job_board_zhaopin": "巴中招聘网",
    "job_board_rencai": "巴山人才网",
    "school_records": "院校毕业生数据",
}


def quality_section(quality: dict[str, Any] | None) -> dict[str, Any]:
    if not quality:
        return {"available": False, "sources": []}
    sources = []
    for source in sorted(quality, key=lambda s: (list(SOURCE_CN).index(s) if s in SOURCE_CN else 99, s)):
        q = quality[source]
        rows, quarantined = q.get("rows", 0), q.get("quarantined", 0)
        sources.append(
            {
                "source": source,
                "name": SOURCE_CN.get(source, source),
                "landings": q.get("landings", 0),
                "partitions": q.get("partition_first", "—")
                + (
                    f" 至 {q['partition_last']}"
                    if q.get("partition_last") not in (None, q.get("partition_first"))
                    else ""
                ),
                "landed": q.get("landed_last") or "—",
                "rows_text": fmt_int(rows),
                "accepted_text": fmt_int(q.get("accepted", 0)),
                "quarantined_text": fmt_int(quarantined),
                "share_text": fmt_pct(quarantined / rows if rows else None),
                "reasons": q.get("reasons", []),
            }
        )
    return {"available": bool(sources), "sources": sources}


# --------------------------------------------------------------------------------------- summary


def summary_sentences(ctx: dict[str, Any]) -> list[str]:
    """Key findings as plain sentences, each built only from figures shown elsewhere in the report."""
    out: list[str] = []
    h, month_text = ctx["h"], ctx["month_cn"]
    sentence = f"{month_text}，巴中市共发布招聘岗位 {h['postings_text']} 条（去重后），计划招聘 {h['headcount_text']} 人"
    if h.get("yoy"):
        sentence += f"，较上年同月{h['yoy']['words']}"
    out.append(sentence + "。")

    fc = ctx["forecast"]
    city = next((s for s in fc.get("summaries", {}).values() if s["dimension"] == "city"), None)
    if city and city["change"] is not None:
        h36 = city["horizons"][-1]
        words = "增长" if city["change"] > 0 else "下降"
        text = (
            f"模型预测未来 12 个月全市招聘岗位合计约 {city['next12_text']} 条，"
            f"比过去 12 个月（{city['last12_text']} 条）{words} {fmt_pct(abs(city['change']))}"
        )
        if h36["raw"] is not None and h36["lo80"] is not None:
            text += (
                f"；{h36['month_cn']}的月度需求预计为 {h36['point']} 条（80% 预测区间 {h36['interval']} 条）"
            )
        out.append(text + "。")
    elif not fc.get("available"):
        out.append("本期暂无需求预测数据（预测步骤尚未运行）。")

    industries = [
        s
        for s in fc.get("summaries", {}).values()
        if s["dimension"] == "industry" and s["change"] is not None
    ]
    leading = [s for s in industries if s["label"] in LEADING_INDUSTRIES]
    if leading:
        best = max(leading, key=lambda s: (s["change"], s["label"]))
        worst = min(leading, key=lambda s: (s["change"], s["label"]))
        text = f"“1+3”主导产业中，预计未来 12 个月需求变化最大的是{best['label']}（{best['change_text']}）"
        if worst["label"] != best["label"]:
            text += f"，最小的是{worst['label']}（{worst['change_text']}）"
        out.append(text + "。")
    counties = [
        s for s in fc.get("summaries", {}).values() if s["dimension"] == "county" and s["change"] is not None
    ]
    if counties:
        best = max(counties, key=lambda s: (s["change"], s["label"]))
        out.append(f"县区中，{best['label']}的招聘需求预计增长最快（{best['change_text']}）。")

    occ = ctx["occupations"]
    rising = [r for r in occ.get("rows", []) if r["change"] is not None and r["change"] > 0][:3]
    if rising:
        out.append(
            "需求上升最快的职业是" + "、".join(f"{r['label']}（{r['change_text']}）" for r in rising) + "。"
        )
    skills = ctx["skills"]
    if skills.get("available") and skills["hot"]:
        text = "最常被要求的技能是" + "、".join(s["skill"] for s in skills["hot"][:3])
        if skills["rising"]:
            text += f"；增长最快的是{skills['rising'][0]['skill']}（{skills['rising'][0]['change_text']}）"
        out.append(text + "。")
    over = ctx["oversupply"]
    if over.get("available") and over["rows"]:
        names = []
        for r in over["rows"]:
            if r["major_name"] not in names:
                names.append(r["major_name"])
            if len(names) == 3:
                break
        out.append(
            f"对照{over['year']}届毕业生与各行业未来 12 个月的预测需求，"
            + "、".join(names)
            + f"等 {over['at_risk']} 个专业所属行业的毕业生多于预测招聘人数，存在供给过剩风险。"
        )
    shortage = ctx["shortage"]
    if shortage.get("available") and shortage["rows"]:
        out.append(f"紧缺职业目录共列出 {shortage['count']} 个职业（{shortage['period']}）。")
    acc = ctx["accuracy"]
    if acc.get("available") and acc["mase_chosen"] is not None and acc["mase_bench"] is not None:
        out.append(
            f"回测（提前 {acc['horizon']} 个月、{acc['windows']} 个滚动起点）中，所选模型的平均 MASE 为 "
            f"{acc['mase_chosen_text']}，季节性朴素基准为 {acc['mase_bench_text']}；"
            f"所选模型 80% 预测区间的实际覆盖率为 {acc['cov80_text']}。"
        )
    return out


# ---------------------------------------------------------------------------------- entry point


def build_sections(
    month: str, marts: dict[str, Any], context: dict[str, Any], quality: dict[str, Any] | None
) -> dict[str, Any]:
    forecast = forecast_section(month, marts)
    sections = {
        "forecast": forecast,
        "occupations": occupation_section(month, marts, forecast),
        "skills": skill_section(month, marts, forecast),
        "oversupply": oversupply_section(month, marts, forecast),
        "shortage": shortage_section(month, marts),
        "accuracy": accuracy_section(month, marts, forecast),
        "quality": quality_section(quality),
        "no_data": NO_DATA,
    }
    sections["summary"] = summary_sentences({**context, **sections})
    return sections
