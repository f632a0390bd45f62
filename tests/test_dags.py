"""The DAG folder parses cleanly, stays thin, and wires the pipeline the way the README says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pendulum
import pytest

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"
EXPECTED = {
    "ingest_bulletins",
    "ingest_job_boards",
    "ingest_schools",
    "transform_warehouse",
    "publish_monthly_report",
}
# Importing any of these at parse time would slow every scheduler loop; tasks import them lazily.
HEAVY_MODULES = ("duckdb", "great_expectations", "dbt", "pandas", "requests", "openpyxl", "extractors")


@pytest.fixture(scope="module")
def dagbag():
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.models.dagbag import DagBag

    return DagBag(str(DAGS))


def test_dag_folder_has_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == EXPECTED


def test_each_dag_file_parses_in_well_under_a_second(dagbag):
    slow = {stat.file: stat.duration.total_seconds() for stat in dagbag.dagbag_stats}
    assert set(slow) >= {f"{dag_id}.py" for dag_id in EXPECTED}
    assert all(seconds < 1.0 for seconds in slow.values()), slow


@pytest.mark.parametrize("dag_file", sorted(p.name for p in DAGS.glob("*.py")))
def test_dag_files_import_no_heavy_libraries(dag_file):
    probe = (
        "import json, runpy, sys\n"
        f"runpy.run_path({str(DAGS / dag_file)!r})\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY_MODULES!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"},
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_no_task_needs_a_pool_a_fresh_airflow_lacks(dagbag):
    # A task in a pool that does not exist stays `scheduled` forever; the DuckDB single writer is a
    # file lock in the task code instead (talent/writer.py, tested in tests/test_writer.py).
    for dag_id in EXPECTED:
        assert {t.pool for t in dagbag.dags[dag_id].tasks} == {"default_pool"}, dag_id


def test_every_task_alerts_on_failure(dagbag):
    from talent.alerts import on_task_failure

    for dag_id in EXPECTED:
        for task in dagbag.dags[dag_id].tasks:
            callbacks = task.on_failure_callback
            callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
            assert on_task_failure in callbacks, (dag_id, task.task_id)


def test_transform_is_scheduled_on_the_assets_the_ingest_dags_produce(dagbag):
    produced = {
        outlet.name
        for dag_id in ("ingest_bulletins", "ingest_job_boards", "ingest_schools")
        for task in dagbag.dags[dag_id].tasks
        for outlet in task.outlets
    }
    assert produced == {"raw_bulletins", "raw_job_postings", "raw_school_records"}
    condition = dagbag.dags["transform_warehouse"].timetable.asset_condition
    assert {asset.name for asset in condition.objects} == produced


def test_publish_runs_monthly_with_catch_up(dagbag):
    dag = dagbag.dags["publish_monthly_report"]
    assert dag.catchup is True
    # The run at the start of November must report on October: a data-interval timetable.
    from talent.tasks import report_month

    calendar = dag.timetable.timetable  # the time half of AssetOrTimeSchedule
    interval = calendar.infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 11, 1, tz="Asia/Shanghai")
    )
    assert report_month(interval.start) == "2026-10"
    assert report_month(interval.end) == "2026-11"


def test_forecast_runs_after_dbt_and_before_publish(dagbag):
    transform = dagbag.dags["transform_warehouse"]
    assert transform.get_task("forecast").upstream_task_ids == {"dbt_build"}
    # The marts Asset is updated only when the forecast over them is written too.
    assert [o.name for o in transform.get_task("forecast").outlets] == ["warehouse_marts"]
    publish = dagbag.dags["publish_monthly_report"]
    assert publish.get_task("report_month").upstream_task_ids == {"marts_built"}
    assert publish.get_task("forecast").upstream_task_ids == {"report_month"}
    assert publish.get_task("publish").upstream_task_ids == {"forecast", "report_month"}


def test_publish_follows_the_marts_asset_as_well_as_the_calendar(dagbag):
    condition = dagbag.dags["publish_monthly_report"].timetable.asset_condition
    assets = getattr(condition, "objects", [condition])
    assert {asset.name for asset in assets} == {"warehouse_marts"}


def test_scheduled_tasks_retry_but_talent_run_fails_fast(dagbag):
    if "TALENT_TASK_RETRIES" in os.environ:
        pytest.skip("TALENT_TASK_RETRIES is set in this environment")
    for dag_id in (
        "ingest_bulletins",
        "ingest_job_boards",
        "ingest_schools",
        "transform_warehouse",
        "publish_monthly_report",
    ):
        assert {t.retries for t in dagbag.dags[dag_id].tasks} == {2}, dag_id
    from talent.airflow_env import airflow_env

    assert airflow_env(ROOT / ".airflow", fail_fast=True)["TALENT_TASK_RETRIES"] == "0"
    assert "TALENT_TASK_RETRIES" not in airflow_env(ROOT / ".airflow")
