"""School records: exports published by the schools and files dropped into the inbox folder
(enrolment, graduates and destinations by major), landed and checked."""

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from talent.dag_common import RAW_SCHOOL_RECORDS, TASK_DEFAULT_ARGS


@dag(
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    tags=["talent", "ingest"],
    doc_md=__doc__,
    default_args=TASK_DEFAULT_ARGS,
)
def ingest_schools():
    @task(execution_timeout=timedelta(hours=1))
    def extract(dag_run=None) -> dict:
        from talent import tasks

        # Manual runs have no logical date in Airflow 3: the partition falls back to the trigger time.
        return tasks.extract_schools(tasks.run_partition(dag_run))

    @task(outlets=[RAW_SCHOOL_RECORDS], execution_timeout=timedelta(minutes=30))
    def validate(landing: dict) -> dict:
        from talent import tasks

        return tasks.validate_landing(landing)

    validate(extract())


ingest_schools()
