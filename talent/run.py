"""`talent run`: the whole pipeline, end to end, through real Airflow.

Runs each DAG with `airflow dags test` (in-process executor, no scheduler) in dependency order:
the three ingest DAGs, the transform DAG they feed, then the monthly publish DAG. Airflow keeps
its metadata in SQLite under a project-local AIRFLOW_HOME, so nothing needs a server. With the
bundled sample sources (the default), the sample site is generated if needed and served on a local port
(8765, or TALENT_SAMPLE_PORT) for the duration of the run, exactly as `talent airflow up` serves it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from talent.airflow_env import (
    AirflowSetupError,
    airflow_env,
    airflow_executable,
    default_airflow_home,
    init_airflow,
    run_logged,
)
from talent.settings import get_settings

INGEST_DAGS = ("ingest_bulletins", "ingest_job_boards", "ingest_schools")
TRANSFORM_DAG = "transform_warehouse"
PUBLISH_DAG = "publish_monthly_report"

# Setup and DAG failures both surface as this one error type in the CLI.
PipelineError = AirflowSetupError


@dataclass
class RunResult:
    date: str
    month: str
    warehouse: Path
    report: Path | None
    dag_seconds: dict[str, float] = field(default_factory=dict)


def run_dag(dag_id: str, logical_date: str, env: dict[str, str], log_dir: Path) -> float:
    return run_logged(
        [airflow_executable(), "dags", "test", dag_id, logical_date], env, log_dir / f"{dag_id}.log"
    )


def publish_logical_date(month: str) -> str:
    """The publish DAG's run for a month starts when that month ends (midnight of the 1st of the
    next month in Bazhong); `airflow dags test` then infers the month as its data interval."""
    year, mon = (int(part) for part in month.split("-"))
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return f"{year:04d}-{mon:02d}-01T00:00:00+08:00"


def run_pipeline(
    *,
    date: str | None = None,
    month: str | None = None,
    sample: bool = True,
    seed: int = 42,
    postings: int = 3000,
    end_month: str = "2026-10",
    airflow_home: Path | None = None,
    echo: Callable[[str], None] = print,
) -> RunResult:
    settings = get_settings()
    date = date or dt.datetime.now(dt.UTC).date().isoformat()
    dt.date.fromisoformat(date)  # fail early on a malformed --date
    airflow_home = airflow_home or default_airflow_home()
    log_dir = settings.warehouse_dir / "logs" / "run" / date
    for path in (settings.raw_dir, settings.quarantine_dir, settings.reports_dir, log_dir):
        path.mkdir(parents=True, exist_ok=True)

    env = airflow_env(airflow_home, fail_fast=True)
    with ExitStack() as resources:
        if sample:
            from extractors.config import load_sources_config
            from talent.sample import SampleSpec, served_sample_sources

            env["TALENT_SOURCE_BASE_URL"] = resources.enter_context(
                served_sample_sources(
                    settings,
                    load_sources_config(settings.sources_config),
                    SampleSpec(seed, postings, end_month),
                    server_log=log_dir / "sample-server.log",
                    echo=echo,
                )
            )

        echo(f"· airflow metadata: {airflow_home} (logs: {log_dir})")
        init_airflow(env, log_dir / "airflow-setup.log")

        result = RunResult(date=date, month="", warehouse=settings.duckdb_path, report=None)
        plan = [(dag_id, date) for dag_id in (*INGEST_DAGS, TRANSFORM_DAG)]
        total = len(plan) + 1
        for step, (dag_id, logical_date) in enumerate(plan, start=1):
            echo(f"[{step}/{total}] {dag_id} ({logical_date}) …")
            seconds = run_dag(dag_id, logical_date, env, log_dir)
            result.dag_seconds[dag_id] = seconds
            echo(f"[{step}/{total}] {dag_id} ok in {seconds:.1f}s")

        from talent.tasks import latest_complete_month

        result.month = month or latest_complete_month() or ""
        if not result.month:
            raise PipelineError("the transform built no marts with demand data: nothing to publish")
        echo(f"[{total}/{total}] {PUBLISH_DAG} (month {result.month}) …")
        seconds = run_dag(PUBLISH_DAG, publish_logical_date(result.month), env, log_dir)
        result.dag_seconds[PUBLISH_DAG] = seconds
        echo(f"[{total}/{total}] {PUBLISH_DAG} ok in {seconds:.1f}s")
        latest = settings.reports_dir / result.month / "latest"
        result.report = latest.resolve() if latest.exists() else None
        return result
