"""Load the checked raw landings into DuckDB, build the dbt project (staging → intermediate →
marts, with its tests) and forecast demand from the new marts. Runs whenever any ingest DAG lands
something new, and marks the marts Asset updated when all of it is done, which the publish DAG follows.

Every task writes the DuckDB file, which allows one writer process: each takes the warehouse's
writer lock (talent/writer.py) and waits its turn, and dbt runs as one task (dbt orders its own
models) rather than one Airflow task per model."""

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from talent.dag_common import (
    RAW_BULLETINS,
    RAW_JOB_POSTINGS,
    RAW_SCHOOL_RECORDS,
    TASK_DEFAULT_ARGS,
    WAREHOUSE_MARTS,
)


@dag(
    schedule=(RAW_BULLETINS | RAW_JOB_POSTINGS | RAW_SCHOOL_RECORDS),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=TASK_DEFAULT_ARGS,
    tags=["talent", "transform"],
    doc_md=__doc__,
)
def transform_warehouse():
    # Generous bounds: each task may first wait for the writer lock held by another.
    @task(execution_timeout=timedelta(hours=1))
    def load_raw() -> dict:
        from talent import tasks

        return tasks.load_raw()

    @task(execution_timeout=timedelta(hours=2))
    def dbt_build() -> dict:
        from talent import tasks

        return tasks.dbt_build()

    @task(outlets=[WAREHOUSE_MARTS], execution_timeout=timedelta(hours=2))
    def forecast() -> dict:
        """Demand forecasts from the latest month, the marts over them, and the built-marts record."""
        from talent import tasks

        return tasks.forecast_demand()

    @task(execution_timeout=timedelta(hours=1))
    def serve_postgres() -> dict:
        """The snapshot's marts into PostgreSQL for BI tools; a no-op unless TALENT_SERVING_POSTGRES_URL is set."""
        from talent import tasks

        return tasks.serve_postgres()

    load_raw() >> dbt_build() >> forecast() >> serve_postgres()


transform_warehouse()
