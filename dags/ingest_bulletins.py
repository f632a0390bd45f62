"""Statistics bulletins (统计公报): crawl the bureau's listing, land new bulletins, check them.

Bulletins appear once a year but corrections do too, so the crawl runs monthly; an unchanged page
lands nothing new."""

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from talent.dag_common import RAW_BULLETINS, TASK_DEFAULT_ARGS


@dag(
    schedule="@monthly",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    tags=["talent", "ingest"],
    doc_md=__doc__,
    default_args=TASK_DEFAULT_ARGS,
)
def ingest_bulletins():
    @task(execution_timeout=timedelta(hours=1))
    def extract(dag_run=None) -> dict:
        from talent import tasks

        # Manual runs have no logical date in Airflow 3: the partition falls back to the trigger time.
        return tasks.extract_bulletins(tasks.run_partition(dag_run))

    @task(outlets=[RAW_BULLETINS], execution_timeout=timedelta(minutes=30))
    def validate(landing: dict) -> dict:
        from talent import tasks

        return tasks.validate_landing(landing)

    validate(extract())


ingest_bulletins()
