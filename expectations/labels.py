"""Chinese names of the validation rules, for readers of the monthly report (its data-quality section).

The rules keep their stable English names (`Check.name` in suites/): result.json, the quarantine files
and the Data Docs key on them. This is only how a report prints them. A rule added without a label still
prints something readable (its words, marked as untranslated), and tests/test_report_workbook.py fails
until it has one: every name the suites produce must resolve here."""

from __future__ import annotations

import re

RULE_CN: dict[str, str] = {
    # every landing (suites/_common.py)
    "required_columns": "缺少必需字段",
    "landing_not_empty": "批次为空",
    "values_have_contract_types": "字段类型不符合约定",
    # 统计公报
    "region_present": "地区缺失",
    "year_present": "年份缺失",
    "year_in_range": "年份超出合理范围",
    "indicator_known": "指标名称未登记",
    "indicator_present": "指标名称缺失",
    "value_present_unless_value_text": "数值与原文数值均缺失",
    "page_is_a_readable_bulletin": "页面不是可解析的统计公报",
    "growth_plausible": "增速超出 ±50%",
    "change_plausible": "增减幅度超出 ±50%",
    "rate_plausible": "比率超出 0–100%",
    "level_not_negative": "总量为负数",
    "structure_sums_to_100": "三次产业结构之和不为 100",
    "core_indicators_present_per_year": "年度缺少核心指标",
    "value_text_present": "缺少原文数值",
    "industry_structure_is_a_ratio": "产业结构不是 a:b:c 格式",
    "unit_present": "单位缺失",
    "url_present": "来源链接缺失",
    "one_row_per_region_year_indicator": "同一地区年份指标重复",
    # 招聘网站
    "item_readable": "招聘条目无法解析",
    "source_is_a_board": "来源不是已配置的招聘网站",
    "source_id_present": "网站条目编号缺失",
    "source_id_unique": "网站条目编号重复",
    "title_present": "岗位名称缺失",
    "title_not_blank": "岗位名称为空",
    "company_present": "招聘单位缺失",
    "company_not_blank": "招聘单位为空",
    "posted_at_present": "发布日期缺失",
    "headcount_in_range": "招聘人数超出 1–1000",
    "posted_at_not_before_2000": "发布日期早于 2000 年",
    "posted_at_not_after_window": "发布日期晚于采集截止日",
    "salary_min_plausible": "最低月薪超出合理范围",
    "salary_max_plausible": "最高月薪超出合理范围",
    "dedup_key_present": "去重键缺失",
    "dedup_key_is_sha1": "去重键格式错误",
    "salary_min_not_above_max": "最低月薪高于最高月薪",
    "salary_not_negative": "月薪为负数",
    "in_region_present": "是否本地岗位未标注",
    # 院校毕业生数据
    "extractor_found_no_other_problem": "该行无法统计",
    "readable_id_number": "学生重复列出（身份证号相同）",
    "readable_file": "文件无法读取",
    "graduates_within_enrolment": "毕业生数超过招生数",
    "school_present": "学校缺失",
    "major_code_six_digits": "专业代码不是六位数字",
    "major_code_present": "专业代码缺失",
    "graduates_present": "毕业生数缺失",
    "placements_add_up_to_graduates": "各去向人数之和不等于毕业生数",
    "in_field_within_employed": "对口就业人数超过就业人数",
    "employed_local_within_employed": "本地就业人数超过就业人数",
    "not_superseded_by_a_correction": "已被更正文件取代",
    "one_row_per_school_year_major": "同一学校年份专业重复",
}

# The fields the generated rule names carry (`readable_<field>`, `<field>_not_negative`, …).
FIELD_CN: dict[str, str] = {
    "school": "学校",
    "year": "年份",
    "major_code": "专业代码",
    "major_name": "专业名称",
    "enrolment": "招生数",
    "graduates": "毕业生数",
    "employed": "就业人数",
    "further_study": "升学人数",
    "military": "参军人数",
    "not_placed": "待就业人数",
    "in_field": "对口就业人数",
    "employed_local": "本地就业人数",
    "destination": "毕业去向",
    "id_number": "学生身份证号",
    "in_field_flag": "是否对口",
    "description": "岗位描述",
    "title": "岗位名称",
    "company": "招聘单位",
    "location": "工作地点",
    "salary": "薪资",
    "salary_parse_error": "薪资解析说明",
    "company_key": "招聘单位（去重键）",
    "title_key": "岗位名称（去重键）",
    "county": "县区",
    "education": "学历要求",
    "education_level": "学历层次",
    "experience": "经验要求",
    "skill_tags": "技能标签",
    "occupation_code": "职业代码",
    "industry": "行业",
    "indicator": "指标",
    "region": "地区",
    "unit": "单位",
    "text": "原文",
    "value_text": "原文数值",
    "parse_error": "解析错误说明",
    "on_roll": "在籍人数",
    "parse_error_field": "出错字段",
    "record_kind": "记录类型",
    "sheet": "工作表",
    "source_file": "来源文件",
    "superseded_by": "更正文件",
    "employment_rate_reported": "报告就业率",
    "in_field_rate_reported": "报告对口就业率",
}
PERSONAL_CN = {
    "mobile_number": "手机号",
    "email_address": "电子邮箱",
    "ID_card_number": "身份证号",
    "personal_data": "个人信息",
}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^readable_(?P<field>\w+)$"), "{field}无法识别"),
    (re.compile(r"^(?P<field>\w+)_not_negative$"), "{field}为负数"),
    (re.compile(r"^(?P<field>\w+)_in_range$"), "{field}超出合理范围"),
    (re.compile(r"^(?P<field>\w+)_is_a_rate$"), "{field}不是 0–100% 的比率"),
    (re.compile(r"^(?P<field>\w+?)_has_no_(?P<kind>\w+)$"), "{field}含未脱敏的{kind}"),
)


def _known(name: str) -> str | None:
    if name in RULE_CN:
        return RULE_CN[name]
    for pattern, template in _PATTERNS:
        match = pattern.match(name)
        if not match:
            continue
        parts = match.groupdict()
        field = FIELD_CN.get(parts["field"])
        kind = PERSONAL_CN.get(parts["kind"]) if "kind" in parts else ""
        if field and kind is not None:
            return template.format(field=field, kind=kind)
    return None


def has_label(name: str) -> bool:
    return _known(name) is not None


def rule_label(name: str) -> str:
    """The rule's Chinese name; an unlabelled rule prints its own words, marked untranslated."""
    return _known(name) or f"校验规则“{name.replace('_', ' ')}”"
