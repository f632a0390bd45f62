"""Everything the template shows for one month, assembled from the report's sections.

Nothing here reads the clock, and every list is sorted with explicit tie-breakers, so the same marts
give the same page. Everything is as of the report month (read.py reads each mart's rows of that month;
the rules are in dbt_project/macros/report_as_of.sql): a backfilled report shows no later data. Optional inputs (the forecast marts, skills, shortages, the raw landings) may be
missing: their section then says 暂无数据 instead of failing."""

from __future__ import annotations

from typing import Any

from talent.report.errors import PublishError
from talent.report.read import ReportData
from talent.report.sections.accuracy import accuracy_section
from talent.report.sections.background import gap_section, indicator_cards, supply_cards
from talent.report.sections.forecast import forecast_section, forecast_series, occupation_section
from talent.report.sections.headline import headline_section, top_industries_section
from talent.report.sections.oversupply import oversupply_section
from talent.report.sections.quality import quality_section
from talent.report.sections.shortage import shortage_section
from talent.report.sections.skills import skill_section
from talent.report.sections.summary import summary_sentences
from talent.report.sections.trend import trend_chart
from talent.settings import CITY
from talent.units import month_cn, month_key

TITLE = f"《{CITY}重点产业人才需求动态预测报告》"
NO_DATA = "暂无数据"
# The mart CSVs shipped with every report, in a fixed order: every figure in report.html traces to one.
CSV_MARTS = ("talent_demand_monthly", "talent_supply_yearly", "supply_demand_gap", "regional_indicators")


def _as_of(data: ReportData) -> dict[str, Any]:
    """The month's row of marts.report_as_of: what the report could have known (the manifest's as_of)."""
    row = dict(zip(data.as_of.columns, data.as_of.rows[0], strict=True)) if data.as_of.rows else {}
    if not row:
        raise PublishError(
            f"cannot publish {data.month}: marts.report_as_of has no row for it; run dbt build"
        )
    forecast_runs = (
        sorted({month_key(r["run_month"]) for r in data.demand_forecast.records()})
        if (data.demand_forecast)
        else []
    )
    return {
        "month": data.month,
        "demand_from": month_key(row["demand_from"]),
        "demand_through": month_key(row["demand_through"]),
        "supply_cohorts_through": row["supply_cohorts_through"],
        "supply_year": row["supply_year"],
        "indicators_published_by": row["indicators_published_by"].isoformat(),
        "indicators_year": row.get("indicators_year"),
        "forecast_run_month": forecast_runs[-1] if forecast_runs else None,
    }


def build_context(
    data: ReportData, code_version: str, *, quality: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything the template shows, as of the report month."""
    month = data.month
    as_of = _as_of(data)
    first, latest = as_of["demand_from"], as_of["demand_through"]
    report_year = int(month[:4])
    supply_year, indicators_year = as_of["supply_year"], as_of["indicators_year"]

    headline = headline_section(month, data.headline)
    series = forecast_series(month, data.demand_forecast, data.forecast_series)
    forecast = forecast_section(month, first, data.forecast_history, series)
    occupations = occupation_section(month, data.demand, series)
    skills = skill_section(month, data.skill_demand, series)
    oversupply = oversupply_section(data.oversupply)
    shortage = shortage_section(month, data.shortage)
    accuracy = accuracy_section(
        data.forecast_accuracy, data.accuracy_summary, {sid: e["label"] for sid, e in series.items()}
    )
    return {
        "title": f"{TITLE}（{month_cn(month)}）",
        "month": month,
        "month_cn": month_cn(month),
        "report_year": report_year,
        "demand_min_cn": month_cn(first),
        "demand_max": latest,
        "demand_max_cn": month_cn(latest),
        "supply_max_text": f"{supply_year}届" if supply_year is not None else "暂无",
        "indicators_max_text": f"{indicators_year}年" if indicators_year is not None else "暂无",
        "code_version": code_version,
        "headline": headline,
        "top": top_industries_section(month, data.top_industries),
        "chart": trend_chart(month, first, data.top_industries, data.industry_trend),
        "context_cards": indicator_cards(data.indicators, report_year) + supply_cards(data.graduates),
        "gap": gap_section(data.gap_by_industry, month, first),
        "csv_files": [f"{name}.csv" for name in CSV_MARTS],
        "forecast": forecast,
        "occupations": occupations,
        "skills": skills,
        "oversupply": oversupply,
        "shortage": shortage,
        "accuracy": accuracy,
        "quality": quality_section(quality),
        "no_data": NO_DATA,
        "summary": summary_sentences(
            month_cn(month), headline, forecast, occupations, skills, oversupply, shortage, accuracy
        ),
        "as_of": {
            k: v for k, v in as_of.items() if k not in ("demand_from", "supply_year", "indicators_year")
        },
        "data_vintage": {
            "demand_month_max": latest,
            "supply_year_max": supply_year,
            "indicators_year_max": indicators_year,
        },
        "source_vintage": {
            source: {
                "landings": q["landings"],
                "partition_last": q["partition_last"],
                "landed_last": q["landed_last"],
                "vintages": q["vintages"],
            }
            for source, q in sorted((quality or {}).items())
        },
        "forecast_vintage": {
            "run_month": as_of["forecast_run_month"],
            "inputs_sha256": data.demand_forecast.first("inputs_sha256") if data.demand_forecast else None,
        },
    }
