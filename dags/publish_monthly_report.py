"""Publish the monthly talent-demand report for the month that just ended.

Scheduled at the start of each month with catch-up, so a missed month is published when the
scheduler comes back; the report for a run covers its data interval's month. The forecast task
first makes sure the demand forecast from that month exists (a no-op when the transform already
made it on the same data), so a backfilled month gets the forecast it would have had then."""

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from talent.dag_common import DUCKDB_POOL


@dag(
    # A data-interval timetable (not the "@monthly" cron trigger): the run that starts on the 1st
    # covers the month that just ended, and its data_interval_start names that month.
    schedule=CronDataIntervalTimetable("0 0 1 * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=True,
    max_active_runs=1,
    tags=["talent", "publish"],
    doc_md=__doc__,
)
def publish_monthly_report():
    @task(pool=DUCKDB_POOL)
    def forecast(data_interval_start=None) -> dict:
        from talent import tasks

        return tasks.forecast_demand(tasks.report_month(data_interval_start))

    @task(pool=DUCKDB_POOL)
    def publish(data_interval_start=None) -> dict:
        from talent import tasks

        return tasks.publish_report(tasks.report_month(data_interval_start))

    forecast() >> publish()


publish_monthly_report()
