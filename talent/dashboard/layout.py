"""The page: header with links, filters, headline numbers, charts and tables, in Chinese.

The stylesheet is inlined into the page template (no asset files to package, nothing fetched from
elsewhere); fonts are the reader's own CJK fonts through a font-family stack."""

from __future__ import annotations

from html import escape
from typing import Any

from dash import dcc, html

from talent.dashboard.charts import FONT_STACK
from talent.dashboard.queries import PERIODS
from talent.settings import CITY
from talent.units import fmt_int, fmt_num, fmt_pct, month_cn, month_key, to_int, to_number

TITLE = f"{CITY}重点产业人才数据驾驶舱"
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
MAJORS_HEIGHT = 520

CSS = f"""
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #f3f5f7; color: #263238; font-family: {FONT_STACK}; font-size: 14px; }}
header {{ background: #1f4e79; color: #fff; padding: 14px 28px; display: flex; flex-wrap: wrap;
  align-items: baseline; gap: 8px 24px; }}
header h1 {{ margin: 0; font-size: 22px; font-weight: 700; letter-spacing: 1px; }}
header .meta {{ font-size: 13px; opacity: .85; }}
header nav {{ margin-left: auto; display: flex; gap: 16px; }}
header a {{ color: #fff; }}
main {{ padding: 16px 28px 32px; max-width: 1480px; margin: 0 auto; }}
.filters {{ display: flex; flex-wrap: wrap; gap: 16px; align-items: end; background: #fff; padding: 12px 16px;
  border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }}
.filters label {{ display: block; font-size: 12px; color: #546e7a; margin-bottom: 4px; }}
.filters .field {{ min-width: 190px; }}
.filters .radio label {{ display: inline-block; margin: 0 12px 0 0; font-size: 14px; color: #263238; }}
.kpis {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; margin: 14px 0; }}
.kpi {{ background: #fff; border-radius: 6px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.06);
  border-top: 3px solid #1f4e79; }}
.kpi .label {{ font-size: 12px; color: #607d8b; }}
.kpi .value {{ font-size: 26px; font-weight: 700; margin-top: 4px; font-variant-numeric: tabular-nums; }}
.kpi .note {{ font-size: 12px; color: #78909c; margin-top: 2px; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 14px; }}
.card {{ background: #fff; border-radius: 6px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.06);
  min-width: 0; }}
.card h2 {{ font-size: 16px; margin: 0 0 2px; }}
.card .sub {{ font-size: 12px; color: #78909c; margin-bottom: 6px; min-height: 16px; }}
.wide {{ grid-column: 1 / -1; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }}
th, td {{ padding: 6px 8px; border-bottom: 1px solid #eceff1; text-align: right; white-space: nowrap; }}
th {{ color: #546e7a; font-weight: 600; background: #fafbfc; }}
td.text, th.text {{ text-align: left; }}
/* A long occupation name wraps rather than push the verdict out of its card. */
td.name {{ white-space: normal; min-width: 8em; }}
td.verdict {{ min-width: 5em; }}
.up {{ color: #c62828; }} .down {{ color: #2e7d32; }} .new {{ color: #ef6c00; }}
.ok {{ color: #2e7d32; }} .warn {{ color: #c62828; font-weight: 600; }}
.risk-high {{ color: #c62828; font-weight: 600; }} .risk-medium {{ color: #ef6c00; }} .risk-low {{ color: #2e7d32; }}
.notice {{ background: #fff8e1; border: 1px solid #ffe082; padding: 16px; border-radius: 6px; }}
footer {{ font-size: 12px; color: #90a4ae; text-align: center; padding: 8px 0 24px; }}
/* Dash's placeholder says "Loading..."; show it in Chinese. */
._dash-loading {{ padding: 40px; font-size: 0; }}
._dash-loading::after {{ content: "数据加载中……"; font-size: 16px; color: #607d8b; }}
"""

# Dash's page template, in Chinese, with the stylesheet inline; {%…%} are Dash's placeholders.
INDEX_STRING = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{{%metas%}}
<title>{{%title%}}</title>
{{%favicon%}}
{{%css%}}
<style>{CSS}</style>
</head>
<body>
<!--HEADER-->
{{%app_entry%}}
<footer>{{%config%}}{{%scripts%}}{{%renderer%}}</footer>
</body>
</html>"""


def _dropdown(id_: str, options: list[dict[str, str]], placeholder: str) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=id_,
        options=options,
        value="",
        clearable=False,
        searchable=False,
        placeholder=placeholder,
        labels={
            "select_all": "全选",
            "deselect_all": "全不选",
            "selected_count": "已选 {num_selected} 项",
            "search": "搜索",
            "clear_search": "清除搜索",
            "clear_selection": "清除选择",
            "no_options_found": "无匹配选项",
        },
    )


def filters(opts: dict[str, Any]) -> html.Div:
    industries = [{"label": "全部产业", "value": ""}] + [
        {"label": f"{i['name']}（1+3 主导产业）" if i["leading"] else i["name"], "value": i["name"]}
        for i in opts["industries"]
    ]
    counties = [{"label": "全市（全部县区）", "value": ""}] + [
        {"label": "巴中市（县区不详）" if c["city_level"] else c["name"], "value": c["name"]}
        for c in opts["counties"]
    ]
    return html.Div(
        className="filters",
        children=[
            html.Div(
                [
                    html.Label("产业", htmlFor="filter-industry"),
                    _dropdown("filter-industry", industries, "产业"),
                ],
                className="field",
            ),
            html.Div(
                [html.Label("县区", htmlFor="filter-county"), _dropdown("filter-county", counties, "县区")],
                className="field",
            ),
            html.Div(
                [
                    html.Label("时间范围"),
                    dcc.RadioItems(
                        id="filter-months",
                        options=[{"label": label, "value": months} for months, label in PERIODS.items()],
                        value=12,
                        inline=True,
                        className="radio",
                    ),
                ],
                className="field",
            ),
            html.Div(
                [
                    html.Label("预测指标"),
                    dcc.RadioItems(
                        id="filter-measure",
                        options=[
                            {"label": "招聘岗位数", "value": "postings"},
                            {"label": "招聘人数", "value": "headcount"},
                        ],
                        value="postings",
                        inline=True,
                        className="radio",
                    ),
                ],
                className="field",
            ),
        ],
    )


def _card(title: str, body: Any, sub_id: str, initial: dict[str, Any], wide: bool = False) -> html.Section:
    return html.Section(
        className="card wide" if wide else "card",
        children=[html.H2(title), html.Div(initial.get(sub_id), id=sub_id, className="sub"), body],
    )


def _graph(id_: str, initial: dict[str, Any], height: int = 340) -> dcc.Graph:
    # A responsive Plotly graph takes its container's height: give it one, or it collapses.
    figure = initial.get(id_)
    return dcc.Graph(
        id=id_, config=GRAPH_CONFIG, style={"height": f"{height}px"}, **({"figure": figure} if figure else {})
    )


def header_html(latest_month: Any, snapshot: dict[str, Any], links: list[tuple[str, str]]) -> str:
    """The page header, rendered by the server into the HTML itself, so the title and the data's date
    paint at once, before any script runs."""
    as_of = month_cn(month_key(latest_month)) if latest_month else "—"
    meta = (
        f"招聘数据截至 {as_of} · 数据快照 {snapshot['built_at']}（北京时间）"
        if snapshot.get("build_id")
        else ""
    )
    nav = "".join(f'<a href="{escape(href)}" target="_blank">{escape(text)}</a>' for text, href in links)
    return (
        f'<header><h1 id="title">{escape(TITLE)}</h1><span class="meta">{escape(meta)}</span>'
        f"<nav>{nav}</nav></header>"
    )


def page(opts: dict[str, Any], initial: dict[str, Any]) -> html.Div:
    """The page with its first state already filled in (`initial`: component id → content for the
    default filters), so it draws without waiting for a callback round trip."""
    return html.Div(
        [
            html.Main(
                [
                    filters(opts),
                    html.Div(initial.get("kpis"), id="kpis", className="kpis"),
                    html.Div(
                        className="grid",
                        children=[
                            _card(
                                "各产业招聘需求（1+3 主导产业）",
                                _graph("chart-industry", initial),
                                "sub-industry",
                                initial,
                            ),
                            _card("各县区招聘需求", _graph("chart-county", initial), "sub-county", initial),
                            _card(
                                "需求预测（80% / 95% 预测区间）",
                                _graph("chart-forecast", initial),
                                "sub-forecast",
                                initial,
                                wide=True,
                            ),
                            _card(
                                "紧缺职业榜（最缺工职业）",
                                html.Div(initial.get("table-shortage"), id="table-shortage"),
                                "sub-shortage",
                                initial,
                            ),
                            _card(
                                "毕业生与岗位需求（按专业）",
                                _graph("chart-majors", initial, MAJORS_HEIGHT),
                                "sub-majors",
                                initial,
                            ),
                            _card(
                                "数据时效与质量（按来源）",
                                html.Div(initial.get("table-quality"), id="table-quality"),
                                "sub-quality",
                                initial,
                                wide=True,
                            ),
                        ],
                    ),
                ]
            ),
        ]
    )


def missing_page(message: str) -> html.Div:
    return html.Div(
        [
            html.Main(
                [html.Div(className="notice", children=[html.Strong("暂无可展示的数据。"), html.P(message)])]
            ),
        ]
    )


def kpi_cards(k: dict[str, Any], period_label: str) -> list[html.Div]:
    change = None
    if k["previous_postings"]:
        change = k["postings"] / k["previous_postings"] - 1
    change_text = "较上一同长时段 " + fmt_pct(change, signed=True) if change is not None else "无上一时段可比"
    salary = k["salary_median"]
    salary_text = fmt_int(salary)

    def card(id_: str, label: str, value: str, note: str) -> html.Div:
        return html.Div(
            className="kpi",
            children=[
                html.Div(label, className="label"),
                html.Div(value, className="value", id=id_),
                html.Div(note, className="note"),
            ],
        )

    return [
        card("kpi-postings", f"招聘岗位数（去重，{period_label}）", fmt_int(k["postings"]), change_text),
        card(
            "kpi-headcount",
            f"招聘人数（{period_label}）",
            fmt_int(k["headcount"]),
            f"覆盖 {k['months']} 个月",
        ),
        card("kpi-salary", "岗位月薪中位数（元）", salary_text, "按岗位薪资区间中值"),
        card(
            "kpi-shortage",
            f"紧缺职业数（{k['shortage_year'] or '—'}年）",
            fmt_int(k["shortages"]),
            "岗位 ≥ 5 条且招聘人数 ≥ 1.5 × 对口毕业生（最近一届）",
        ),
    ]


def _rank_change(previous: Any, change: Any) -> html.Span:
    # Values come from pandas: a missing one may be None, NaN or pd.NA; to_number maps all to None.
    if to_number(previous) is None:
        return html.Span("新上榜", className="new")
    change = to_int(change)
    if change > 0:
        return html.Span(f"↑{change}", className="up")
    if change < 0:
        return html.Span(f"↓{-change}", className="down")
    return html.Span("—")


def shortage_sub(year: Any, df, industry: str) -> str:
    """The shortage card's subtitle: which year's demand, against which graduate cohort."""
    cohorts = [to_int(c) for c in df.get("supply_cohort_year", []) if to_number(c) is not None]
    against = f"对比{max(cohorts)}届毕业生" if cohorts else "暂无毕业生届次可对比"
    return f"{year or '—'}年需求 · {against} · {industry or '全部产业'} · 全市口径 · 名次变化较上年"


def _verdict_lines(label: str) -> list:
    """无对口供给（待核实） on two lines at its bracket, so the narrow column never breaks a word."""
    head, bracket, rest = str(label).partition("（")
    lines = [head, html.Br()]
    return lines + [bracket + rest, html.Br()] if bracket else lines


def shortage_table(df) -> html.Table | html.P:
    if df.empty:
        return html.P("所选产业没有紧缺职业数据。")
    head = html.Tr(
        [
            html.Th("排名"),
            html.Th("职业", className="text"),
            html.Th("产业", className="text"),
            html.Th("需求人数"),
            html.Th("对口毕业生"),
            html.Th("需求/供给"),
            html.Th("判定", className="text"),
            html.Th("名次变化"),
        ]
    )
    body = [
        html.Tr(
            [
                html.Td(int(r.shortage_rank)),
                html.Td(r.occupation_name, className="text name"),
                html.Td(r.industry, className="text"),
                html.Td(fmt_int(r.demand_headcount)),
                html.Td(fmt_int(r.supply_graduates)),
                html.Td(
                    fmt_num(r.demand_supply_ratio, 2) if to_number(r.demand_supply_ratio) is not None else "—"
                ),
                # the verdict and its evidence (docs/shortage_rule.md), so a flag is never read without it;
                # no 缺口 column: demand minus zero graduates is not a gap anyone measured
                html.Td(
                    [*_verdict_lines(r.shortage_status_label), html.Small(r.evidence_label)],
                    className="text verdict up" if r.shortage_flag else "text verdict",
                ),
                html.Td(_rank_change(r.previous_rank, r.rank_change)),
            ]
        )
        for r in df.itertuples()
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], id="shortage-rows")


def quality_table(rows: list[dict[str, Any]], snapshot: dict[str, Any]) -> html.Div:
    if not rows:
        return html.P("未找到原始数据落地记录（warehouse/raw）。")
    head = html.Tr(
        [
            html.Th("数据来源", className="text"),
            html.Th("数据覆盖至"),
            html.Th("落地日期", className="text"),
            html.Th("落地批次"),
            html.Th("最近落地"),
            html.Th("校验行数"),
            html.Th("通过"),
            html.Th("隔离"),
            html.Th("隔离占比"),
            html.Th("隔离文件"),
            html.Th("状态", className="text"),
        ]
    )
    body = [
        html.Tr(
            [
                html.Td(r["name"], className="text"),
                html.Td(r["coverage"]),
                html.Td(r["partitions"], className="text"),
                html.Td(r["landings"]),
                html.Td(r["landed"]),
                html.Td(r["checked"]),
                html.Td(r["accepted"]),
                html.Td(r["quarantined"]),
                html.Td(r["share"]),
                html.Td(r["quarantine_files"]),
                html.Td(r["status"], className="text " + ("ok" if r["ok"] else "warn")),
            ]
        )
        for r in rows
    ]
    return html.Table([html.Thead(head), html.Tbody(body)])
