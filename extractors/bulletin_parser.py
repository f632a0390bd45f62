"""Read a statistics bulletin (国民经济和社会发展统计公报) into a catalogue of indicators.

Bulletins state their figures inside sentences, not tables, and every bureau words them a little
differently. The parser works on one clause at a time (text split after 。；;！？ and at line
breaks), normalised by `extractors.textnorm` (half-width digits and punctuation, no stray spaces,
Simplified characters), and matches each clause against a small set of rules, one per indicator
family. A rule reports a value only when the clause says unambiguously what the number is: the
subject, the number and its unit must sit together ("地区生产总值（GDP）870.51亿元"), and a growth rate
is attached to a value only when it follows that value before any other figure ("…870.51亿元，按不变
价格计算，比上年增长6.3%"). The first clause that yields an indicator wins, because bulletins give the
headline before any breakdown. Every value keeps the clause it came from (`text`, as published).

Units are converted to the catalogue's unit (see `CATALOGUE`): people counted in 万人 for
population, in 人 for jobs and students, money in 亿元 (万元 converted), income in 元, visits in
万人次; "下降/减少" make growth negative.

Every value is bound to its subject (`extractors.bulletin_scope`): only the whole region's figures
fill the catalogue; a part's (民营经济, 区本级, an 经济区, a 其中 sentence qualifying one of them) or an
unclear one is left out and listed in `Parsed.skipped` with the reason. Title, region, year and
where the article starts on a mirror page are `extractors.bulletin_page`'s job.

`parse_text(text)` is the core; `parse_document(bytes, content_type)` decodes (`extractors.charset`) and
strips HTML first.
Longer than ~400 lines on purpose: the catalogue and one rule per indicator family are a single table
that is read (and extended) top to bottom; decoding lives in `extractors.charset`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from extractors.bulletin_page import (
    find_title,
    html_to_text,
    looks_like_html,
    parse_title,
    region_year_from_text,
)
from extractors.bulletin_scope import Clause, build_clauses, scope_problem
from extractors.charset import decode_bytes
from extractors.textnorm import UNIT_FACTORS, parse_number, to_unit

__all__ = [
    "CATALOGUE",
    "Clause",
    "Parsed",
    "html_to_text",
    "looks_like_html",
    "parse_document",
    "parse_text",
    "parse_title",
]

NUM = r"(?P<num>-?\d+(?:\.\d+)?)"
# Verbs bureaus put between a subject and its figure.
FILL = r"(?:为|达到|达|实现|完成|共|总计|合计|约)?"
_SIGN_WORDS = {"增长": 1, "增加": 1, "上涨": 1, "上升": 1, "提高": 1, "下降": -1, "减少": -1, "回落": -1}
GROWTH = r"(?:比上年|较上年|同比|比去年)?(?P<dir>增长|增加|上涨|上升|下降|减少|回落)(?P<g>\d+(?:\.\d+)?)%"
_GROWTH_RE = re.compile(GROWTH)
_FLAT_RE = re.compile(r"^,?(?:比上年|较上年|同比|与上年)*(?:基本)?持平")
# Where the figures that belong to a value end: the next number that is not a percentage.
_NEXT_FIGURE = re.compile(r"\d+(?:\.\d+)?(?![\d.]|%|\d)")
_SHARE_RE = re.compile(
    r"占(?:全市|全县|全区|全省)?(?:GDP|地区生产总值)(?:的)?(?:比重)?(?:为|达到|达)?(?P<s>\d+(?:\.\d+)?)%"
)


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry: its key, the unit values come out in, and the units bulletins use."""

    key: str
    unit: str
    label: str
    core: bool = False


CATALOGUE: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator("gdp", "亿元", "地区生产总值", core=True),
        Indicator("gdp_growth_pct", "%", "地区生产总值增长率（不变价）"),
        Indicator("value_added_primary", "亿元", "第一产业增加值"),
        Indicator("value_added_secondary", "亿元", "第二产业增加值"),
        Indicator("value_added_tertiary", "亿元", "第三产业增加值"),
        Indicator("industry_structure", "a:b:c", "三次产业结构"),
        Indicator("growth_contribution_primary", "%", "第一产业对经济增长的贡献率"),
        Indicator("growth_contribution_secondary", "%", "第二产业对经济增长的贡献率"),
        Indicator("growth_contribution_tertiary", "%", "第三产业对经济增长的贡献率"),
        Indicator("resident_population", "万人", "年末常住人口", core=True),
        Indicator("urban_population", "万人", "城镇常住人口"),
        Indicator("rural_population", "万人", "乡村常住人口"),
        Indicator("urbanization_rate_pct", "%", "常住人口城镇化率"),
        Indicator("registered_population", "万人", "户籍人口"),
        Indicator("rural_labour_outflow", "万人", "转移输出农村劳动力"),
        Indicator("labour_income", "亿元", "劳务收入"),
        Indicator("new_urban_jobs", "人", "城镇新增就业"),
        Indicator("new_urban_jobs_growth_pct", "%", "城镇新增就业增长率"),
        Indicator("rural_labour_outflow_growth_pct", "%", "转移输出农村劳动力增长率"),
        Indicator("urban_unemployment_rate_pct", "%", "城镇登记失业率"),
        Indicator("cpi_change_pct", "%", "居民消费价格涨跌幅"),
        Indicator("private_economy_value_added", "亿元", "民营经济增加值"),
        Indicator("per_capita_disposable_income", "元", "全体居民人均可支配收入"),
        Indicator("per_capita_disposable_income_urban", "元", "城镇居民人均可支配收入"),
        Indicator("per_capita_disposable_income_rural", "元", "农村居民人均可支配收入"),
        Indicator("retail_sales", "亿元", "社会消费品零售总额"),
        Indicator("fixed_asset_investment_growth_pct", "%", "固定资产投资增长率"),
        Indicator("vocational_students", "人", "中等职业教育在校学生"),
        Indicator("vocational_graduates", "人", "中等职业教育毕业生"),
        Indicator("vocational_enrolment", "人", "中等职业教育招生"),
        Indicator("tourism_visitors", "万人次", "接待游客"),
        Indicator("tourism_revenue", "亿元", "旅游收入"),
    )
}
CORE_INDICATORS = tuple(k for k, i in CATALOGUE.items() if i.core)

_MONEY = r"(?P<unit>亿元|万元)"
_PEOPLE = r"(?P<unit>万人|人)"


@dataclass(frozen=True)
class AmountRule:
    """`pattern` finds the subject and its figure (groups `num` and `unit`) in a clause.

    `growth`: attach a growth rate stated right after the figure. `requires`/`forbids`: a pattern
    that must / must not occur in the clause before the match (e.g. urban population counts only
    inside the 常住人口 sentence, not the 户籍 one). `context`: a pattern that must occur earlier in
    the sentence."""

    key: str
    pattern: re.Pattern
    growth: bool = False
    share: bool = False
    requires: re.Pattern | None = None
    forbids: re.Pattern | None = None
    also_growth_key: str | None = None
    context: re.Pattern | None = None


def _rule(key: str, anchor: str, unit: str, **kwargs) -> AmountRule:
    return AmountRule(key, re.compile(anchor + FILL + NUM + unit), **kwargs)


_RESIDENT = re.compile(r"常住人口")
_HUKOU = re.compile(r"户籍")
_VALUE_ADDED = re.compile(r"增加值")
AMOUNT_RULES: tuple[AmountRule, ...] = (
    _rule(
        "gdp",
        r"(?<!人均)(?:地区生产总值|生产总值\(GDP\))(?:\(GDP\)?)?",
        _MONEY,
        growth=True,
        also_growth_key="gdp_growth_pct",
    ),
    _rule("value_added_primary", r"第一产业(?:实现)?增加值", _MONEY, growth=True),
    _rule("value_added_secondary", r"第二产业(?:实现)?增加值", _MONEY, growth=True),
    _rule("value_added_tertiary", r"第三产业(?:\(服务业\))?(?:实现)?增加值", _MONEY, growth=True),
    # "其中，第一产业实现增加值60.5亿元、增长5.7%，第二产业90.3亿元、下降0.2%": only after 增加值.
    *(
        AmountRule(key, re.compile(anchor + NUM + _MONEY), growth=True, context=_VALUE_ADDED)
        for key, anchor in (
            ("value_added_primary", r"(?<!、)第一产业"),
            ("value_added_secondary", r"(?<!、)第二产业"),
            ("value_added_tertiary", r"(?<!、)第三产业(?:\(服务业\))?"),
        )
    ),
    _rule("resident_population", r"(?<!平均)(?<!年均)常住(?:总)?人口", _PEOPLE),
    _rule("urban_population", r"城镇(?:常住)?人口", _PEOPLE, requires=_RESIDENT, forbids=_HUKOU),
    _rule(
        "rural_population",
        r"(?:乡村|农村)(?:常住)?人口",
        _PEOPLE,
        requires=_RESIDENT,
        forbids=_HUKOU,
    ),
    _rule("registered_population", r"户籍(?:总)?人口", _PEOPLE),
    _rule(
        "rural_labour_outflow",
        r"(?:转移输出农村劳动力|农村劳动力转移输出|转移输出劳动力|输出农村劳动力|农村劳动力转移就业)(?:人数)?",
        _PEOPLE,
        growth=True,
        also_growth_key="rural_labour_outflow_growth_pct",
    ),
    _rule("labour_income", r"劳务(?:经济)?(?:总)?收入", _MONEY, growth=True),
    _rule(
        "new_urban_jobs",
        r"(?:城镇新增就业|新增城镇就业)(?:人数|人员)?",
        _PEOPLE,
        growth=True,
        also_growth_key="new_urban_jobs_growth_pct",
    ),
    _rule(
        "private_economy_value_added",
        r"民营经济(?:\([^)]{0,20}\))?(?:实现)?增加值",
        _MONEY,
        growth=True,
        share=True,
    ),
    _rule(
        "per_capita_disposable_income",
        r"(?:全体|全市|全县|全区|全省|全年)居民人均可支配收入",
        r"(?P<unit>元)",
        growth=True,
    ),
    _rule(
        "per_capita_disposable_income_urban",
        r"城镇(?:常住)?居民人均可支配收入",
        r"(?P<unit>元)",
        growth=True,
    ),
    _rule(
        "per_capita_disposable_income_rural",
        r"农村(?:常住)?居民人均可支配收入",
        r"(?P<unit>元)",
        growth=True,
    ),
    _rule("retail_sales", r"社会消费品零售总额", _MONEY, growth=True),
    _rule(
        "tourism_visitors",
        r"(?:接待(?:国内外|海内外|国内)?(?:游客|旅游者|旅游人数)(?:总人数|人数)?|旅游(?:总人数|接待人数|接待总人数))",
        r"(?P<unit>万人次|亿人次|人次)",
        growth=True,
    ),
    _rule("tourism_revenue", r"旅游(?:综合|总)?收入", _MONEY, growth=True),
)

# Rates stated as a plain percentage after their subject.
RATE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("urbanization_rate_pct", re.compile(r"(?<!户籍人口)(?<!户籍)城镇化率" + FILL + NUM + "%")),
    ("urban_unemployment_rate_pct", re.compile(r"城镇登记失业率" + FILL + r"(?:控制在)?" + NUM + "%")),
)
# Changes stated as "<subject>…增长/下降 x%" with no level figure.
CHANGE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    (
        "gdp_growth_pct",
        re.compile(
            r"(?<!人均)地区生产总值(?:\(GDP\))?,?(?:按(?:不变|可比)价格计算,?)?(?:比上年|较上年|同比)?"
            r"(?:(?P<dir>增长|下降)(?P<g>\d+(?:\.\d+)?)%|(?:与上年)?(?:基本)?(?P<flat>持平))"
        ),
    ),
    (
        "cpi_change_pct",
        re.compile(
            r"居民消费价格(?:总水平)?(?:指数)?(?:\(CPI\))?(?:比上年|较上年|同比)?"
            r"(?:(?P<dir>上涨|上升|增长|下降|回落)(?P<g>\d+(?:\.\d+)?)%|(?:与上年)?(?:基本)?(?P<flat>持平))"
        ),
    ),
    (
        "fixed_asset_investment_growth_pct",
        re.compile(
            r"(?<!民间)(?<!工业)(?<!产业)(?:全社会)?固定资产投资(?:\(不含农户\))?(?:总额)?"
            r"(?:比上年|较上年|同比)?(?:(?P<dir>增长|增加|下降|减少)(?P<g>\d+(?:\.\d+)?)%|(?:与上年)?(?:基本)?(?P<flat>持平))"
        ),
    ),
)
_STRUCTURE_RE = re.compile(r"三次产业(?:结构|比例|比例关系)")
_RATIO_RE = re.compile(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)")
_CONTRIB_ALL = re.compile(
    r"(?:三次产业|第一、二、三产业|一、二、三产业|三大产业)对(?:经济|GDP|地区生产总值)?(?:增长)?的?贡献率分别(?:为|是|达)?"
    r"(-?\d+(?:\.\d+)?)%[、,](-?\d+(?:\.\d+)?)%(?:和|、|,|及)(-?\d+(?:\.\d+)?)%"
)
_F = r"(\d+(?:\.\d+)?)"
# "一、二、三产业增加值分别为37.8亿元、44.9亿元和231.4亿元，分别增长2.2%、4.0%和7.7%"
_VA_ALL = re.compile(
    r"(?:三次产业|第一、二、三产业|一、二、三产业)增加值分别(?:为|是|达)?"
    + _F
    + r"亿元[、,]"
    + _F
    + r"亿元(?:和|、|及)"
    + _F
    + r"亿元"
    + r"(?:,分别(?:比上年)?增长"
    + _F
    + r"%[、,]"
    + _F
    + r"%(?:和|、|及)"
    + _F
    + r"%)?"
)
_CONTRIB_ONE = re.compile(
    r"第(?P<which>[一二三])产业对(?:经济|GDP|地区生产总值)?增长的贡献率(?:为|达到|达)?" + NUM + "%"
)
_WHICH = {"一": "primary", "二": "secondary", "三": "tertiary"}
# Vocational education: a subject, then up to three measures before another kind of school.
_VOC_ANCHOR = re.compile(r"(?:中等职业教育|中等职业学校|中职学校|中职教育|中等职业技术学校)(?:共)?")
_OTHER_SCHOOL = re.compile(
    r"普通高中|普通高校|高等职业|高等教育|普通本专科|研究生|初中|小学|幼儿园|特殊教育|技工"
)
_VOC_MEASURES = (
    ("vocational_enrolment", re.compile(r"招(?:收(?:新)?)?生" + FILL + NUM + _PEOPLE)),
    ("vocational_students", re.compile(r"在校(?:学)?生" + FILL + NUM + _PEOPLE)),
    ("vocational_graduates", re.compile(r"毕业(?:学)?生" + FILL + NUM + _PEOPLE)),
)
_CONTINUATION = re.compile(r"^按(?:不变|可比)价格计算")


@dataclass
class Parsed:
    title: str | None = None
    region: str | None = None
    year: int | None = None
    indicators: dict[str, dict] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)
    sections_used: set[str] = field(default_factory=set)
    # Values read but left out of the catalogue: a part of the region, or an unclear scope.
    skipped: list[dict] = field(default_factory=list)

    @property
    def unparsed_sections(self) -> list[str]:
        return [s for s in self.sections if s not in self.sections_used]


# --------------------------------------------------------------------------- value helpers


def _value(key: str, num: str, written_unit: str) -> tuple[float, str]:
    """(value in the catalogue unit, value_text in that unit) for a number as written.

    value_text keeps the bulletin's own digits (261.30, not 261.3) when no conversion was needed."""
    unit = CATALOGUE[key].unit
    number = parse_number(num)
    value = to_unit(number, written_unit, unit)
    if written_unit == unit:
        return value, num
    exact = number * UNIT_FACTORS[unit][written_unit]
    return value, format(exact.normalize(), "f")


def _growth_after(norm: str, end: int) -> float | None:
    """A growth rate stated right after a figure (before any other figure), or None."""
    rest = norm[end:]
    cut = _NEXT_FIGURE.search(rest)
    # A growth rate's own digits are followed by %, so _NEXT_FIGURE skips them.
    window = rest[: cut.start()] if cut else rest
    if _FLAT_RE.match(window):
        return 0.0
    m = _GROWTH_RE.search(window)
    if not m:
        return None
    # Anything between the figure and the rate must be connective text, not another subject.
    between = window[: m.start()]
    # "…1286.50万人次，实现旅游收入121.37亿元，分别增长23.4%和25.1%": 分别 pairs rates with several
    # figures; which belongs to which is not for a parser to guess.
    if re.search(r"占|比重|贡献|拉动|其中|人均|分别", between):
        return None
    # "…2.8万人，城镇调查失业率5.5%，比上年下降0.3%": a rate after another percentage is that one's.
    if re.search(r"\d", re.sub(r"(?:19|20)\d{2}年", "", between)):
        return None
    return float(_SIGN_WORDS[m.group("dir")] * parse_number(m.group("g")))


def _signed(match: re.Match) -> tuple[float, str]:
    if match.groupdict().get("flat"):
        return 0.0, "0"
    sign = _SIGN_WORDS[match.group("dir")]
    text = ("-" if sign < 0 else "") + match.group("g")
    return float(parse_number(text)), text


# --------------------------------------------------------------------------- the parser


def _record(parsed: Parsed, clause: Clause, key: str, value, value_text: str, at=None, **extra) -> bool:
    """Fill `key` unless it is filled already or the value's scope is not the whole region.

    `at` = (start, end) of the value's subject in clause.norm, for the scope check."""
    entry = {"value": value, "value_text": value_text, "unit": CATALOGUE[key].unit, "text": clause.text}
    entry.update({k: v for k, v in extra.items() if v is not None})
    problem = scope_problem(clause, key, *(at or (0, 0)), parsed.region)
    if problem and at is not None:
        skip = {
            "key": key,
            "value_text": value_text,
            "unit": entry["unit"],
            "reason": problem,
            "text": clause.text,
        }
        if skip not in parsed.skipped:
            parsed.skipped.append(skip)
        return False
    if key in parsed.indicators:
        return False
    parsed.indicators[key] = entry
    if clause.section:
        parsed.sections_used.add(clause.section)
    return True


def _share(norm: str, start: int, following: Clause | None) -> tuple[float | None, bool]:
    """(share of GDP stated with a value, whether it came from the next clause)."""
    s = _SHARE_RE.search(norm, start)
    if s:
        return float(parse_number(s.group("s"))), False
    # "…309.7亿元，比上年增长6.8%；民营经济占GDP的比重为66.4%"
    if following is not None and re.match(r"^(?:民营经济)?占", following.norm):
        s = _SHARE_RE.match(following.norm, following.norm.index("占"))
        if s:
            return float(parse_number(s.group("s"))), True
    return None, False


def _joined(clause: Clause, following: Clause) -> Clause:
    return replace(clause, text=clause.text + following.text, norm=clause.norm + following.norm)


def _amounts(parsed: Parsed, clause: Clause, following: Clause | None) -> None:
    norm = clause.norm
    for rule in AMOUNT_RULES:
        # Keys already filled are still matched: a part's figure is reported among the skipped.
        for m in rule.pattern.finditer(norm):
            before = norm[: m.start()]
            if rule.requires and not rule.requires.search(before + m.group(0)):
                continue
            if rule.forbids and rule.forbids.search(before):
                continue
            if rule.context and not rule.context.search(clause.prefix + before):
                continue
            try:
                value, value_text = _value(rule.key, m.group("num"), m.group("unit"))
            except ValueError:
                continue
            growth = _growth_after(norm, m.end()) if rule.growth else None
            target = clause
            if (
                rule.growth
                and growth is None
                and following is not None
                and _CONTINUATION.match(following.norm)
            ):
                # "…870.51亿元。按可比价格计算，比上年增长6.3%。": the rate sits in the next sentence.
                growth = _growth_after(following.norm, 0)
                if growth is not None:
                    target = _joined(clause, following)
            share = None
            if rule.share:
                share, from_next = _share(norm, m.end(), following)
                if from_next and target is clause:
                    target = _joined(clause, following)
            at = (m.start(), m.start("num"))
            if _record(
                parsed, target, rule.key, value, value_text, at, growth_pct=growth, share_of_gdp_pct=share
            ):
                if rule.also_growth_key and growth is not None:
                    text = format(Decimal(str(growth)), "f")
                    _record(parsed, target, rule.also_growth_key, growth, text, at)
                break


def _rates(parsed: Parsed, clause: Clause) -> None:
    norm = clause.norm
    for key, pattern in RATE_RULES:
        m = pattern.search(norm)
        if m:
            if key == "urbanization_rate_pct" and _HUKOU.search(norm[: m.start()][-8:]):
                continue
            num = m.group("num")
            _record(parsed, clause, key, float(parse_number(num)), num, (m.start(), m.start("num")))
    for key, pattern in CHANGE_RULES:
        m = pattern.search(norm)
        if m:
            value, text = _signed(m)
            _record(parsed, clause, key, value, text, m.span())


def _structure(parsed: Parsed, clause: Clause) -> None:
    norm = clause.norm
    m = _STRUCTURE_RE.search(norm)
    if m:
        # "由23.0:19.5:57.5调整为22.6:20.5:56.9": the new structure is the last ratio.
        ratios = _RATIO_RE.findall(norm[m.end() :])
        if ratios:
            text = ":".join(ratios[-1])
            _record(parsed, clause, "industry_structure", text, text, m.span())
    m = _CONTRIB_ALL.search(norm)
    if m:
        for which, num in zip(("primary", "secondary", "tertiary"), m.groups(), strict=True):
            _record(parsed, clause, f"growth_contribution_{which}", float(parse_number(num)), num, m.span())
    for m in _CONTRIB_ONE.finditer(norm):
        key = f"growth_contribution_{_WHICH[m.group('which')]}"
        _record(parsed, clause, key, float(parse_number(m.group("num"))), m.group("num"), m.span())
    m = _VA_ALL.search(norm)
    if m:
        growths = m.groups()[3:]
        for i, which in enumerate(("primary", "secondary", "tertiary")):
            num = m.group(i + 1)
            growth = float(parse_number(growths[i])) if growths[i] else None
            at = (m.start(), m.start(1))
            _record(
                parsed, clause, f"value_added_{which}", float(parse_number(num)), num, at, growth_pct=growth
            )


def _vocational(parsed: Parsed, clause: Clause) -> None:
    norm = clause.norm
    for anchor in _VOC_ANCHOR.finditer(norm):
        segment = norm[anchor.end() :]
        other = _OTHER_SCHOOL.search(segment)
        if other:
            segment = segment[: other.start()]
        for key, pattern in _VOC_MEASURES:
            m = pattern.search(segment)
            if m:
                try:
                    value, value_text = _value(key, m.group("num"), m.group("unit"))
                except ValueError:
                    continue
                _record(parsed, clause, key, value, value_text, anchor.span())


def parse_text(text: str, *, title_hint: str | None = None) -> Parsed:
    """Parse a bulletin's plain text (one paragraph a line). `title_hint` (e.g. the page's <title>)
    is used for region and year when no line of the text is a bulletin title. Lines before the
    title are the site's navigation and are not read."""
    parsed = Parsed()
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    title = find_title(lines)
    if title:
        lines = lines[title[0] :]
    elif title_hint:
        title = find_title([title_hint])
    if title:
        parsed.title, (parsed.region, parsed.year) = title[1], title[2]
    clauses, parsed.sections = build_clauses("\n".join(lines))
    if parsed.region is None or parsed.year is None:
        region, year = region_year_from_text([c.norm for c in clauses], lines)
        parsed.region, parsed.year = parsed.region or region, parsed.year or year
    for i, clause in enumerate(clauses):
        following = clauses[i + 1] if i + 1 < len(clauses) else None
        _amounts(parsed, clause, following)
        _rates(parsed, clause)
        _structure(parsed, clause)
        _vocational(parsed, clause)
    return parsed


def parse_document(content: bytes, content_type: str | None = None) -> tuple[Parsed, str]:
    """Decode, strip HTML if it is a page, parse. Returns (parsed, encoding)."""
    text, encoding = decode_bytes(content, content_type)
    hint = None
    if looks_like_html(text):
        text, hint = html_to_text(text)
    return parse_text(text, title_hint=hint), encoding
