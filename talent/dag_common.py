"""What the talent DAGs share (kept in the installed package, not the DAG folder, so every
parser finds it). Assets they hand to each other: each ingest DAG marks its raw landing as updated,
the transform DAG is scheduled on them, and the publish DAG follows the marts the transform built.

Kept in a module of its own so every DAG file names the same Asset objects (a typo in a
copied URI would silently break the schedule)."""

import os
from datetime import timedelta

from airflow.sdk import Asset

from talent.alerts import on_task_failure

RAW_BULLETINS = Asset(name="raw_bulletins", uri="file:///talent/warehouse/raw/bulletins", group="raw")
RAW_JOB_POSTINGS = Asset(name="raw_job_postings", uri="file:///talent/warehouse/raw/job_boards", group="raw")
RAW_SCHOOL_RECORDS = Asset(
    name="raw_school_records", uri="file:///talent/warehouse/raw/school_records", group="raw"
)
WAREHOUSE_MARTS = Asset(name="warehouse_marts", uri="file:///talent/warehouse/talent.duckdb", group="marts")

# No Airflow pool: the DuckDB file's single writer is a file lock taken by the task code
# (talent/writer.py), so a fresh Airflow given only these DAG files runs them. A pool that does not
# exist would leave tasks `scheduled` forever with only a scheduler warning.

# Retries ride out a flaky source when the scheduler runs the DAGs. `talent run` sets
# TALENT_TASK_RETRIES=0: under `airflow dags test` a retry only delays the report of a failure, and
# the user is there to re-run. A failed try logs one readable line and, when the Airflow connection
# `talent_alerts` exists, posts it to that webhook (talent/alerts.py).
TASK_DEFAULT_ARGS = {
    "retries": int(os.environ.get("TALENT_TASK_RETRIES", "2")),
    "retry_delay": timedelta(minutes=5),
    "on_failure_callback": on_task_failure,
}
