"""The monthly 《巴中市重点产业人才需求动态预测报告》, published from the marts.

Data flows one way through the modules:

    read        the marts as of the month (read-only DuckDB, briefly) -> ReportData
    quality     the raw landings' validation results    -> the data-quality summary
    sections/   one module per report section           -> plain dicts for the template
    charts      the one line-chart builder (trend chart and forecast small multiples)
    context     all sections for one month              -> the template context
    render      report.html, CSV, Parquet, manifest.json -> bytes
    store       REPORTS_DIR/YYYY-MM/v<N>/ and `latest`   (fsynced, renamed into place, month lock)
    publish     publish_report: the steps above, in order

Every figure the report prints comes from a dbt model (dbt_project/models/marts/, the report's own in
marts/report/); the sections only select and format. A report is as of its month (demand up to it, the
cohorts and bulletins known then, the forecast made from it; rules in dbt_project/macros/report_as_of.sql),
and manifest.json says so under `as_of`. Contract: docs/contracts.md section 6."""

from talent.report.errors import PublishError
from talent.report.publish import PublishResult, publish_report
from talent.report.read import latest_data_month

__all__ = ["PublishError", "PublishResult", "latest_data_month", "publish_report"]
