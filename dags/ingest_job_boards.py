"""Job boards: pull each configured board's new postings, scrub personal data, land them, check
them, and log a summary (landed / quarantined / duplicates per board).

One mapped task per board (the list comes from config/sources.yml at run time), so adding a board
needs no change here and one failing board does not hide the others' data."""

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from talent.dag_common import RAW_JOB_POSTINGS, TASK_DEFAULT_ARGS


@dag(
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    tags=["talent", "ingest"],
    doc_md=__doc__,
    default_args=TASK_DEFAULT_ARGS,
)
def ingest_job_boards():
    @task(execution_timeout=timedelta(minutes=5))
    def boards() -> list[str]:
        from talent import tasks

        return tasks.list_job_boards()

    # A first crawl of a real board at 1-2 requests a second reads for hours; each fetch has its own
    # deadline (extractors/http.py), this bounds the whole task.
    @task(max_active_tis_per_dagrun=2, execution_timeout=timedelta(hours=3))
    def extract(board: str, dag_run=None, data_interval_start=None, data_interval_end=None) -> dict:
        from talent import tasks

        # The run's data interval bounds the ads read (a manual run has none: everything new); the
        # board's high-water mark starts it.
        partition = tasks.run_partition(dag_run)
        return tasks.extract_job_board(board, partition, data_interval_start, data_interval_end)

    @task(outlets=[RAW_JOB_POSTINGS], execution_timeout=timedelta(minutes=30))
    def validate(landing: dict) -> dict:
        from talent import tasks

        return tasks.validate_landing(landing)

    @task(execution_timeout=timedelta(minutes=10))
    def summarize(validations: list[dict]) -> dict:
        from talent import tasks

        return tasks.summarize_job_boards(list(validations))

    summarize(validate.expand(landing=extract.expand(board=boards())))


ingest_job_boards()
