"""Load the checked raw landings into DuckDB, build the dbt project (staging → intermediate →
marts, with its tests) and forecast demand from the new marts. Runs whenever any ingest DAG lands
something new.

Every task writes the DuckDB file, which allows one writer process: they run in the one-slot
`duckdb_warehouse` pool, and dbt runs as one task (dbt orders its own models) rather than one
Airflow task per model."""

import pendulum
from airflow.sdk import dag, task

from talent.dag_common import (
    DUCKDB_POOL,
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
    @task(pool=DUCKDB_POOL)
    def load_raw() -> dict:
        from talent import tasks

        return tasks.load_raw()

    @task(pool=DUCKDB_POOL, outlets=[WAREHOUSE_MARTS])
    def dbt_build() -> dict:
        from talent import tasks

        return tasks.dbt_build()

    @task(pool=DUCKDB_POOL)
    def forecast() -> dict:
        """Demand forecasts from the latest month (marts.demand_forecast, marts.forecast_accuracy)."""
        from talent import tasks

        return tasks.forecast_demand()

    load_raw() >> dbt_build() >> forecast()


transform_warehouse()
