"""The forecast tables in DuckDB: their columns, the inputs hash a run is keyed by, and the one
short write transaction.

Python writes ``forecast.demand_forecast`` and ``forecast.forecast_accuracy``; dbt declares them as
source ``forecast`` and builds ``marts.demand_forecast`` and ``marts.forecast_accuracy`` over them
(``dbt build --select source:forecast+``, run by talent.tasks.forecast_demand). Python never writes
into ``marts``: that schema belongs to dbt."""

from __future__ import annotations

import hashlib
import json
import logging

from talent.forecast.backtest import BACKTEST_HORIZON, MAX_WINDOWS, MIN_TRAIN_SEASONAL, WINDOW_STEP
from talent.forecast.models import FORECAST_HORIZON
from talent.forecast.series import TOP_N, Series, table_columns

log = logging.getLogger(__name__)

SCHEMA = "forecast"
# Where these tables lived before they became a dbt source (Python wrote them into marts).
LEGACY_SCHEMA = "marts"

# Bump when the method changes in a way that changes numbers: stored runs made by an older method are
# then recomputed instead of being skipped as "unchanged".
METHOD_VERSION = "2"  # 2: nested score, calibrated intervals

# Both tables start with the run and the series they describe.
SERIES_COLUMNS = (
    ("run_month", "date"),
    ("series_id", "varchar"),
    ("measure", "varchar"),
    ("dimension", "varchar"),
    ("member", "varchar"),
    ("label", "varchar"),
)
FORECAST_COLUMNS = (
    ("forecast_id", "varchar"),
    *SERIES_COLUMNS,
    ("target_month", "date"),
    ("horizon", "integer"),
    ("point", "double"),
    ("lo80", "double"),
    ("hi80", "double"),
    ("lo95", "double"),
    ("hi95", "double"),
    ("model", "varchar"),
    ("base_model", "varchar"),
    ("fallback", "varchar"),
    ("reconciliation", "varchar"),
    ("history_months", "integer"),
    ("inputs_sha256", "varchar"),
)
ACCURACY_COLUMNS = (
    ("accuracy_id", "varchar"),
    *SERIES_COLUMNS,
    ("model", "varchar"),
    ("chosen", "boolean"),
    ("mase", "double"),
    ("smape", "double"),
    ("mae", "double"),
    ("coverage80", "double"),
    ("coverage95", "double"),
    ("mase_outer", "double"),
    ("coverage80_calibrated", "double"),
    ("coverage95_calibrated", "double"),
    ("interval_scale80", "double"),
    ("interval_scale95", "double"),
    ("nested_choices", "varchar"),
    ("backtest_horizon", "integer"),
    ("windows", "integer"),
    ("points", "integer"),
    ("mase_scale", "varchar"),
    ("fallback", "varchar"),
    ("inputs_sha256", "varchar"),
)
TABLES = {"demand_forecast": FORECAST_COLUMNS, "forecast_accuracy": ACCURACY_COLUMNS}
TABLE_ORDER = {
    "demand_forecast": "run_month, series_id, target_month",
    "forecast_accuracy": "run_month, series_id, model",
}


def inputs_sha256(run_month: str, series: list[Series]) -> str:
    """What a run is keyed by besides its run month: the series, the method version and the settings."""
    payload = {
        "method": METHOD_VERSION,
        "run_month": run_month,
        "series": [[s.series_id, s.start, [round(v, 9) for v in s.values]] for s in series],
        "config": [FORECAST_HORIZON, BACKTEST_HORIZON, MIN_TRAIN_SEASONAL, MAX_WINDOWS, WINDOW_STEP, TOP_N],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def adopt_legacy_tables(con) -> list[str]:
    """On a warehouse from before the forecast tables moved to schema ``forecast``: copy the rows
    Python wrote into ``marts`` across (every run month), so the archive of earlier runs survives
    dbt replacing ``marts.demand_forecast`` with its model, and an unchanged run is still skipped.

    Only a table missing from ``forecast`` whose ``marts`` namesake has today's columns, or a subset
    of them holding the key columns (those added since are null), is copied; any other layout is left
    alone and simply recomputed. Returns the tables copied."""
    todo = [
        table
        for table in TABLES
        if table_columns(con, table, SCHEMA) is None
        and _carried_over(table, table_columns(con, table, LEGACY_SCHEMA))
    ]
    if not todo:
        return []
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        for table in todo:
            con.execute(
                f"create table {SCHEMA}.{table} as "
                f"{_select_as(table, table_columns(con, table, LEGACY_SCHEMA), f'{LEGACY_SCHEMA}.{table}')} "
                f"order by {TABLE_ORDER[table]}"
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    log.info("copied %s from schema %s into schema %s", ", ".join(todo), LEGACY_SCHEMA, SCHEMA)
    return todo


def stored_sha(con, run_month: str) -> str | None:
    """The inputs hash of the stored run for ``run_month``; None when there is none (or a mix)."""
    if any(table_columns(con, table, SCHEMA) is None for table in TABLES):
        return None
    rows = con.execute(
        f"select distinct inputs_sha256 from {SCHEMA}.demand_forecast where run_month = cast(? as date)",
        [f"{run_month}-01"],
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def stored_counts(con, run_month: str) -> tuple[int, int]:
    """Rows of ``run_month`` in demand_forecast and forecast_accuracy."""
    forecast_rows, accuracy_rows = (
        con.execute(
            f"select count(*) from {SCHEMA}.{table} where run_month = cast(? as date)", [f"{run_month}-01"]
        ).fetchone()[0]
        for table in TABLES
    )
    return forecast_rows, accuracy_rows


def write_tables(con, run_month: str, forecast_rows: list[tuple], accuracy_rows: list[tuple]) -> None:
    """Replace this run month's rows of both tables in one transaction, keeping other run months.

    Earlier run months stay: they are what a later, real out-of-sample check of the forecasts needs,
    and what a report re-published for an earlier month reads.
    """
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        for table, rows in (("demand_forecast", forecast_rows), ("forecast_accuracy", accuracy_rows)):
            columns = TABLES[table]
            names = [c for c, _ in columns]
            ddl = ", ".join(f"{c} {t}" for c, t in columns)
            con.execute(f"create temp table _new ({ddl})")
            if rows:
                con.executemany(f"insert into _new values ({', '.join('?' for _ in names)})", rows)
            existing = table_columns(con, table, SCHEMA)
            keep = ""
            if _carried_over(table, existing):
                # Earlier runs keep the numbers their method made; columns added since are null there.
                keep = (
                    f"{_select_as(table, existing, f'{SCHEMA}.{table}')} "
                    "where run_month <> cast(? as date) union all "
                )
            elif existing is not None:
                log.warning("%s.%s has an older layout; its earlier run months are dropped", SCHEMA, table)
            con.execute(
                f"create temp table _all as {keep}select * from _new", [f"{run_month}-01"] if keep else []
            )
            con.execute(
                f"create or replace table {SCHEMA}.{table} as select * from _all order by {TABLE_ORDER[table]}"
            )
            con.execute("drop table _new")
            con.execute("drop table _all")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _carried_over(table: str, existing: list[str] | None) -> bool:
    """Whether rows of a table with columns ``existing`` can be kept: today's columns or a subset of
    them that still holds the key, run month and series (a layout from before columns were added)."""
    names = [c for c, _ in TABLES[table]]
    key = names[:3]  # the id, run_month, series_id
    return existing is not None and set(existing) <= set(names) and set(key) <= set(existing)


def _select_as(table: str, existing: list[str], source: str) -> str:
    """A select of ``source`` in today's column order, null for the columns it does not have."""
    columns = ", ".join(c if c in existing else f"cast(null as {t}) as {c}" for c, t in TABLES[table])
    return f"select {columns} from {source}"
