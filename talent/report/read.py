"""Read what the report needs from the warehouse: one read-only DuckDB connection, held briefly.

DuckDB lets one process write *or* many read, and the file is shared with the pipeline, analysts and
dashboards. So the file is opened read-only, everything needed is read into memory in one go and the
connection is closed before any rendering. A writer holding the lock is retried with backoff and then
reported clearly instead of surfacing DuckDB's raw IOException.

Every table is read as of the report month (its rows of that month, or the base marts up to it; the
rules are dbt_project/macros/report_as_of.sql) and with an explicit ORDER BY on its key, so row order (and
so the CSVs and the run id) never depends on how DuckDB happened to store it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from talent.report.errors import PublishError
from talent.units import month_key

log = logging.getLogger(__name__)
_sleep = time.sleep  # indirection so tests can skip the lock backoff without patching the time module

# What a report for month M reads, every table as of M (docs/contracts.md section 6, "As of its month"):
# mart -> (the rows of M, their order, the columns the report relies on). `{month}` is M's first day.
# The per-report-month marts (dbt_project/models/marts/report/) drop their `report_month` and
# `report_*_id` columns on reading, so e.g. report_supply_demand_gap reads as supply_demand_gap did.
_AS_OF_SUPPLY = "year <= (SELECT supply_cohorts_through FROM marts.report_as_of WHERE report_month = {month})"
REQUIRED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "report_as_of": (
        "report_month = {month}",
        "report_month",
        ("demand_from", "demand_through", "supply_cohorts_through", "supply_year", "indicators_published_by"),
    ),
    # demand_id breaks ties: the mart is per month x county x industry x occupation
    "talent_demand_monthly": (
        "month <= {month}",
        "month, county, industry, demand_id",
        ("month", "postings"),
    ),
    "talent_supply_yearly": (_AS_OF_SUPPLY, "year, school, major_code", ("year", "graduates")),
    # gap_id breaks ties: the mart is per year x industry x occupation
    "report_supply_demand_gap": ("report_month = {month}", "year, industry, gap_id", ("gap_id", "year")),
    # indicator_id last: a revised year has one row per vintage
    "report_regional_indicators": (
        "report_month = {month}",
        "region, year, indicator, indicator_id",
        ("region", "year", "indicator", "value", "value_text", "unit", "is_latest_vintage"),
    ),
    "report_headline_monthly": ("month <= {month}", "month", ("month", "postings", "salary_median")),
    "report_top_industries_monthly": ("month <= {month}", "month, industry_rank", ("month", "industry")),
    "report_industry_trend": ("report_month = {month}", "legend_rank", ("industry", "window_postings")),
    "report_gap_by_industry": ("report_month = {month}", "year, industry", ("year", "industry", "gap")),
    "report_graduates": ("report_month = {month}", "year", ("year", "schools", "graduates")),
}
# Marts used when they exist (built after the forecast step, or absent from a small warehouse).
OPTIONAL: dict[str, tuple[str, str]] = {
    "demand_forecast": ("run_month = {month}", "series_id, target_month"),
    "forecast_accuracy": ("run_month = {month}", "series_id, model"),
    "report_forecast_series": ("run_month = {month}", "series_id"),
    "report_forecast_history": ("run_month = {month}", "series_id, month"),
    "report_forecast_accuracy": ("run_month = {month}", "run_month"),
    "report_skill_demand": ("report_month = {month}", "hot_rank"),
    "report_shortage_occupations": ("report_month = {month}", "all"),
    "oversupply_majors": ("month = {month}", "oversupply_rank"),
}


@dataclass(frozen=True)
class Table:
    """One mart as plain Python rows (kept as DuckDB returned them, for exact CSV formatting)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def first(self, column: str) -> Any:
        """The column's value in the first row; None for an empty table or an absent column."""
        if not self.rows or column not in self.columns:
            return None
        return self.rows[0][self.columns.index(column)]


@dataclass(frozen=True)
class ReportData:
    """Everything the report for one month is built from, as of that month. Optional marts are None
    when absent. Names of the per-report-month marts are their base mart's where they replace it."""

    month: str
    as_of: Table  # marts.report_as_of, the month's row
    demand: Table  # marts.talent_demand_monthly up to the month
    supply: Table  # marts.talent_supply_yearly, the cohorts known at the month
    gap: Table  # marts.report_supply_demand_gap (supply_demand_gap as of the month)
    indicators: Table  # marts.report_regional_indicators (regional_indicators as of the month)
    headline: Table  # marts.report_headline_monthly up to the month
    top_industries: Table  # marts.report_top_industries_monthly up to the month
    industry_trend: Table  # marts.report_industry_trend
    gap_by_industry: Table  # marts.report_gap_by_industry
    graduates: Table  # marts.report_graduates
    demand_forecast: Table | None  # the report month's run only
    forecast_accuracy: Table | None  # the report month's run only
    forecast_series: Table | None  # marts.report_forecast_series, the month's run
    forecast_history: Table | None  # marts.report_forecast_history, the month's run
    accuracy_summary: Table | None  # marts.report_forecast_accuracy, the month's run
    skill_demand: Table | None  # marts.report_skill_demand
    shortage: Table | None  # marts.report_shortage_occupations (shortage_occupations as of the month)
    oversupply: Table | None  # marts.oversupply_majors, the month's rows

    def tables(self) -> dict[str, Table]:
        """The tables read, by the name they ship under (what the run id is computed over)."""
        named = {
            "report_as_of": self.as_of,
            "talent_demand_monthly": self.demand,
            "talent_supply_yearly": self.supply,
            "supply_demand_gap": self.gap,
            "regional_indicators": self.indicators,
            "report_headline_monthly": self.headline,
            "report_top_industries_monthly": self.top_industries,
            "report_industry_trend": self.industry_trend,
            "report_gap_by_industry": self.gap_by_industry,
            "report_graduates": self.graduates,
            "demand_forecast": self.demand_forecast,
            "forecast_accuracy": self.forecast_accuracy,
            "report_forecast_series": self.forecast_series,
            "report_forecast_history": self.forecast_history,
            "report_forecast_accuracy": self.accuracy_summary,
            "report_skill_demand": self.skill_demand,
            "shortage_occupations": self.shortage,
            "oversupply_majors": self.oversupply,
        }
        return {name: table for name, table in named.items() if table is not None}


def connect_read_only(path: Path, *, retries: int = 5, backoff: float = 0.2) -> duckdb.DuckDBPyConnection:
    """A read-only connection; waits for a writer's lock (``backoff`` doubled each time, up to 2 s)."""
    if not path.exists():
        raise PublishError(f"DuckDB file {path} does not exist; run the pipeline (talent run) first")
    attempts = max(1, retries)
    waited = 0.0
    for attempt in range(1, attempts + 1):
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            # Only a lock conflict is worth waiting for; anything else (corrupt file, permissions)
            # will not fix itself.
            if "Could not set lock" not in str(exc):
                raise PublishError(f"cannot open {path} read-only: {exc}") from exc
            if attempt == attempts:
                raise PublishError(
                    f"cannot open {path} read-only: another process holds its write lock "
                    f"(gave up after {attempts} attempts over {waited:.1f} s). Wait for the pipeline "
                    f"run (or the open read-write session) to finish and publish again. DuckDB said: {exc}"
                ) from exc
            delay = min(backoff * (2 ** (attempt - 1)), 2.0)
            log.info(
                "DuckDB %s is locked by a writer; retrying in %.2f s (%d/%d)", path, delay, attempt, attempts
            )
            _sleep(delay)
            waited += delay
    raise AssertionError("unreachable")


def latest_data_month(duckdb_path: str | Path, *, retries: int = 5, backoff: float = 0.2) -> str:
    """The newest month (YYYY-MM) in marts.talent_demand_monthly: the default month to publish."""
    path = Path(duckdb_path)
    con = connect_read_only(path, retries=retries, backoff=backoff)
    try:
        value = con.execute("SELECT max(month) FROM marts.talent_demand_monthly").fetchone()[0]
    except duckdb.CatalogException as exc:
        raise PublishError(
            f"table marts.talent_demand_monthly is missing in {path}; build the marts (dbt build) first"
        ) from exc
    finally:
        con.close()
    if value is None:
        raise PublishError(f"marts.talent_demand_monthly in {path} is empty: there is no month to publish")
    return month_key(value)


def _shown_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    """A per-report-month mart's columns less its report month and key (the base mart's columns)."""
    return tuple(
        c for c in columns if c != "report_month" and not (c.startswith("report_") and c.endswith("_id"))
    )


def _read(con: duckdb.DuckDBPyConnection, name: str, where: str, order_by: str, month: str) -> Table:
    probe = con.execute(f"SELECT * FROM marts.{name} LIMIT 0")
    columns = _shown_columns(tuple(d[0] for d in probe.description))
    where_sql = where.format(month="CAST(? AS DATE)")
    query = f"SELECT {', '.join(columns)} FROM marts.{name} WHERE {where_sql} ORDER BY {order_by}"
    rows = con.execute(query, [f"{month}-01"] * where.count("{month}")).fetchall()
    return Table(columns, tuple(tuple(r) for r in rows))


def _check_month(con: duckdb.DuckDBPyConnection, month: str) -> None:
    """PublishError when the report month is outside the months with postings."""
    first, latest = (
        None if v is None else month_key(v)
        for v in con.execute("SELECT min(month), max(month) FROM marts.talent_demand_monthly").fetchone()
    )
    if latest is None:
        raise PublishError(f"cannot publish {month}: marts.talent_demand_monthly is empty")
    if month > latest:
        raise PublishError(
            f"cannot publish {month}: the marts have demand data only up to {latest} "
            f"(latest month available in marts.talent_demand_monthly); run the pipeline or pick {latest} or earlier"
        )
    if month < first:
        raise PublishError(
            f"cannot publish {month}: marts.talent_demand_monthly starts at {first} (latest month available {latest})"
        )


def read_report_data(duckdb_path: Path, month: str, *, retries: int = 5, backoff: float = 0.2) -> ReportData:
    """Read the marts of the report for ``month``, as of that month, into memory and close the connection.
    PublishError when a required mart or column is missing or the month is outside the data."""
    con = connect_read_only(duckdb_path, retries=retries, backoff=backoff)
    try:
        present = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        missing = [name for name in REQUIRED if name not in present]
        if missing:
            raise PublishError(
                f"table(s) {', '.join(f'marts.{n}' for n in missing)} missing in {duckdb_path}; "
                "build the marts (dbt build) first"
            )
        _check_month(con, month)
        required = {}
        for name, (where, order_by, needed) in REQUIRED.items():
            required[name] = table = _read(con, name, where, order_by, month)
            if absent := [c for c in needed if c not in table.columns]:
                raise PublishError(f"marts.{name} in {duckdb_path} lacks column(s) {', '.join(absent)}")
        optional = {
            name: _read(con, name, where, order_by, month)
            for name, (where, order_by) in OPTIONAL.items()
            if name in present
        }
    finally:
        con.close()
    return ReportData(
        month=month,
        as_of=required["report_as_of"],
        demand=required["talent_demand_monthly"],
        supply=required["talent_supply_yearly"],
        gap=required["report_supply_demand_gap"],
        indicators=required["report_regional_indicators"],
        headline=required["report_headline_monthly"],
        top_industries=required["report_top_industries_monthly"],
        industry_trend=required["report_industry_trend"],
        gap_by_industry=required["report_gap_by_industry"],
        graduates=required["report_graduates"],
        demand_forecast=optional.get("demand_forecast"),
        forecast_accuracy=optional.get("forecast_accuracy"),
        forecast_series=optional.get("report_forecast_series"),
        forecast_history=optional.get("report_forecast_history"),
        accuracy_summary=optional.get("report_forecast_accuracy"),
        skill_demand=optional.get("report_skill_demand"),
        shortage=optional.get("report_shortage_occupations"),
        oversupply=optional.get("oversupply_majors"),
    )
