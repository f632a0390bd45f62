"""`talent run`: the whole pipeline, end to end, through real Airflow.

Runs each DAG with `airflow dags test` (in-process executor, no scheduler) in dependency order:
the three ingest DAGs, the transform DAG they feed, then the monthly publish DAG. Airflow keeps
its metadata in SQLite under a project-local AIRFLOW_HOME, so nothing needs a server. With the
bundled sample sources (the default), the sample site is generated if needed and served on a local port
(8765, or TALENT_SAMPLE_PORT) for the duration of the run."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from talent.settings import ROOT, get_settings

log = logging.getLogger(__name__)

INGEST_DAGS = ("ingest_bulletins", "ingest_job_boards", "ingest_schools")
TRANSFORM_DAG = "transform_warehouse"
PUBLISH_DAG = "publish_monthly_report"
DEFAULT_SAMPLE_PORT = 8765


class PipelineError(RuntimeError):
    pass


@dataclass
class RunResult:
    date: str
    month: str
    warehouse: Path
    report: Path | None
    dag_seconds: dict[str, float] = field(default_factory=dict)


def airflow_env(airflow_home: Path) -> dict[str, str]:
    """Environment for the airflow CLI: project-local home, SQLite metadata, our DAG folder,
    and a small worker count (the default 32 processes swamp a 2-core machine)."""
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "60",
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # A failing task should fail the run now, not after the scheduler's retry delays.
            "TALENT_TASK_RETRIES": "0",
        }
    )
    settings = get_settings()
    # Tasks run in child processes: hand them the same warehouse this process uses.
    env["TALENT_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    env["TALENT_DUCKDB_PATH"] = str(settings.duckdb_path)
    env["TALENT_SOURCES_CONFIG"] = str(settings.sources_config)
    return env


def airflow_executable() -> str:
    candidate = Path(sys.executable).with_name("airflow")
    return str(candidate) if candidate.exists() else "airflow"


def default_airflow_home() -> Path:
    value = os.environ.get("TALENT_AIRFLOW_HOME")
    return Path(value).resolve() if value else ROOT / ".airflow"


def prepare_airflow(env: dict[str, str], log_path: Path) -> None:
    """Migrate the metadata DB (idempotent) and create the one-slot DuckDB pool."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow = airflow_executable()
    for cmd in (
        [airflow, "db", "migrate"],
        [airflow, "pools", "set", "duckdb_warehouse", "1", "DuckDB allows one writer process per file"],
    ):
        _run_logged(cmd, env, log_path)


def _run_logged(cmd: list[str], env: dict[str, str], log_path: Path) -> float:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log_path.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise PipelineError(
            f"`{' '.join(cmd[1:])}` failed (exit {proc.returncode}). Last lines of {log_path}:\n"
            + _log_tail(log_path)
        )
    return time.monotonic() - started


def _log_tail(log_path: Path, lines: int = 40) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    important = [line for line in text if "ERROR" in line or "Error" in line or "error" in line]
    return "\n".join((important[-15:] if important else []) + ["..."] + text[-lines:])


def run_dag(dag_id: str, logical_date: str, env: dict[str, str], log_dir: Path) -> float:
    return _run_logged(
        [airflow_executable(), "dags", "test", dag_id, logical_date], env, log_dir / f"{dag_id}.log"
    )


def _send_server_log_to(path: Path) -> None:
    """One line a request is useful when serving by hand, noise in `talent run`'s progress."""
    server_log = logging.getLogger("sample_sources.server")
    server_log.handlers[:] = [logging.FileHandler(path, encoding="utf-8")]
    server_log.propagate = False


def publish_logical_date(month: str) -> str:
    """The publish DAG's run for a month starts when that month ends (midnight of the 1st of the
    next month in Bazhong); `airflow dags test` then infers the month as its data interval."""
    year, mon = (int(part) for part in month.split("-"))
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return f"{year:04d}-{mon:02d}-01T00:00:00+08:00"


def ensure_sample_site(site_dir: Path, *, seed: int, postings: int, end_month: str) -> dict:
    """Generate the sample site unless one with the same parameters is already there."""
    from sample_sources.generate import generate_site

    truth_path = site_dir / "truth.json"
    if truth_path.exists():
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if (truth.get("seed"), truth.get("postings_requested"), truth.get("end_month")) == (
            seed,
            postings,
            end_month,
        ):
            return truth
    return generate_site(site_dir, seed=seed, postings=postings, end_month=end_month)


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

    server = None
    try:
        env = airflow_env(airflow_home)
        if sample:
            from sample_sources.server import serve_in_thread

            _send_server_log_to(log_dir / "sample-server.log")

            echo(f"· sample sources: {settings.sample_site_dir} (seed {seed}, {postings} postings)")
            ensure_sample_site(settings.sample_site_dir, seed=seed, postings=postings, end_month=end_month)
            # The sample's hand-sent school files go where people drop them: the warehouse inbox.
            from sample_sources.schools import stage_inbox
            from talent.tasks import school_inbox_dir

            stage_inbox(settings.sample_site_dir, school_inbox_dir())
            # A fixed port, not a free one: ads and bulletins keep the URL they were fetched from,
            # so a new port each run would make every landing look new.
            port = int(os.environ.get("TALENT_SAMPLE_PORT", DEFAULT_SAMPLE_PORT))
            try:
                server, base_url = serve_in_thread(settings.sample_site_dir, port=port)
            except OSError as exc:
                raise PipelineError(
                    f"cannot serve the sample sources on 127.0.0.1:{port} ({exc}); stop what uses "
                    "that port or set TALENT_SAMPLE_PORT"
                ) from exc
            env["TALENT_SOURCE_BASE_URL"] = base_url
            echo(f"· serving them at {base_url}")

        echo(f"· airflow metadata: {airflow_home} (logs: {log_dir})")
        prepare_airflow(env, log_dir / "airflow-setup.log")

        result = RunResult(date=date, month="", warehouse=settings.duckdb_path, report=None)
        plan = [(dag_id, date) for dag_id in (*INGEST_DAGS, TRANSFORM_DAG)]
        total = len(plan) + 1
        for step, (dag_id, logical_date) in enumerate(plan, start=1):
            echo(f"[{step}/{total}] {dag_id} ({logical_date}) …")
            seconds = run_dag(dag_id, logical_date, env, log_dir)
            result.dag_seconds[dag_id] = seconds
            echo(f"[{step}/{total}] {dag_id} ok in {seconds:.1f}s")

        from talent.publish import latest_data_month

        result.month = month or latest_data_month(settings.duckdb_path)
        echo(f"[{total}/{total}] {PUBLISH_DAG} (month {result.month}) …")
        seconds = run_dag(PUBLISH_DAG, publish_logical_date(result.month), env, log_dir)
        result.dag_seconds[PUBLISH_DAG] = seconds
        echo(f"[{total}/{total}] {PUBLISH_DAG} ok in {seconds:.1f}s")
        latest = settings.reports_dir / result.month / "latest"
        result.report = latest.resolve() if latest.exists() else None
        return result
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
