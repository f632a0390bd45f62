"""The functions Airflow tasks call. One implementation, two callers: the DAGs in `dags/` and the
`talent` command both come here, so a step behaves the same whichever way it is started.

Each function takes plain values, does its imports inside (DAG files import this module lazily, but
the heavy libraries should load only in the task that needs them) and returns a small JSON-able
summary for XCom and the logs."""

from __future__ import annotations

import logging

from talent.settings import get_settings

log = logging.getLogger(__name__)

REPORT_TIMEZONE = "Asia/Shanghai"


def _sources_config() -> dict:
    from extractors.config import load_sources_config

    return load_sources_config(get_settings().sources_config)


def extract_bulletins(partition: str) -> dict:
    from extractors.bulletins import extract_bulletins as run

    return run(_sources_config(), partition, get_settings().raw_dir).to_dict()


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


def school_inbox_dir(config: dict | None = None):
    """The folder people drop school exports into (`schools.inbox`, relative to the warehouse)."""
    config = config or _sources_config()
    return get_settings().warehouse_dir / (config.get("schools") or {}).get("inbox", "inbox/schools")


def extract_schools(partition: str) -> dict:
    from extractors.schools import extract_schools as run

    config = _sources_config()
    return run(config, partition, get_settings().raw_dir, school_inbox_dir(config)).to_dict()


def validate_landing(landing: dict) -> dict:
    """Run the source's expectation suite on a landing summary returned by an extract task."""
    from pathlib import Path

    from expectations import validate_landing as run

    if not landing.get("path"):
        # An incremental job-board run with nothing new landed nothing: nothing to check.
        return {"source": landing.get("source"), "status": landing.get("status"), "rows": 0, "skipped": True}
    summary = run(Path(landing["path"]), quarantine_dir=get_settings().quarantine_dir)
    return summary.to_dict()


def load_raw() -> dict:
    from talent.load import load_raw as run

    settings = get_settings()
    return run(settings.duckdb_path, settings.raw_dir)


def dbt_build() -> dict:
    from talent.dbt import run_dbt

    return run_dbt(["build"])


def forecast_demand(run_month: str | None = None) -> dict:
    """Forecast demand from ``run_month`` (default: the latest month with data) into
    marts.demand_forecast and marts.forecast_accuracy; a no-op when that run's inputs are unchanged."""
    from talent.forecast import ensure_forecast

    return ensure_forecast(get_settings().duckdb_path, run_month).to_dict()


def latest_data_month() -> str:
    from talent.publish import latest_data_month as run

    return run(get_settings().duckdb_path)


def report_month(data_interval_start) -> str:
    """The month a publish run reports on: its data interval's start, read in Bazhong's time zone
    (Airflow hands over UTC, where 1 October 00:00 in Bazhong is still 30 September)."""
    from zoneinfo import ZoneInfo

    return data_interval_start.astimezone(ZoneInfo(REPORT_TIMEZONE)).strftime("%Y-%m")


def publish_report(month: str) -> dict:
    from talent import __version__
    from talent.publish import publish_report as run

    settings = get_settings()
    return run(
        month,
        duckdb_path=settings.duckdb_path,
        reports_dir=settings.reports_dir,
        code_version=__version__,
        raw_dir=settings.raw_dir,
        quarantine_dir=settings.quarantine_dir,
    ).to_dict()
