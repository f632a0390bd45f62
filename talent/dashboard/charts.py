"""Plotly figures for the dashboard, labelled in Chinese. The browser draws them, so text uses a
CJK-capable font stack the reader's system has (no web fonts are downloaded); month axes are
formatted as numbers (``2026-10``) because Plotly's month names are English."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
# The 1+3 leading industries get the strong colours, the park industries softer ones, 其他 grey.
INDUSTRY_COLOURS = {
    "文旅康养": "#c0392b",
    "食品饮料": "#e67e22",
    "生物医药": "#27ae60",
    "新材料": "#2980b9",
    "电子信息": "#8e9fc4",
    "智能制造": "#a3b18a",
    "其他": "#bdbdbd",
}
ACCENT = "#1f4e79"
MEASURE_CN = {"postings": "招聘岗位数", "headcount": "招聘人数"}


def _base(fig: go.Figure, **layout: Any) -> go.Figure:
    """Shared look; no fixed height: the graph fills the box the page gives it."""
    layout.setdefault("margin", {"l": 56, "r": 16, "t": 16, "b": 40})
    fig.update_layout(
        font={"family": FONT_STACK, "size": 13, "color": "#263238"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.18, "x": 0},
        hoverlabel={"font": {"family": FONT_STACK}},
        separators=".,",
        **layout,
    )
    fig.update_xaxes(showgrid=False, linecolor="#90a4ae")
    fig.update_yaxes(gridcolor="#eceff1", zeroline=False, rangemode="tozero")
    return fig


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#78909c"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _base(fig)


def industry_label(name: str, leading: set[str]) -> str:
    return f"{name}（1+3）" if name in leading else name


def demand_by_industry(df: pd.DataFrame, industry_order: list[str], leading: set[str]) -> go.Figure:
    if df.empty:
        return empty_figure("所选范围内没有招聘数据")
    fig = go.Figure()
    present = set(df["industry"])
    for name in [n for n in industry_order if n in present] + sorted(present - set(industry_order)):
        part = df[df["industry"] == name]
        fig.add_bar(
            x=part["month"],
            y=part["postings"],
            name=industry_label(name, leading),
            marker_color=INDUSTRY_COLOURS.get(name, "#90a4ae"),
            hovertemplate=f"{name}<br>%{{x|%Y年%m月}}：%{{y:,}} 个岗位<extra></extra>",
        )
    fig = _base(fig, barmode="stack")
    fig.update_xaxes(tickformat="%Y-%m", dtick="M3")
    fig.update_yaxes(title_text="招聘岗位数（去重）")
    return fig


def demand_by_county(df: pd.DataFrame, chosen: str) -> go.Figure:
    if df.empty or int(df["postings"].sum()) == 0:
        return empty_figure("所选范围内没有招聘数据")
    df = df.iloc[::-1]  # top-to-bottom in reference order
    colours = [ACCENT if (not chosen or county == chosen) else "#b0bec5" for county in df["county"]]
    labels = ["巴中市（县区不详）" if county == "巴中市" else county for county in df["county"]]
    fig = go.Figure(
        go.Bar(
            x=df["postings"],
            y=labels,
            orientation="h",
            marker_color=colours,
            text=[f"{int(v):,}" for v in df["postings"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}：%{x:,} 个岗位<extra></extra>",
        )
    )
    fig = _base(fig, margin={"l": 130, "r": 48, "t": 16, "b": 40})
    fig.update_xaxes(title_text="招聘岗位数（去重）", gridcolor="#eceff1", showgrid=True)
    fig.update_yaxes(rangemode=None)
    return fig


def forecast(series: dict[str, Any]) -> go.Figure:
    points, history = series["points"], series["history"]
    if points.empty:
        return empty_figure("该序列暂无预测结果")
    unit = MEASURE_CN.get(series["measure"], series["measure"])
    fig = go.Figure()
    band_x = list(points["target_month"]) + list(points["target_month"])[::-1]
    for lo, hi, name, colour in (
        ("lo95", "hi95", "95% 预测区间", "rgba(31,78,121,0.13)"),
        ("lo80", "hi80", "80% 预测区间", "rgba(31,78,121,0.28)"),
    ):
        fig.add_scatter(
            x=band_x,
            y=list(points[hi]) + list(points[lo])[::-1],
            fill="toself",
            fillcolor=colour,
            line={"width": 0},
            name=name,
            hoverinfo="skip",
        )
    if not history.empty:
        fig.add_scatter(
            x=history["month"],
            y=history["value"],
            mode="lines+markers",
            name="实际值",
            line={"color": "#37474f", "width": 2},
            marker={"size": 4},
            hovertemplate="%{x|%Y年%m月} 实际：%{y:,}<extra></extra>",
        )
    fig.add_scatter(
        x=points["target_month"],
        y=points["point"],
        mode="lines+markers",
        name="预测值",
        line={"color": ACCENT, "width": 2, "dash": "dash"},
        marker={"size": 5},
        customdata=points[["lo80", "hi80", "lo95", "hi95"]].to_numpy(),
        hovertemplate=(
            "%{x|%Y年%m月} 预测：%{y:,.0f}<br>80%：%{customdata[0]:,.0f} – %{customdata[1]:,.0f}"
            "<br>95%：%{customdata[2]:,.0f} – %{customdata[3]:,.0f}<extra></extra>"
        ),
    )
    fig = _base(fig)
    fig.update_xaxes(tickformat="%Y-%m", dtick="M3")
    fig.update_yaxes(title_text=f"{unit}（月）")
    return fig


def majors(df: pd.DataFrame) -> go.Figure:
    if df.empty:
        return empty_figure("所选产业没有毕业生数据")
    df = df.iloc[::-1]
    labels = [
        f"{name}（{industry}）" for name, industry in zip(df["major_name"], df["industry"], strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=df["graduates"],
        orientation="h",
        name="毕业生（人）",
        marker_color="#90a4ae",
        hovertemplate="%{y}<br>毕业生：%{x:,.0f} 人<extra></extra>",
    )
    fig.add_bar(
        y=labels,
        x=df["demand_share"].fillna(0),
        orientation="h",
        name="对应岗位需求（人，按毕业生占比分摊产业未来12个月需求）",
        marker_color=ACCENT,
        hovertemplate="%{y}<br>对应需求：%{x:,.0f} 人<extra></extra>",
    )
    fig = _base(fig, barmode="group", margin={"l": 200, "r": 16, "t": 16, "b": 40})
    fig.update_layout(legend={"y": -0.08})
    fig.update_yaxes(rangemode=None)
    fig.update_xaxes(gridcolor="#eceff1", showgrid=True)
    return fig
