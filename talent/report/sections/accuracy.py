"""Section 九: the backtest accuracy of the report month's forecast run: per series from
marts.forecast_accuracy, the means and counts from marts.report_forecast_accuracy."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.report.sections.forecast import DIMENSION_CN, FALLBACK_CN, MODEL_CN
from talent.report.text import plain_number
from talent.units import fmt_num, fmt_pct, to_number

DIMENSION_ORDER = ("city", "industry", "county", "occupation", "skill")


def _dim_order(sid: str) -> int:
    dimension = sid.split("/")[1] if sid.count("/") >= 2 else ""
    return DIMENSION_ORDER.index(dimension) if dimension in DIMENSION_ORDER else 9


def accuracy_section(
    forecast_accuracy: Table | None, summary: Table | None, labels: dict[str, str]
) -> dict[str, Any]:
    """Both tables hold the report month's run only; ``labels``: display name per series id."""
    records = forecast_accuracy.records() if forecast_accuracy is not None else []
    if not records or summary is None or not summary.rows:
        return {"available": False, "rows": []}
    by_series: dict[str, dict[str, dict[str, Any]]] = {}
    for r in records:
        by_series.setdefault(str(r["series_id"]), {})[str(r["model"])] = r
    rows = []
    for sid in sorted(by_series, key=lambda s: (s.split("/")[0] != "postings", _dim_order(s), s)):
        models = by_series[sid]
        chosen = next((m for m, r in models.items() if r["chosen"]), None)
        c = models.get(chosen) if chosen else None
        b = models.get("SeasonalNaive")
        combo = models.get("Combination")
        cm, bm = (to_number(c["mase"]) if c else None), (to_number(b["mase"]) if b else None)
        measure, dimension, member = (sid.split("/", 2) + ["", ""])[:3]
        rows.append(
            {
                "series": f"{DIMENSION_CN.get(dimension, dimension)} · {labels.get(sid, member)}"
                + ("（招聘人数）" if measure == "headcount" else ""),
                "chosen": MODEL_CN.get(chosen or "", chosen or "—"),
                "mase": fmt_num(cm, 2),
                "bench": fmt_num(bm, 2),
                "combo": fmt_num(combo["mase"] if combo else None, 2),
                "smape": fmt_num(c["smape"] if c else None, 1),
                "cov80": fmt_pct(c["coverage80"] if c else None, 0),
                "cov95": fmt_pct(c["coverage95"] if c else None, 0),
                "better": cm is not None and bm is not None and cm < bm,
                "fallback": FALLBACK_CN.get(str(c.get("fallback")), "") if c and c.get("fallback") else "",
            }
        )
    means = summary.records()[0]
    return {
        "available": True,
        "rows": rows,
        "mase_chosen": to_number(means["mase_chosen"]),
        "mase_bench": to_number(means["mase_bench"]),
        "mase_combo": to_number(means["mase_combo"]),
        # data-value attributes: 6 decimals, so the summation order of the mean never shows
        "mase_chosen_raw": plain_number(to_number(means["mase_chosen"])),
        "mase_bench_raw": plain_number(to_number(means["mase_bench"])),
        "mase_chosen_text": fmt_num(means["mase_chosen"], 3),
        "mase_bench_text": fmt_num(means["mase_bench"], 3),
        "mase_combo_text": fmt_num(means["mase_combo"], 3),
        "cov80_text": fmt_pct(means["coverage80"], 0),
        "cov95_text": fmt_pct(means["coverage95"], 0),
        "beats": int(means["series_beating_benchmark"] or 0),
        "compared": int(means["series_compared"] or 0),
        "horizon": int(means["backtest_horizon"] or 0),
        "windows": int(means["windows"] or 0),
    }
