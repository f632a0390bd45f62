"""The 摘要 at the top: key findings as plain sentences, each built only from figures shown elsewhere
in the report (the other sections' results)."""

from __future__ import annotations

from typing import Any

from talent.report.sections.forecast import LEADING_INDUSTRIES
from talent.settings import CITY
from talent.units import fmt_pct


def _county_sentence(best: dict[str, Any]) -> str:
    """The county with the largest change, worded by its sign: a fall is never 增长最快."""
    if best["change"] > 0:
        return f"县区中，{best['label']}的招聘需求预计增长最快（{best['change_text']}）。"
    if best["change"] < 0:
        return f"各县区招聘需求预计均下降，{best['label']}降幅最小（{best['change_text']}）。"
    return f"各县区招聘需求预计均无增长，{best['label']}持平（{best['change_text']}）。"


def summary_sentences(
    month_text: str,
    headline: dict[str, Any],
    forecast: dict[str, Any],
    occupations: dict[str, Any],
    skills: dict[str, Any],
    oversupply: dict[str, Any],
    shortage: dict[str, Any],
    accuracy: dict[str, Any],
) -> list[str]:
    out: list[str] = []
    sentence = (
        f"{month_text}，{CITY}共发布招聘岗位 {headline['postings_text']} 条（去重后），"
        f"计划招聘 {headline['headcount_text']} 人"
    )
    if headline.get("yoy"):
        sentence += f"，较上年同月{headline['yoy']['words']}"
    out.append(sentence + "。")

    summaries = forecast.get("summaries", {}).values()
    city = next((s for s in summaries if s["dimension"] == "city"), None)
    if city and city["change"] is not None:
        h36 = city["horizons"][-1]
        words = "增长" if city["change"] > 0 else "下降"
        text = (
            f"模型预测未来 12 个月全市招聘岗位合计约 {city['next12_text']} 条，"
            f"比过去 12 个月（{city['last12_text']} 条）{words} {fmt_pct(abs(city['change']))}"
        )
        if h36["raw"] is not None and h36["lo80"] is not None:
            text += (
                f"；{h36['month_cn']}的月度需求预计为 {h36['point']} 条（80% 预测区间 {h36['interval']} 条）"
            )
        out.append(text + "。")
    elif not forecast.get("available"):
        out.append("本期暂无需求预测数据（预测步骤尚未运行）。")

    industries = [s for s in summaries if s["dimension"] == "industry" and s["change"] is not None]
    leading = [s for s in industries if s["label"] in LEADING_INDUSTRIES]
    if leading:
        best = max(leading, key=lambda s: (s["change"], s["label"]))
        worst = min(leading, key=lambda s: (s["change"], s["label"]))
        text = f"“1+3”主导产业中，预计未来 12 个月需求变化最大的是{best['label']}（{best['change_text']}）"
        if worst["label"] != best["label"]:
            text += f"，最小的是{worst['label']}（{worst['change_text']}）"
        out.append(text + "。")
    counties = [s for s in summaries if s["dimension"] == "county" and s["change"] is not None]
    if counties:
        best = max(counties, key=lambda s: (s["change"], s["label"]))
        out.append(_county_sentence(best))

    rising = [r for r in occupations.get("rows", []) if r["change"] is not None and r["change"] > 0][:3]
    if rising:
        out.append(
            "需求上升最快的职业是" + "、".join(f"{r['label']}（{r['change_text']}）" for r in rising) + "。"
        )
    if skills.get("available") and skills["hot"]:
        text = "最常被要求的技能是" + "、".join(s["skill"] for s in skills["hot"][:3])
        if skills["rising"] and (skills["rising"][0]["change"] or 0) > 0:
            text += f"；增长最快的是{skills['rising'][0]['skill']}（{skills['rising'][0]['change_text']}）"
        out.append(text + "。")
    if oversupply.get("available") and oversupply["rows"]:
        names: list[str] = []
        for r in oversupply["rows"]:
            if r["major_name"] not in names:
                names.append(r["major_name"])
            if len(names) == 3:
                break
        out.append(
            f"对照{oversupply['year']}届毕业生与各行业未来 12 个月的预测需求，"
            + "、".join(names)
            + f"等 {oversupply['at_risk']} 个专业所属行业的毕业生多于预测招聘人数，存在供给过剩风险。"
        )
    if shortage.get("available") and shortage["rows"]:
        # "Listed" is not "short": the list holds every occupation with demand, the rule flags a few.
        out.append(
            f"紧缺职业目录（{shortage['period']}）：{shortage['count']} 个有需求的职业中"
            f" {shortage['flagged']} 个判为紧缺。"
        )
    if (
        accuracy.get("available")
        and accuracy["mase_chosen"] is not None
        and accuracy["mase_bench"] is not None
    ):
        out.append(
            f"回测（提前 {accuracy['horizon']} 个月、{accuracy['windows']} 个滚动起点）中，所选模型的平均 MASE 为 "
            f"{accuracy['mase_chosen_text']}，季节性朴素基准为 {accuracy['mase_bench_text']}；"
            f"所选模型 80% 预测区间的实际覆盖率为 {accuracy['cov80_text']}。"
        )
    return out
