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


def extract_job_board(board: str, partition: str) -> dict:
    from extractors.job_boards import extract_board

    return extract_board(board, _sources_config(), partition, get_settings().raw_dir).to_dict()


def extract_schools(partition: str) -> dict:
    from extractors.schools import extract_schools as run

    settings = get_settings()
    config = _sources_config()
    inbox = settings.warehouse_dir / config["schools"].get("inbox", "inbox/schools")
    return run(config, partition, settings.raw_dir, inbox).to_dict()


def validate_landing(landing: dict) -> dict:
    """Run the source's expectation suite on a landing summary returned by an extract task."""
    from pathlib import Path

    from expectations import validate_landing as run

    summary = run(Path(landing["path"]), quarantine_dir=get_settings().quarantine_dir)
    return summary.to_dict()


def load_raw() -> dict:
    from talent.load import load_raw as run

    settings = get_settings()
    return run(settings.duckdb_path, settings.raw_dir)


def dbt_build() -> dict:
    from talent.dbt import run_dbt

    return run_dbt(["build"])


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
        month, duckdb_path=settings.duckdb_path, reports_dir=settings.reports_dir, code_version=__version__
    ).to_dict()
