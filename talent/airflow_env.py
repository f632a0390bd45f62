"""The Airflow environment the project runs in, one definition for its three ways of starting:
`talent run` (`airflow dags test`, SQLite metadata), `talent airflow up` (the real scheduler stack,
LocalExecutor on SQLite or CeleryExecutor on Redis + PostgreSQL) and `talent airflow -- ARGS` (the
airflow CLI with the same settings). docker-compose sets the same variables for a team server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from talent.settings import ROOT, get_settings

DEFAULT_API_PORT = 8080
DEFAULT_METADATA_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/talent_airflow"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}


class AirflowSetupError(RuntimeError):
    pass


def airflow_executable() -> str:
    candidate = Path(sys.executable).with_name("airflow")
    return str(candidate) if candidate.exists() else "airflow"


def default_airflow_home() -> Path:
    value = os.environ.get("TALENT_AIRFLOW_HOME")
    return Path(value).resolve() if value else ROOT / ".airflow"


def airflow_env(
    airflow_home: Path,
    *,
    executor: str = "local",
    metadata_url: str | None = None,
    broker_url: str | None = None,
    api_port: int | None = None,
    fail_fast: bool = False,
) -> dict[str, str]:
    """Environment for every airflow process: project-local home, our DAG folder, a small worker
    count (the default 32 processes swamp a 2-core machine) and the warehouse of this process.

    ``executor`` "local" keeps SQLite metadata unless ``metadata_url`` is given; "celery" needs a
    PostgreSQL metadata DB (SQLite cannot be shared with workers) and a Redis broker."""
    if executor not in EXECUTORS:
        raise AirflowSetupError(f"executor must be one of {sorted(EXECUTORS)}, got {executor!r}")
    settings = get_settings()
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "60",
            "AIRFLOW__CORE__EXECUTOR": EXECUTORS[executor],
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # Tasks run in child processes (or Celery workers): hand them this process's warehouse.
            "TALENT_WAREHOUSE_DIR": str(settings.warehouse_dir),
            "TALENT_DUCKDB_PATH": str(settings.duckdb_path),
            "TALENT_SOURCES_CONFIG": str(settings.sources_config),
        }
    )
    if fail_fast:
        # Under `airflow dags test` a retry only delays the report of a failure; the user is there.
        env["TALENT_TASK_RETRIES"] = "0"
    if executor == "celery":
        # A deployment's own settings (docker-compose sets them) win over this machine's defaults.
        metadata_url = metadata_url or env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN") or DEFAULT_METADATA_URL
        env["AIRFLOW__CELERY__BROKER_URL"] = (
            broker_url or env.get("AIRFLOW__CELERY__BROKER_URL") or DEFAULT_BROKER_URL
        )
        # Keep the driver in the URL: SQLAlchemy 2.1's default PostgreSQL driver is psycopg 3, not installed.
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + metadata_url
        env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = "2"
    if metadata_url:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata_url
    if api_port is not None:
        env["AIRFLOW__API__HOST"] = "127.0.0.1"
        env["AIRFLOW__API__PORT"] = str(api_port)
        env["AIRFLOW__API__BASE_URL"] = f"http://127.0.0.1:{api_port}"
        # Tasks report their state to the api-server's execution API.
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://127.0.0.1:{api_port}/execution/"
        # Task logs beside the components' logs, where `talent airflow up` says they are.
        env["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] = str(settings.warehouse_dir / "logs" / "airflow" / "tasks")
    return env


def ensure_postgres_database(metadata_url: str) -> None:
    """Create the metadata database named in ``metadata_url`` if the server lacks it (idempotent)."""
    parts = urlsplit(metadata_url.replace("+psycopg2", ""))
    if not parts.scheme.startswith("postgresql"):
        return
    import psycopg2

    name = parts.path.lstrip("/")
    try:
        con = psycopg2.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or "",
            dbname="postgres",
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        raise AirflowSetupError(
            f"cannot reach PostgreSQL for the Airflow metadata at {parts.hostname}:{parts.port or 5432} "
            f"({str(exc).strip()}); start it or pass --metadata-url"
        ) from exc
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("select 1 from pg_database where datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'create database "{name}"')
    con.close()


def run_logged(cmd: list[str], env: dict[str, str], log_path: Path) -> float:
    """Run one command with its output appended to ``log_path``; raise with the log's tail on failure."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log_path.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise AirflowSetupError(
            f"`{' '.join(cmd[1:])}` failed (exit {proc.returncode}). Last lines of {log_path}:\n"
            + log_tail(log_path)
        )
    return time.monotonic() - started


def log_tail(log_path: Path, lines: int = 40) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    important = [line for line in text if "ERROR" in line or "Error" in line or "error" in line]
    return "\n".join((important[-15:] if important else []) + ["..."] + text[-lines:])


def init_airflow(env: dict[str, str], log_path: Path) -> None:
    """Everything the DAGs need from an Airflow, created idempotently: the metadata schema. The
    DAGs use no pool, connection or variable that must exist (the warehouse's single writer is a
    file lock, the alert webhook connection is optional), so a fresh Airflow given only the DAG
    files runs them."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    metadata_url = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if metadata_url:
        ensure_postgres_database(metadata_url)
    run_logged([airflow_executable(), "db", "migrate"], env, log_path)
