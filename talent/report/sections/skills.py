"""Section 六: the skills most often asked for in the last 12 months and the fastest-rising ones,
formatted from marts.report_skill_demand (and the report month's skill forecasts, when the run has them,
from marts.report_forecast_series)."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.units import MISSING, fmt_int, fmt_pct, month_cn, month_key, to_number

SHOWN = 10


def skill_section(
    month: str, skill_demand: Table | None, series: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    records = skill_demand.records() if skill_demand is not None else []
    if not records:
        return {"available": False, "hot": [], "rising": []}
    forecasts = {str(e["member"]): e for e in series.values() if e["dimension"] == "skill"}

    def item(r: dict[str, Any]) -> dict[str, Any]:
        forecast = forecasts.get(str(r["skill"]))
        previous = to_number(r["postings_previous12"])
        return {
            "skill": r["skill"],
            "current": to_number(r["postings_last12"]),
            "current_text": fmt_int(r["postings_last12"]),
            "previous_text": fmt_int(previous) if previous is not None else MISSING,
            "change": to_number(r["change_pct"]),
            "change_text": fmt_pct(r["change_pct"], signed=True),
            "next12_text": fmt_int(forecast["next12"]) if forecast else MISSING,
            "forecast_change_text": fmt_pct(forecast["change"], signed=True) if forecast else MISSING,
        }

    ranked = [r for r in records if r["rising_rank"] is not None]
    return {
        "available": True,
        "hot": [item(r) for r in sorted(records, key=lambda r: r["hot_rank"])[:SHOWN]],
        "rising": [item(r) for r in sorted(ranked, key=lambda r: r["rising_rank"])[:SHOWN]],
        "window_cn": f"{month_cn(month_key(records[0]['window_start']))}至{month_cn(month)}",
        "has_forecast": bool(forecasts),
    }
