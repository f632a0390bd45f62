"""What the talent DAGs share (kept in the installed package, not the DAG folder, so every
parser finds it). Assets they hand to each other: each ingest DAG marks its raw landing as updated,
the transform DAG is scheduled on them, and the publish DAG reads what the transform produces.

Kept in a module of its own so every DAG file names the same Asset objects (a typo in a
copied URI would silently break the schedule)."""

import os
from datetime import timedelta

from airflow.sdk import Asset

RAW_BULLETINS = Asset(name="raw_bulletins", uri="file:///talent/warehouse/raw/bulletins", group="raw")
RAW_JOB_POSTINGS = Asset(name="raw_job_postings", uri="file:///talent/warehouse/raw/job_boards", group="raw")
RAW_SCHOOL_RECORDS = Asset(
    name="raw_school_records", uri="file:///talent/warehouse/raw/school_records", group="raw"
)
WAREHOUSE_MARTS = Asset(name="warehouse_marts", uri="file:///talent/warehouse/talent.duckdb", group="marts")

# Every task that opens the DuckDB file runs in this one-slot pool: DuckDB allows a single
# read-write process per file. `talent run` creates it; on a server, `airflow pools set
# duckdb_warehouse 1 "DuckDB single writer"`.
DUCKDB_POOL = "duckdb_warehouse"

# Retries ride out a flaky source or a reader briefly holding the DuckDB file when the scheduler
# runs the DAGs. `talent run` sets TALENT_TASK_RETRIES=0: under `airflow dags test` a retry only
# delays the report of a failure, and the user is there to re-run.
TASK_DEFAULT_ARGS = {
    "retries": int(os.environ.get("TALENT_TASK_RETRIES", "2")),
    "retry_delay": timedelta(minutes=5),
}
