"""Publish the monthly talent-demand report.

Two things start a run: the calendar (on the 1st, for the month that just ended; with catch-up, so
a missed month is published when the scheduler comes back, and backfills work) and the data (each
time the transform updates the marts, the latest complete month is re-published; an unchanged
report writes no new version). A run first waits until the marts exist, then reports on its month
as of that month: the demand up to it, the supply cohorts known then and the forecast made from it.
A run for a month the data does not reach yet reports the latest complete month instead."""

from datetime import timedelta

import pendulum
from airflow.sdk import AssetOrTimeSchedule, PokeReturnValue, dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from talent.dag_common import TASK_DEFAULT_ARGS, WAREHOUSE_MARTS


@dag(
    # A data-interval timetable (not the "@monthly" cron trigger): the run that starts on the 1st
    # covers the month that just ended, and its data_interval_start names that month.
    schedule=AssetOrTimeSchedule(
        timetable=CronDataIntervalTimetable("0 0 1 * *", timezone="Asia/Shanghai"),
        assets=WAREHOUSE_MARTS,
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=True,
    max_active_runs=1,
    tags=["talent", "publish"],
    doc_md=__doc__,
    default_args=TASK_DEFAULT_ARGS,
)
def publish_monthly_report():
    # Catch-up runs start the moment the DAG is unpaused, often before any transform has run:
    # wait for built marts (a cheap file check) instead of failing on missing tables.
    @task.sensor(poke_interval=15, timeout=6 * 3600, mode="reschedule", execution_timeout=timedelta(hours=6))
    def marts_built() -> PokeReturnValue:
        from talent import tasks

        return PokeReturnValue(is_done=tasks.marts_built() is not None)

    @task(execution_timeout=timedelta(minutes=10))
    def report_month(data_interval_start=None) -> str:
        from talent import tasks

        return tasks.publish_month(data_interval_start)

    @task(execution_timeout=timedelta(hours=2))
    def forecast(month: str) -> dict:
        from talent import tasks

        return tasks.forecast_demand(month)

    @task(execution_timeout=timedelta(hours=1))
    def publish(month: str) -> dict:
        from talent import tasks

        return tasks.publish_report(month)

    month = report_month()
    marts_built() >> month
    forecast(month) >> publish(month)


publish_monthly_report()
