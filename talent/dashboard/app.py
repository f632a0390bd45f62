"""The Dash application: page per request, one callback that redraws everything for the filters,
and two static folders (the newest report, the Data Docs) served beside it.

Every request opens the published snapshot afresh (`read_snapshot` resolves the link once per
connection), so a new build shows on the next page load or filter change, one build at a time, and
the dashboard never touches the pipeline's own DuckDB file."""

from __future__ import annotations

import logging
from typing import Any

from dash import Dash, Input, Output
from flask import abort, send_from_directory

from talent.dashboard import charts, freshness, layout, queries
from talent.serving import SnapshotMissing, read_snapshot
from talent.units import month_cn, month_key

log = logging.getLogger(__name__)

REPORT_ROUTE = "/report/latest/"
QUALITY_ROUTE = "/quality/"
MEASURES = {"postings", "headcount"}


def _links() -> list[tuple[str, str]]:
    links = []
    if freshness.latest_report_dir() is not None:
        links.append(("最新月度报告", REPORT_ROUTE + "report.html"))
    index = freshness.quality_docs_index()
    if index is not None:
        links.append(("数据质量文档（Data Docs）", QUALITY_ROUTE + index))
    return links


class DashboardApp(Dash):
    def interpolate_index(self, **kwargs: Any) -> str:
        """Dash's page with our server-rendered header (see layout.header_html)."""
        page = super().interpolate_index(**kwargs)
        latest_month = None
        try:
            with read_snapshot() as con:
                latest_month = queries.options(con)["latest_month"]
        except SnapshotMissing:
            pass
        header = layout.header_html(latest_month, freshness.snapshot_info(), _links())
        return page.replace("<!--HEADER-->", header, 1)


# What the filters redraw: (component id, property), in the order `update` returns them.
OUTPUTS = (
    ("kpis", "children"),
    ("chart-industry", "figure"),
    ("sub-industry", "children"),
    ("chart-county", "figure"),
    ("sub-county", "children"),
    ("chart-forecast", "figure"),
    ("sub-forecast", "children"),
    ("table-shortage", "children"),
    ("sub-shortage", "children"),
    ("chart-majors", "figure"),
    ("sub-majors", "children"),
    ("table-quality", "children"),
    ("sub-quality", "children"),
)
DEFAULTS = (None, None, 12, "postings")  # county, industry, months, measure: as the filters start


def _serve_page() -> Any:
    try:
        with read_snapshot() as con:
            opts = queries.options(con)
        initial = dict(zip((id_ for id_, _ in OUTPUTS), update(*DEFAULTS), strict=True))
    except SnapshotMissing as err:
        return layout.missing_page(f"{err}。")
    return layout.page(opts, initial)


def update(county: str | None, industry: str | None, months: Any, measure: str | None) -> tuple:
    """Everything on the page that depends on the filters, read from one snapshot build."""
    f = queries.Filters.of(county, industry, months)
    measure = measure if measure in MEASURES else "postings"
    period = queries.PERIODS.get(f.months, "全部月份")
    with read_snapshot() as con:
        opts = queries.options(con)
        latest = opts["latest_month"]
        leading = {i["name"] for i in opts["industries"] if i["leading"]}
        industry_order = [i["name"] for i in opts["industries"]]
        kpis = queries.kpis(con, f, latest)
        by_industry = queries.demand_by_industry_month(con, f, latest)
        by_county = queries.demand_by_county(con, f, latest)
        series = queries.forecast_series(con, f, measure)
        shortage_year, shortage = queries.shortage_list(con, f)
        majors_month, majors_year, majors = queries.majors_vs_demand(con, f)
        coverage = queries.coverage(con)
    where = (f.county or "全市") + (f" · {f.industry}" if f.industry else "")
    scope = {"city": "全市", "industry": f"产业：{series['member']}", "county": f"县区：{series['member']}"}
    forecast_sub = (
        f"{scope[series['dimension']]} · {charts.MEASURE_CN[series['measure']]} · "
        f"预测批次 {month_cn(month_key(series['run_month'])) if series['run_month'] else '—'}"
        + "".join(f" · {note}" for note in series["notes"])
    )
    majors_sub = (
        f"{majors_year or '—'}届毕业生 · 需求为{month_cn(month_key(majors_month))}起未来12个月"
        if majors_month
        else "暂无数据"
    )
    quality_rows = freshness.source_quality(coverage)
    snapshot = freshness.snapshot_info()
    return (
        layout.kpi_cards(kpis, period),
        charts.demand_by_industry(by_industry, industry_order, leading),
        f"{where} · {period} · 按月、按产业堆叠",
        charts.demand_by_county(by_county, f.county),
        f"{f.industry or '全部产业'} · {period} · 选中县区高亮",
        charts.forecast(series),
        forecast_sub,
        layout.shortage_table(shortage),
        layout.shortage_sub(shortage_year, shortage, f.industry),
        charts.majors(majors),
        majors_sub + f" · {f.industry or '全部产业'} · 全市口径",
        layout.quality_table(quality_rows, snapshot),
        f"数据快照 {snapshot['built_at']}（北京时间，{snapshot['tables']} 张表）· 隔离：未通过校验、未入库的行",
    )


def create_app() -> Dash:
    app = DashboardApp(
        __name__,
        title=layout.TITLE,
        update_title=None,  # Dash's default retitles the tab "Updating..." (English) on each change
        serve_locally=True,  # scripts from the installed packages, never a CDN
        include_assets_files=False,  # no asset folder: the stylesheet is inline
        compress=False,
    )
    app.index_string = layout.INDEX_STRING
    app.layout = _serve_page
    app.callback(
        *(Output(id_, prop) for id_, prop in OUTPUTS),
        Input("filter-county", "value"),
        Input("filter-industry", "value"),
        Input("filter-months", "value"),
        Input("filter-measure", "value"),
        prevent_initial_call=True,  # the page arrives drawn for the default filters
    )(update)

    server = app.server

    @server.route(REPORT_ROUTE + "<path:name>")
    def report_file(name: str):
        folder = freshness.latest_report_dir()
        if folder is None:
            abort(404)
        return send_from_directory(folder.resolve(), name)

    @server.route(QUALITY_ROUTE + "<path:name>")
    def quality_file(name: str):
        folder = freshness.quality_docs_dir()
        if folder is None:
            abort(404)
        return send_from_directory(folder.resolve(), name)

    return app


def serve(port: int, host: str = "127.0.0.1") -> None:
    """Serve until interrupted. A threaded WSGI server: Dash loads several scripts at once."""
    from werkzeug.serving import make_server

    # One line per request is noise for a dashboard; warnings and errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app()  # builds the page once to validate it, which also warms imports and Plotly
    httpd = make_server(host, port, app.server, threaded=True)
    print(f"dashboard: http://{host}:{httpd.server_port}/   (Ctrl-C stops it)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
