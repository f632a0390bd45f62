"""The functions Airflow tasks call. One implementation, two callers: the DAGs in `dags/` and the
`talent` command both come here, so a step behaves the same whichever way it is started.

Each function takes plain values, does its imports inside (DAG files import this module lazily, but
the heavy libraries should load only in the task that needs them) and returns a small JSON-able
summary for XCom and the logs."""

from __future__ import annotations

import logging

from talent.settings import REPORT_TIMEZONE, get_settings

log = logging.getLogger(__name__)


def _sources_config() -> dict:
    from extractors.config import load_sources_config

    return load_sources_config(get_settings().sources_config)


def run_partition(dag_run) -> str:
    """The date (YYYY-MM-DD, UTC as Airflow's ``ds``) a run lands its data under: its logical date,
    or for a run triggered by hand, which has no logical date in Airflow 3, the time it was triggered."""
    when = dag_run.logical_date or dag_run.run_after
    return when.date().isoformat()


def extract_bulletins(partition: str) -> dict:
    from extractors.bulletins import extract_bulletins

    return extract_bulletins(_sources_config(), partition, get_settings().raw_dir).to_dict()


def list_job_boards() -> list[str]:
    return sorted(_sources_config()["job_boards"])


def extract_job_board(board: str, partition: str, data_interval_start=None, data_interval_end=None) -> dict:
    """Land the board's ads of the run's data interval (from its high-water mark; the whole history
    on the first run). A quiet day returns status `nothing_new` and an empty path."""
    from extractors.job_boards import extract_board

    settings = get_settings()
    interval = None
    if data_interval_start is not None or data_interval_end is not None:
        interval = (data_interval_start, data_interval_end)
    return extract_board(
        board,
        _sources_config(),
        partition,
        settings.raw_dir,
        data_interval=interval,
        checkpoint_dir=settings.warehouse_dir / "state" / "checkpoints",
    ).to_dict()


def summarize_job_boards(validations: list[dict]) -> dict:
    """Per board: ads landed, quarantined, accepted, and duplicates among them (reposts and
    cross-posts by exact key), logged as one line a board and returned for XCom."""
    from extractors.job_boards.summary import summarize

    return summarize(validations, get_settings().raw_dir)


def extract_schools(partition: str) -> dict:
    from extractors.schools import extract_schools
    from talent.sample import school_inbox_dir

    settings, config = get_settings(), _sources_config()
    return extract_schools(config, partition, settings.raw_dir, school_inbox_dir(settings, config)).to_dict()


def validate_landing(landing: dict) -> dict:
    """Run the source's expectation suite on a landing summary returned by an extract task."""
    from pathlib import Path

    from expectations import validate_landing as run_suite

    if not landing.get("path"):
        # An incremental job-board run with nothing new landed nothing: nothing to check.
        return {"source": landing.get("source"), "status": landing.get("status"), "rows": 0, "skipped": True}
    settings = get_settings()
    summary = run_suite(
        Path(landing["path"]),
        quarantine_dir=settings.quarantine_dir,
        # GX Data Docs (warehouse/quality/index.html), rebuilt with every validation.
        data_docs_dir=settings.warehouse_dir / "quality",
    )
    return summary.to_dict()


def load_raw() -> dict:
    from talent.load import load_raw
    from talent.writer import writable_warehouse

    settings = get_settings()
    with writable_warehouse(settings.duckdb_path, "load_raw") as path:
        return load_raw(path, settings.raw_dir)


# The models over the forecast tables (and everything downstream of them) wait for the forecast step.
FORECAST_MODELS = "source:forecast+"


def dbt_build() -> dict:
    """Build (and test) every dbt model except those over the forecast tables: the forecast reads these
    marts, and its own marts are built after it, by `forecast_demand`."""
    from talent.dbt import run_dbt
    from talent.writer import writable_warehouse

    with writable_warehouse(get_settings().duckdb_path, "dbt_build") as path:
        return run_dbt(["build", "--exclude", FORECAST_MODELS], duckdb_path=path)


def forecast_demand(run_month: str | None = None) -> dict:
    """Forecast demand from ``run_month`` (default: the latest month with data) into
    forecast.demand_forecast and forecast.forecast_accuracy (a no-op when that run's inputs are
    unchanged), then build the dbt models over them: marts.demand_forecast, marts.forecast_accuracy and
    whatever reads those. The build runs even when the forecast was unchanged: its other inputs may have
    changed since, and on a fresh or migrated warehouse the marts do not exist yet."""
    from talent.dbt import run_dbt
    from talent.forecast import NoDemandData, ensure_forecast
    from talent.serving import publish_snapshot
    from talent.writer import writable_warehouse, writer_lock

    settings = get_settings()
    # The writer lock only around reading the series and writing the result: the backtest in between
    # holds nothing, so a hand-run `talent publish` does not wait for it.
    try:
        run = ensure_forecast(
            settings.duckdb_path, run_month, guard=lambda path: writable_warehouse(path, "forecast")
        ).to_dict()
    except NoDemandData as exc:
        # The first transform often runs on the first source to land (bulletins, schools) before any
        # job-board ads: no forecast on zero evidence, and the marts are not marked complete yet.
        log.warning("no forecast: %s; waiting for job-board data", exc)
        return {"status": "no_demand_data", "reason": str(exc)}
    with writable_warehouse(settings.duckdb_path, "dbt_build_forecast_marts") as path:
        built = run_dbt(["build", "--select", FORECAST_MODELS], duckdb_path=path)
    with writer_lock(settings.duckdb_path, "publish_snapshot"):
        marts = record_marts_built()
        # Readers (analysts, the dashboard, `talent sql`) see the new marts only now, all at once.
        snapshot = publish_snapshot(settings.duckdb_path)
    return {**run, "dbt": built, "marts": marts, "snapshot": snapshot["build_id"]}


def serve_postgres() -> dict:
    """Copy the published snapshot's marts into PostgreSQL for BI tools (talent/serve_postgres.py),
    when `TALENT_SERVING_POSTGRES_URL` names a database; otherwise nothing (the default install needs
    no server). Reads the snapshot only, so it takes no writer lock; the same build is served once."""
    import os

    url = os.environ.get("TALENT_SERVING_POSTGRES_URL")
    if not url:
        log.info("TALENT_SERVING_POSTGRES_URL is not set: not serving the marts to PostgreSQL")
        return {"status": "not_configured"}
    from talent.serve_postgres import serve_postgres as serve
    from talent.serving import current_build

    if current_build() is None:
        log.warning("no published snapshot yet (no forecast without job-board data): nothing to serve")
        return {"status": "no_snapshot"}
    result = serve(url)
    return {k: v for k, v in result.items() if k != "tables"} | {"tables": len(result.get("tables", {}))}


def record_marts_built() -> dict:
    """Note that the marts (forecast included) are complete and up to which month, in
    `state/marts.json`: the publish DAG waits for it without opening the warehouse."""
    import datetime as dt
    import json

    from talent.report import latest_data_month

    settings = get_settings()
    state = {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "latest_month": latest_data_month(settings.duckdb_path),
    }
    path = settings.warehouse_dir / "state" / "marts.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(path)
    return state


def marts_built() -> dict | None:
    """What `record_marts_built` wrote, or None before the first complete transform."""
    import json

    path = get_settings().warehouse_dir / "state" / "marts.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def latest_data_month() -> str:
    from talent.report import latest_data_month

    return latest_data_month(get_settings().duckdb_path)


def report_month(data_interval_start) -> str:
    """The month a publish run reports on: its data interval's start, read in Bazhong's time zone
    (Airflow hands over UTC, where 1 October 00:00 in Bazhong is still 30 September)."""
    from zoneinfo import ZoneInfo

    return data_interval_start.astimezone(ZoneInfo(REPORT_TIMEZONE)).strftime("%Y-%m")


def latest_complete_month(today=None) -> str | None:
    """The newest month that both has data and has ended in Bazhong (a month still under way is
    never reported as if complete); None before the marts exist."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from talent.units import shift_month

    built = marts_built()
    if not built or not built.get("latest_month"):
        return None
    today = today or dt.datetime.now(ZoneInfo(REPORT_TIMEZONE)).date()
    last_ended = shift_month(f"{today.year:04d}-{today.month:02d}", -1)
    return min(built["latest_month"], last_ended)


def publish_month(data_interval_start=None) -> str:
    """The month a publish run reports on: its calendar month (catch-up and backfill runs), capped
    at the latest complete month; a run started by the data or by hand (no interval) reports the
    latest complete month."""
    latest = latest_complete_month()
    if latest is None:
        raise RuntimeError(
            "the marts have not been built yet (no warehouse/state/marts.json): run the transform"
        )
    if data_interval_start is None:
        return latest
    month = report_month(data_interval_start)
    if month > latest:
        log.info("report month %s has no complete data yet; publishing %s instead", month, latest)
        return latest
    return month


def publish_report(month: str) -> dict:
    from talent import __version__, report
    from talent.writer import writer_lock

    settings = get_settings()
    # Not a writer, but it must not read while a step writes (DuckDB refuses a reader then).
    with writer_lock(settings.duckdb_path, "publish"):
        return report.publish_report(
            month,
            duckdb_path=settings.duckdb_path,
            reports_dir=settings.reports_dir,
            code_version=__version__,
            raw_dir=settings.raw_dir,
        ).to_dict()
