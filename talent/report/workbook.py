"""report.xlsx: the month's tables as one workbook for the offices that work in Excel or WPS.

One sheet per table of the report, Chinese headers, the header row frozen, numbers stored as numbers
with a display format (counts whole, shares 0.0%, ratios 0.00) so a reader can sum and sort them, and
a sheet 说明 naming every column. Every text cell is written as text: a scraped company name starting
with "=" stays a string, never a formula (issue 14).

The bytes do not depend on the clock: openpyxl stamps the document properties and every zip entry
with the time of writing, so both are pinned here (to the report month), which keeps "the same marts
give the same files" true for the workbook too."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from talent.report.read import ReportData
from talent.units import is_count_column, month_key, to_number

FORMATS = {"int": "0", "count": "#,##0", "pct": "0.0%", "ratio": "0.00", "num": "#,##0.0", "mase": "0.000"}
RISK_CN = {"high": "高", "medium": "中", "low": "低"}


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    kind: str  # text | count | pct | ratio | num | mase
    note: str


@dataclass(frozen=True)
class Sheet:
    name: str
    about: str
    cols: tuple[Col, ...]
    rows: list[dict[str, Any]]


def _c(key: str, header: str, kind: str, note: str) -> Col:
    return Col(key, header, kind, note)


def _forecast_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for s in items:
        row = {
            "series": f"{s['dimension_cn']} · {s['label']}",
            "last12": s["last12"],
            "next12": s["next12"],
            "change": s["change"],
            "model": s["model_short"] + (f"（{s['fallback_text']}）" if s["fallback_text"] else ""),
        }
        for h in s["horizons"]:
            row[f"h{h['h']}"], row[f"lo{h['h']}"], row[f"hi{h['h']}"] = h["raw"], h["lo80"], h["hi80"]
        rows.append(row)
    return rows


def _forecast_cols() -> tuple[Col, ...]:
    cols = [
        _c("series", "序列", "text", "预测对象：全市、行业、县区或职业"),
        _c("last12", "过去12个月（条）", "count", "报告期及之前 12 个月的招聘岗位数（去重）"),
        _c("next12", "未来12个月预测（条）", "count", "此后 12 个月的预测招聘岗位数合计"),
        _c("change", "变化", "pct", "未来 12 个月相对过去 12 个月的变化"),
    ]
    for h in (12, 24, 36):
        cols += [
            _c(f"h{h}", f"第{h}个月预测（条）", "num", f"报告期后第 {h} 个月的月度预测值"),
            _c(f"lo{h}", f"第{h}个月80%区间下限", "num", "80% 预测区间下限"),
            _c(f"hi{h}", f"第{h}个月80%区间上限", "num", "80% 预测区间上限"),
        ]
    return (*cols, _c("model", "模型", "text", "回测选出的模型（及改用非季节模型的原因）"))


def _shortage_sheet(data: ReportData) -> Sheet | None:
    from talent.report.sections.shortage import SHORTAGE_LABELS

    if data.shortage is None or not data.shortage.rows:
        return None
    keys = [c for c in data.shortage.columns if not c.endswith("_id") and not c.endswith("_code")]
    keys += [c for c in data.shortage.columns if c == "occupation_code"]
    cols = []
    for key in keys:
        values = [r[key] for r in data.shortage.records() if r[key] is not None]
        numeric = values and all(
            isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values
        )
        kind = "count" if numeric and is_count_column(key) else "ratio" if numeric else "text"
        if numeric and all(isinstance(v, int) for v in values):
            kind = "count"
        if numeric and (key == "year" or key.endswith(("_year", "rank", "rank_change"))):
            kind = "int"  # a year or rank is a label: 2026, not 2,026
        cols.append(_c(key, SHORTAGE_LABELS.get(key, key), kind, f"marts.shortage_occupations.{key}"))
    return Sheet("紧缺职业", "紧缺职业目录（报告期可知的各年度）", tuple(cols), data.shortage.records())


def sheets(data: ReportData, context: dict[str, Any]) -> list[Sheet]:
    """The report's tables, in the report's order, as of its month (the same rows the page shows,
    without the page's cut-offs: every industry, series, skill and major)."""
    out: list[Sheet] = []
    month = context["month"]
    top = [r for r in data.top_industries.records() if month_key(r["month"]) == month]
    out.append(
        Sheet(
            "本月行业",
            f"{context['month_cn']}各行业招聘岗位数（去重）",
            (
                _c("industry_rank", "排名", "int", "按招聘岗位数排序"),
                _c("industry", "行业", "text", "“1+3”主导产业及其他行业"),
                _c("postings", "招聘岗位数（条）", "count", "去重后的招聘广告数"),
                _c("postings_share", "占比", "pct", "占全市当月招聘岗位数的比例"),
                _c("headcount", "招聘人数（人）", "count", "各岗位标注的招聘人数合计"),
            ),
            sorted(top, key=lambda r: r["industry_rank"]),
        )
    )
    if context["gap"]:
        year = context["gap"]["year"]
        status = {r["industry"]: r["judgement"] for r in context["gap"]["rows"]}
        rows = [
            {**r, "judgement": status.get(r["industry"])}
            for r in data.gap_by_industry.records()
            if r["year"] == year
        ]
        out.append(
            Sheet(
                "供需缺口",
                f"{year}年各行业人才供需缺口（报告第四部分）",
                (
                    _c("year", "年份", "text", "招聘年份与毕业年份"),
                    _c("industry", "行业", "text", "行业"),
                    _c("demand_postings", "招聘岗位数（条）", "count", "当年招聘岗位数（截至报告期）"),
                    _c("demand_headcount", "招聘人数（人）", "count", "当年招聘人数"),
                    _c("supply_graduates", "毕业生数（人）", "count", "对口专业当年毕业生"),
                    _c("supply_employed_local", "本地就业毕业生（人）", "count", "其中在本地就业"),
                    _c("demand_supply_ratio", "需求/供给比", "ratio", "招聘人数 ÷ 毕业生数"),
                    _c("gap", "缺口（人）", "count", "招聘人数 − 毕业生数，正数表示本地培养不足"),
                    _c("judgement", "判断", "text", "紧缺 ≥1.5；偏紧 1–1.5；供大于求 0.5–1；供给过剩 <0.5"),
                ),
                sorted(rows, key=lambda r: str(r["industry"])),
            )
        )
    forecast = context["forecast"]
    if forecast.get("available"):
        items = [i for g in forecast["groups"] for i in g["items"]]
        out.append(
            Sheet(
                "需求预测",
                "全市、行业、县区未来三年月度招聘岗位数预测",
                _forecast_cols(),
                _forecast_rows(items),
            )
        )
    if context["occupations"].get("available"):
        rows = _forecast_rows(context["occupations"]["rows"])
        out.append(Sheet("职业预测", "招聘量最大的职业的需求预测", _forecast_cols(), rows))
    if data.skill_demand is not None and data.skill_demand.rows:
        out.append(
            Sheet(
                "技能",
                "近 12 个月岗位要求中提及的技能",
                (
                    _c("hot_rank", "热门排名", "int", "按近 12 个月提及岗位数排序"),
                    _c("skill", "技能", "text", "岗位要求中的技能"),
                    _c("postings_last12", "提及岗位数", "count", "近 12 个月提及该技能的岗位数"),
                    _c("postings_previous12", "上年同期", "count", "再往前 12 个月的提及岗位数"),
                    _c("change_pct", "同比", "pct", "提及岗位数的同比变化"),
                    _c("rising_rank", "增长排名", "int", "两个年度各被提及 5 次以上的技能按同比排序"),
                ),
                sorted(data.skill_demand.records(), key=lambda r: r["hot_rank"]),
            )
        )
    if data.oversupply is not None and data.oversupply.rows:
        rows = [
            {**r, "risk": RISK_CN.get(str(r["oversupply_risk"]), r["oversupply_risk"])}
            for r in data.oversupply.records()
        ]
        out.append(
            Sheet(
                "供给过剩专业",
                "专业毕业生与所属行业未来 12 个月预测需求的对比（报告第七部分）",
                (
                    _c("year", "届别", "text", "毕业年份"),
                    _c("major_code", "专业代码", "text", "职业教育专业目录（2021）代码"),
                    _c("major_name", "专业名称", "text", "专业名称"),
                    _c("industry", "对应行业", "text", "专业对应的行业"),
                    _c("graduates", "毕业生（人）", "count", "该专业当届毕业生"),
                    _c("industry_graduates", "行业毕业生合计（人）", "count", "对应行业各专业毕业生合计"),
                    _c(
                        "industry_demand_next12",
                        "行业未来12个月需求",
                        "count",
                        "对应行业未来 12 个月的预测需求",
                    ),
                    _c("demand_per_graduate", "需求/毕业生", "ratio", "行业需求 ÷ 行业毕业生"),
                    _c("risk", "风险", "text", "低于 1 为“中”，低于 0.5 为“高”"),
                ),
                rows,
            )
        )
    if (shortage := _shortage_sheet(data)) is not None:
        out.append(shortage)
    if data.forecast_accuracy is not None and data.forecast_accuracy.rows:
        out.append(
            Sheet(
                "回测精度",
                "各序列各模型的滚动起点回测精度（报告第九部分）",
                (
                    _c("series_id", "序列编号", "text", "指标/维度/成员"),
                    _c("label", "序列", "text", "序列名称"),
                    _c("model", "模型", "text", "statsforecast 模型名；NestedSelection 为选择流程的嵌套回测"),
                    _c("chosen", "是否选用", "text", "回测 MASE 最小、被选用的模型"),
                    _c("mase", "MASE", "mase", "小于 1 表示优于季节性朴素预测"),
                    _c("smape", "sMAPE", "num", "对称平均绝对百分比误差（0–200）"),
                    _c("coverage80", "80%覆盖率", "pct", "实际值落在 80% 预测区间内的比例"),
                    _c("coverage95", "95%覆盖率", "pct", "实际值落在 95% 预测区间内的比例"),
                ),
                [{**r, "chosen": "是" if r["chosen"] else "否"} for r in data.forecast_accuracy.records()],
            )
        )
    quality = context["quality"]
    if quality.get("available"):
        rows = [
            {
                **q,
                "rows": q["rows_n"],
                "accepted": q["accepted_n"],
                "quarantined": q["quarantined_n"],
                "share": q["share"],
            }
            for q in quality["sources"]
        ]
        out.append(
            Sheet(
                "数据质量",
                "各数据源的采集与校验情况（报告第十部分）",
                (
                    _c("name", "数据源", "text", "数据来源"),
                    _c("landings", "采集批次", "count", "数据仓库使用的采集批次数"),
                    _c("partitions", "数据分区", "text", "批次覆盖的日期分区"),
                    _c("landed", "最近入库", "text", "最近一次入库日期"),
                    _c("rows", "记录数", "count", "校验的记录数"),
                    _c("accepted", "通过校验", "count", "进入数据仓库的记录数"),
                    _c("quarantined", "隔离", "count", "未通过校验、隔离待核对的记录数"),
                    _c("share", "隔离占比", "pct", "隔离记录占记录数的比例"),
                ),
                rows,
            )
        )
    return out


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float):
        return None if to_number(value) is None else value
    return value


def workbook_bytes(data: ReportData, context: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    about = book.active
    about.title = "说明"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F5F7FA")
    about.append(["工作表", "列", "说明"])
    about.append([context["title"], "", f"报告期 {context['month_cn']}；运行标识 {context['run_id']}"])
    for sheet in sheets(data, context):
        ws = book.create_sheet(sheet.name)
        ws.append([c.header for c in sheet.cols])
        for record in sheet.rows:
            ws.append([None] * len(sheet.cols))
            for index, col in enumerate(sheet.cols, start=1):
                cell = ws.cell(row=ws.max_row, column=index)
                value = _value(record.get(col.key))
                if col.kind == "text" or isinstance(value, str):
                    cell.value = None if value is None else str(value)
                    # Set after the value: openpyxl reads a leading "=" as a formula.
                    if value is not None:
                        cell.data_type = "s"
                else:
                    cell.value = value
                    cell.number_format = FORMATS[col.kind]
        for index, col in enumerate(sheet.cols, start=1):
            head = ws.cell(row=1, column=index)
            head.font, head.fill = bold, fill
            head.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(index)].width = max(10, min(40, 2 * len(col.header) + 2))
        ws.freeze_panes = "A2"
        about.append([sheet.name, "", sheet.about])
        for col in sheet.cols:
            about.append([sheet.name, col.header, col.note])
    for index, width in enumerate((14, 24, 70), start=1):
        about.column_dimensions[get_column_letter(index)].width = width
    for cell in about[1]:
        cell.font, cell.fill = bold, fill
    about.freeze_panes = "A2"
    stamp = datetime(int(context["month"][:4]), int(context["month"][5:7]), 1)
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = "bazhong-talent-warehouse"
    return _pinned_zip(book, stamp)


def _pinned_zip(book: Any, stamp: datetime) -> bytes:
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter, not Workbook.save: save() re-stamps `modified` with the current time.
        ExcelWriter(book, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(pinned, src.read(info.filename))
    return out.getvalue()
