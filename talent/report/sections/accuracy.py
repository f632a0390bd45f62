"""Section 九: the backtest accuracy of the report month's forecast run: per series from
marts.forecast_accuracy, the means and counts from marts.report_forecast_accuracy.

Next to each model's MASE stands the nested score of the choice (model ``NestedSelection``, see
talent/forecast/nested.py): the chosen model's MASE is the minimum over models on the very backtest it
is scored on, so only the nested one says what choosing delivers. Coverage is that of the calibrated
intervals the forecast publishes, measured out of sample."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.report.sections.forecast import DIMENSION_CN, FALLBACK_CN, MODEL_CN, NOT_COUNTIES
from talent.report.text import plain_number
from talent.units import fmt_num, fmt_pct, to_number

NESTED = "NestedSelection"  # talent.forecast.nested.NESTED (not imported: it would load the package)

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
    means = summary.records()[0]
    # Run months from before calibration published the models' own intervals: quote their coverage.
    calibrated = means.get("coverage80_calibrated") is not None
    cov = "_calibrated" if calibrated else ""
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
        nested = models.get(NESTED)
        cm, bm = (to_number(c["mase"]) if c else None), (to_number(b["mase"]) if b else None)
        measure, dimension, member = (sid.split("/", 2) + ["", ""])[:3]
        if dimension == "county" and member in NOT_COUNTIES:
            continue  # forecast so the counties add up to the city; not a county to report on
        rows.append(
            {
                "series": f"{DIMENSION_CN.get(dimension, dimension)} · {labels.get(sid, member)}"
                + ("（招聘人数）" if measure == "headcount" else ""),
                "chosen": MODEL_CN.get(chosen or "", chosen or "—"),
                "mase": fmt_num(cm, 2),
                "bench": fmt_num(bm, 2),
                "combo": fmt_num(combo["mase"] if combo else None, 2),
                # On the outer origins only: compare with nested_chosen, the chosen model there.
                "nested": fmt_num(nested["mase"] if nested else None, 2),
                "nested_chosen": fmt_num(c.get("mase_outer") if c else None, 2),
                "smape": fmt_num(c["smape"] if c else None, 1),
                # The calibrated intervals the forecast publishes, out of sample ("—" with one origin).
                "cov80": fmt_pct(c.get(f"coverage80{cov}") if c else None, 0),
                "cov95": fmt_pct(c.get(f"coverage95{cov}") if c else None, 0),
                "better": cm is not None and bm is not None and cm < bm,
                "fallback": FALLBACK_CN.get(str(c.get("fallback")), "") if c and c.get("fallback") else "",
            }
        )
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
        # The coverage the report quotes is the calibrated intervals' (what is published), measured on
        # origins the calibration had not seen; the models' own, in-sample, is kept as *_raw_text.
        "cov80_text": fmt_pct(means["coverage80_calibrated" if calibrated else "coverage80"], 0),
        "cov95_text": fmt_pct(means["coverage95_calibrated" if calibrated else "coverage95"], 0),
        "cov80_value": plain_number(
            to_number(means["coverage80_calibrated" if calibrated else "coverage80"])
        ),
        "cov80_raw_text": fmt_pct(means["coverage80"], 0),
        "cov95_raw_text": fmt_pct(means["coverage95"], 0),
        "calibrated": calibrated,
        "mase_nested": to_number(means.get("mase_nested")),
        "mase_nested_raw": plain_number(to_number(means.get("mase_nested"))),
        "mase_nested_text": fmt_num(means.get("mase_nested"), 3),
        "mase_chosen_outer_text": fmt_num(means.get("mase_chosen_outer"), 3),
        "mase_bench_outer_text": fmt_num(means.get("mase_bench_outer"), 3),
        "nested_compared": int(means.get("series_nested_compared") or 0),
        "beats": int(means["series_beating_benchmark"] or 0),
        "compared": int(means["series_compared"] or 0),
        "horizon": int(means["backtest_horizon"] or 0),
        "windows": int(means["windows"] or 0),
    }
