"""Backfilling the monthly publish DAG: three past months run through real Airflow (`airflow dags
test publish_monthly_report`, as `talent run` and a scheduler catch-up would) give three reports,
each as of its own month: its demand only, the cohorts and bulletins known then, the forecast made
from it (issue 10; the rules are in dbt_project/macros/report_as_of.sql).

The warehouse is built by hand (the four marts, as in test_publish) so the test exercises the publish
DAG alone; the full pipeline is tests/test_e2e.py's job.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

MONTHS = ("2026-06", "2026-07", "2026-08")


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> dict:
    from test_publish import build_marts

    from talent import tasks
    from talent.airflow_env import airflow_env, init_airflow
    from talent.run import publish_logical_date, run_dag

    home = tmp_path_factory.mktemp("backfill")
    warehouse = home / "warehouse"
    warehouse.mkdir()
    marts = build_marts(warehouse, first=(2024, 3), n_months=30)  # 2024-03 … 2026-08
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TALENT_WAREHOUSE_DIR", str(warehouse))
        mp.setenv("TALENT_DUCKDB_PATH", str(marts["path"]))
        env = airflow_env(home / "airflow", fail_fast=True)
        # What the transform records when the marts are complete; the publish DAG waits for it.
        tasks.record_marts_built()
    logs = home / "logs"
    init_airflow(env, logs / "setup.log")
    for month in MONTHS:
        run_dag("publish_monthly_report", publish_logical_date(month), env, logs)
    return {
        "warehouse": warehouse,
        "db": marts["path"],
        "reports": warehouse / "reports",
        "logs": logs,
        "demand": marts["demand"],
    }


def test_three_backfilled_months_give_three_reports(backfilled: dict) -> None:
    reports = backfilled["reports"]
    assert sorted(p.name for p in reports.iterdir() if p.is_dir()) == list(MONTHS)
    for month in MONTHS:
        latest = reports / month / "latest"
        assert latest.is_symlink() and (latest / "report.html").is_file(), month
        manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["month"] == month and manifest["version"] == "v1"
        assert manifest["forecast_vintage"]["run_month"] == month
        forecast = pd.read_csv(latest / "demand_forecast.csv", encoding="utf-8-sig")
        assert set(forecast["run_month"]) == {f"{month}-01"}
        page = (latest / "report.html").read_text(encoding="utf-8")
        assert f"报告期 {int(month[:4])}年{int(month[5:])}月" in page and 'class="forecast-chart"' in page


def test_each_month_kept_its_own_forecast_run(backfilled: dict) -> None:
    with duckdb.connect(str(backfilled["db"]), read_only=True) as con:
        runs = [
            r[0]
            for r in con.execute("select distinct run_month from marts.demand_forecast order by 1").fetchall()
        ]
    assert runs == [date.fromisoformat(f"{m}-01") for m in MONTHS]


def test_each_report_is_as_of_its_month(backfilled: dict) -> None:
    reports = backfilled["reports"]
    last_day = {"2026-06": "30", "2026-07": "31", "2026-08": "31"}
    for month in MONTHS:
        latest = reports / month / "latest"
        manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["as_of"] == {
            "month": month,
            "demand_through": month,
            "supply_cohorts_through": 2025,  # the 2026 cohort is known from September 2026
            "indicators_published_by": f"{month}-{last_day[month]}",
            "forecast_run_month": month,
        }
        demand = pd.read_csv(latest / "talent_demand_monthly.csv", encoding="utf-8-sig")
        assert demand["month"].max() == f"{month}-01"
        gap = pd.read_csv(latest / "supply_demand_gap.csv", encoding="utf-8-sig")
        this_year = gap[gap["year"] == 2026]
        assert this_year["demand_postings"].sum() == sum(
            r[4] for r in backfilled["demand"] if "2026-01" <= f"{r[1]:%Y-%m}" <= month
        )
        page = (latest / "report.html").read_text(encoding="utf-8")
        assert f"数据截至 {int(month[:4])}年{int(month[5:])}月" in page
    # Later months have more 2026 demand, so their demand, gap and shortage files differ.
    for name in ("talent_demand_monthly", "supply_demand_gap", "shortage_occupations"):
        first, last = ((reports / m / "latest" / f"{name}.csv").read_bytes() for m in (MONTHS[0], MONTHS[-1]))
        assert first != last, name
