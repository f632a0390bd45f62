"""Statistics bureau pages: yearly 统计公报 for 2018–2025 plus listing pages with noise items.

Figures are a small consistent model anchored on the published 2024 bulletin (GDP 870.51 亿元,
+6.3%, structure 22.3:20.0:57.7, tertiary contribution 67.2%, population 261.30 万, urbanisation
48.91%, 101.58 万 rural workers out, 291.83 亿元 labour income). Other years are derived from it:
nominal GDP walks backwards by real growth plus a deflator, sector values add up to GDP, the
structure adds up to 100, contributions add up to 100, growth rates shown are recomputed from
the values shown. The prose follows the section layout of a real prefecture-level 公报.
"""

from __future__ import annotations

from datetime import date
from random import Random

from sample_sources.bulletin_site import article, listing, mirror_page, noise_items
from sample_sources.county_bulletins import (
    COUNTIES,
    REVISED_YEAR,
    TRADITIONAL_PAGE,
    county_figures,
    county_paragraphs,
    expected_city,
    expected_county,
    revised_figures,
    revision_note,
)

YEARS = tuple(range(2018, 2026))
ANCHOR_YEAR = 2024
GB18030_YEAR = 2019

# Real growth and GDP deflator (%) by year before noise: the 2020 and 2022 dips are the
# pandemic years; 2024 is fixed by the published bulletin.
_REAL_GROWTH = {2018: 8.0, 2019: 7.6, 2020: 3.8, 2021: 7.9, 2022: 3.5, 2023: 5.8, 2024: 6.3, 2025: 5.9}
_DEFLATOR = {2018: 3.0, 2019: 3.5, 2020: 2.0, 2021: 2.5, 2022: 2.8, 2023: 0.8, 2024: 0.4, 2025: 0.6}
_CPI = {2018: 1.9, 2019: 3.3, 2020: 2.9, 2021: 0.4, 2022: 1.9, 2023: 0.1, 2024: 0.2, 2025: -0.2}
_INDUSTRY_GROWTH = {2018: 9.2, 2019: 9.0, 2020: 3.6, 2021: 9.8, 2022: 4.6, 2023: 7.2, 2024: 7.6, 2025: 7.0}
_INVESTMENT_GROWTH = {
    2018: 11.2,
    2019: 10.4,
    2020: 9.1,
    2021: 8.3,
    2022: 6.1,
    2023: 3.2,
    2024: 2.4,
    2025: 1.1,
}

# Growth ranges (%) for series anchored on a 2024 level; `None` means the default range.
_PANDEMIC = {2020: (-4.0, -1.5), 2022: (-1.0, 1.5)}


def _r(value: float, digits: int) -> float:
    return round(value, digits)


def _change(value: float, up: str = "增长", down: str = "下降") -> str:
    """ "增长6.3%" / "下降3.0%" / "与上年持平" for a growth rate in percent."""
    if round(value, 1) == 0:
        return "与上年持平"
    return f"{up if value > 0 else down}{abs(value):.1f}%"


def _series(
    rng: Random,
    anchor: float,
    default: tuple[float, float],
    ranges: dict[int, tuple[float, float]] | None = None,
    digits: int = 2,
) -> dict[int, float]:
    """Values for 2017..2025 with `anchor` in 2024; year y's growth drawn from ranges[y] or default."""
    ranges = ranges or {}
    growth = {year: rng.uniform(*ranges.get(year, default)) for year in range(2018, 2026)}
    values = {ANCHOR_YEAR: anchor}
    for year in range(ANCHOR_YEAR - 1, 2016, -1):
        values[year] = values[year + 1] / (1 + growth[year + 1] / 100)
    values[2025] = anchor * (1 + growth[2025] / 100)
    return {year: _r(value, digits) for year, value in sorted(values.items())}


def _growth(values: dict[int, float], year: int) -> float:
    return (values[year] / values[year - 1] - 1) * 100


def bulletin_figures(seed: int) -> dict[int, dict]:
    """All numbers the bulletins print, by year, consistent within and across years."""
    rng = Random(f"{seed}:bulletins")
    real = {y: g if y == ANCHOR_YEAR else _r(g + rng.uniform(-0.3, 0.3), 1) for y, g in _REAL_GROWTH.items()}
    deflator = {y: d + rng.uniform(-0.4, 0.4) for y, d in _DEFLATOR.items()}
    nominal = {y: (1 + real[y] / 100) * (1 + deflator[y] / 100) - 1 for y in YEARS}
    gdp = {ANCHOR_YEAR: 870.51}
    for year in range(ANCHOR_YEAR - 1, 2016, -1):
        gdp[year] = _r(gdp[year + 1] / (1 + nominal[year + 1]), 2)
    gdp[2025] = _r(gdp[ANCHOR_YEAR] * (1 + nominal[2025]), 2)

    population = {ANCHOR_YEAR: 261.30}
    for year in range(ANCHOR_YEAR - 1, 2016, -1):
        population[year] = _r(population[year + 1] + rng.uniform(1.6, 2.6), 2)
    population[2025] = _r(population[ANCHOR_YEAR] - rng.uniform(1.4, 2.2), 2)
    urbanisation = {ANCHOR_YEAR: 48.91}
    for year in range(ANCHOR_YEAR - 1, 2016, -1):
        urbanisation[year] = _r(urbanisation[year + 1] - rng.uniform(0.9, 1.4), 2)
    urbanisation[2025] = _r(urbanisation[ANCHOR_YEAR] + rng.uniform(0.8, 1.2), 2)
    outflow = {ANCHOR_YEAR: 101.58}
    for year in range(ANCHOR_YEAR - 1, 2016, -1):
        outflow[year] = _r(outflow[year + 1] + rng.uniform(-1.2, 1.0), 2)
    outflow[2025] = _r(outflow[ANCHOR_YEAR] + rng.uniform(-0.8, 0.6), 2)
    labour_income = _series(rng, 291.83, (3.5, 7.0), {2020: (0.5, 2.0)})

    income_urban = _series(rng, 41280 + rng.randint(-600, 600), (4.0, 7.0), {2020: (2.5, 4.0)}, 0)
    income_rural = _series(rng, 18360 + rng.randint(-400, 400), (6.0, 9.0), {2020: (5.0, 7.0)}, 0)
    retail = _series(
        rng,
        455.0 + rng.uniform(-10, 10),
        (4.0, 11.0),
        {2020: (-4.0, -2.0), 2021: (12, 15), 2022: (-1.0, 1.5), 2024: (4.5, 6.5)},
    )
    visitors = _series(
        rng,
        5120 + rng.uniform(-150, 150),
        (8.0, 15.0),
        {2020: (-25, -15), 2021: (15, 25), 2022: (-12, -5), 2023: (25, 40)},
    )
    tourism_revenue = _series(
        rng,
        520 + rng.uniform(-20, 20),
        (9.0, 16.0),
        {2020: (-22, -12), 2021: (16, 26), 2022: (-10, -3), 2023: (28, 42)},
    )
    fiscal_revenue = _series(rng, 62 + rng.uniform(-3, 3), (4.0, 9.0), {2020: (-1.0, 2.0), 2022: (-3.0, 1.0)})
    fiscal_spending = _series(rng, 340 + rng.uniform(-10, 10), (2.0, 7.0))
    deposits = _series(rng, 2350 + rng.uniform(-40, 40), (6.0, 10.0))
    loans = _series(rng, 1520 + rng.uniform(-40, 40), (8.0, 13.0))
    grain = _series(rng, 126 + rng.uniform(-2, 2), (-1.5, 2.0))
    pigs = _series(
        rng, 395 + rng.uniform(-10, 10), (-3.0, 4.0), {2019: (-25, -18), 2020: (3, 8), 2021: (15, 25)}
    )
    vocational = _series(rng, 2.71, (-1.5, 2.5))
    higher_vocational = _series(rng, 1.12, (2.0, 6.0))
    beds = _series(rng, 2.35, (2.0, 5.0))
    health_staff = _series(rng, 2.10, (2.5, 5.5))
    pension_workers = _series(rng, 43.2, (1.5, 4.0))
    pension_residents = _series(rng, 214.5, (-1.2, 0.3))
    phones = _series(rng, 268 + rng.uniform(-5, 5), (0.5, 3.0))

    figures: dict[int, dict] = {}
    for year in YEARS:
        index = year - ANCHOR_YEAR
        if year == ANCHOR_YEAR:
            shares = (22.3, 20.0)
            g1, g2 = 3.9, 6.0
        else:
            shares = (
                _r(22.3 - 0.15 * index + rng.uniform(-0.3, 0.3) + (1.0 if year == 2020 else 0), 1),
                _r(20.0 - 0.9 * index + rng.uniform(-0.3, 0.3), 1),
            )
            g1 = _r(3.6 + rng.uniform(-0.6, 0.6) + (1.4 if year == 2020 else 0), 1)
            g2 = _r(real[year] + rng.uniform(-1.8, 1.2) - (1.2 if year == 2020 else 0), 1)
        p1, p2 = shares
        p3 = _r(100 - p1 - p2, 1)
        g = real[year]
        g3 = _r((g - p1 * g1 / 100 - p2 * g2 / 100) / (p3 / 100), 1)
        c1 = _r(p1 * g1 / g, 1)
        c2 = _r(p2 * g2 / g, 1)
        c3 = _r(100 - c1 - c2, 1)
        v1 = _r(gdp[year] * p1 / 100, 2)
        v2 = _r(gdp[year] * p2 / 100, 2)
        v3 = _r(gdp[year] - v1 - v2, 2)
        avg_population = (population[year] + population[year - 1]) / 2
        per_capita = round(gdp[year] * 1e8 / (avg_population * 1e4))
        # Per-capita growth at constant prices: real GDP growth adjusted for the population change.
        per_capita_growth = ((1 + g / 100) * (population[year - 1] / population[year]) - 1) * 100
        urban = _r(population[year] * urbanisation[year] / 100, 2)
        birth_rate = _r(9.8 - 0.62 * (year - 2018) + rng.uniform(-0.2, 0.2), 2)
        death_rate = _r(7.9 + 0.22 * (year - 2018) + rng.uniform(-0.2, 0.2), 2)
        industry_value = _r(v2 * rng.uniform(0.6, 0.66), 2)
        figures[year] = {
            "year": year,
            "gdp": gdp[year],
            "gdp_growth": g,
            "v1": v1,
            "v2": v2,
            "v3": v3,
            "g1": g1,
            "g2": g2,
            "g3": g3,
            "p1": p1,
            "p2": p2,
            "p3": p3,
            "c1": c1,
            "c2": c2,
            "c3": c3,
            "per_capita": per_capita,
            "per_capita_growth": per_capita_growth,
            "cpi": _r(_CPI[year] + (0 if year == ANCHOR_YEAR else rng.uniform(-0.2, 0.2)), 1),
            "food_cpi": _r(_CPI[year] * 1.8 + rng.uniform(-0.6, 0.6), 1),
            "agri_output": _r(v1 * rng.uniform(1.6, 1.7), 2),
            "agri_growth": g1 + rng.uniform(-0.2, 0.3),
            "grain": grain[year],
            "grain_growth": _growth(grain, year),
            "pigs": pigs[year],
            "pigs_growth": _growth(pigs, year),
            "herb_area": _r(60 + 2.5 * (year - 2018) + rng.uniform(-1, 1), 1),
            "industry_value": industry_value,
            "industry_growth": g2 + rng.uniform(-0.5, 0.8),
            "industry_above_scale_growth": _INDUSTRY_GROWTH[year] + rng.uniform(-0.4, 0.4),
            "construction_value": _r(v2 - industry_value, 2),
            "construction_growth": g2 + rng.uniform(-2.0, 1.0),
            "firms_above_scale": 280 + 8 * (year - 2018) + rng.randint(-5, 5),
            "investment_growth": _INVESTMENT_GROWTH[year] + rng.uniform(-1.0, 1.0),
            "investment_by_sector": [_INVESTMENT_GROWTH[year] + rng.uniform(-8, 8) for _ in range(4)],
            "retail": retail[year],
            "retail_growth": _growth(retail, year),
            "retail_urban_share": rng.uniform(0.78, 0.82),
            "trade": _r(rng.uniform(9, 16), 2),
            "trade_growth": rng.uniform(-8, 18),
            "visitors": visitors[year],
            "visitors_growth": _growth(visitors, year),
            "tourism_revenue": tourism_revenue[year],
            "tourism_revenue_growth": _growth(tourism_revenue, year),
            "a_level_sites": 38 + 3 * (year - 2018) + rng.randint(0, 2),
            "road_km": round(21500 + 380 * (year - 2018) + rng.randint(-60, 60)),
            "expressway_km": 380 + (44 if year >= 2021 else 0) + (56 if year >= 2024 else 0),
            "phones": phones[year],
            "fiscal_revenue": fiscal_revenue[year],
            "fiscal_revenue_growth": _growth(fiscal_revenue, year),
            "fiscal_spending": fiscal_spending[year],
            "fiscal_spending_growth": _growth(fiscal_spending, year),
            "deposits": deposits[year],
            "deposits_added": _r(deposits[year] - deposits[year - 1], 2),
            "loans": loans[year],
            "loans_added": _r(loans[year] - loans[year - 1], 2),
            "higher_vocational": higher_vocational[year],
            "vocational": vocational[year],
            "vocational_schools": 10 if year < 2022 else 9,
            "high_school_students": _r(7.6 + 0.12 * (year - 2018) + rng.uniform(-0.1, 0.1), 2),
            "health_institutions": 3900 + rng.randint(-150, 150),
            "beds": beds[year],
            "health_staff": health_staff[year],
            "population": population[year],
            "urban": urban,
            "rural": _r(population[year] - urban, 2),
            "urbanisation": urbanisation[year],
            "urbanisation_change": urbanisation[year] - urbanisation[year - 1],
            "births": _r(birth_rate * (population[year] + population[year - 1]) / 2 / 1000, 2),
            "birth_rate": birth_rate,
            "deaths": _r(death_rate * (population[year] + population[year - 1]) / 2 / 1000, 2),
            "death_rate": death_rate,
            "natural_rate": _r(birth_rate - death_rate, 2),
            "hukou": _r(372.5 - 0.9 * (year - 2018) + rng.uniform(-0.3, 0.3), 2),
            "new_jobs": _r(rng.uniform(2.3, 2.8), 2),
            "unemployment": _r(rng.uniform(3.0, 3.8), 1),
            "outflow": outflow[year],
            "labour_income": labour_income[year],
            "income_urban": int(income_urban[year]),
            "income_urban_growth": _growth(income_urban, year),
            "income_rural": int(income_rural[year]),
            "income_rural_growth": _growth(income_rural, year),
            "pension_workers": pension_workers[year],
            "pension_residents": pension_residents[year],
            "medical_insured": _r(population[year] * rng.uniform(1.22, 1.26), 2),
        }
        # 全体居民 income is the population-weighted mix of urban and rural; its growth is the mix of
        # theirs (the bureau's survey weights, not the shift in urbanisation, drive the published rate).
        share = urbanisation[year] / 100
        figures[year]["income_all"] = round(income_urban[year] * share + income_rural[year] * (1 - share))
        figures[year]["income_all_growth"] = share * _growth(income_urban, year) + (1 - share) * _growth(
            income_rural, year
        )
    return figures


def indicator_texts(figures: dict) -> dict[str, str]:
    """The skeleton indicators of the warehouse contract as the bulletin prints them (value_text)."""
    return {
        "gdp": f"{figures['gdp']:.2f}",
        "gdp_growth_pct": f"{figures['gdp_growth']:.1f}",
        "industry_structure": f"{figures['p1']:.1f}:{figures['p2']:.1f}:{figures['p3']:.1f}",
        "resident_population": f"{figures['population']:.2f}",
        "urbanization_rate_pct": f"{figures['urbanisation']:.2f}",
        "rural_labour_outflow": f"{figures['outflow']:.2f}",
        "labour_income": f"{figures['labour_income']:.2f}",
    }


def _intro(year: int) -> str:
    if year == 2020:
        return (
            f"{year}年，面对新冠肺炎疫情的严重冲击，全市上下统筹推进疫情防控和经济社会发展，"
            "扎实做好“六稳”工作、全面落实“六保”任务，经济运行逐步恢复，社会大局和谐稳定。"
        )
    if year == 2022:
        return (
            f"{year}年，面对多重超预期因素冲击，全市上下高效统筹疫情防控和经济社会发展，"
            "全力稳住经济大盘，经济社会发展保持总体平稳。"
        )
    return (
        f"{year}年，全市上下坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念，"
        "深入推进“1+3”主导产业发展，经济运行稳中有进，社会事业全面进步，人民生活持续改善。"
    )


def bulletin_paragraphs(f: dict) -> list[str]:
    """The article body, one string a paragraph, section headings included."""
    y = f["year"]
    ivs = f["investment_by_sector"]
    urban_retail = f["retail"] * f["retail_urban_share"]
    return [
        _intro(y),
        "一、综合",
        (
            f"全年实现地区生产总值（GDP）{f['gdp']:.2f}亿元，按不变价格计算，比上年增长{f['gdp_growth']:.1f}%。"
            f"其中，第一产业增加值{f['v1']:.2f}亿元，{_change(f['g1'])}；第二产业增加值{f['v2']:.2f}亿元，"
            f"{_change(f['g2'])}；第三产业增加值{f['v3']:.2f}亿元，{_change(f['g3'])}。"
            f"三次产业结构为{f['p1']:.1f}:{f['p2']:.1f}:{f['p3']:.1f}。"
            f"三次产业对经济增长的贡献率分别为{f['c1']:.1f}%、{f['c2']:.1f}%和{f['c3']:.1f}%。"
            f"人均地区生产总值{f['per_capita']}元，比上年{_change(f['per_capita_growth'])}。"
        ),
        (
            f"全年居民消费价格（CPI）比上年{_change(f['cpi'], '上涨', '下降')}。"
            f"其中，食品烟酒类价格{_change(f['food_cpi'], '上涨', '下降')}。"
        ),
        "二、农业",
        (
            f"全年农林牧渔业总产值{f['agri_output']:.2f}亿元，按可比价格计算，比上年{_change(f['agri_growth'])}。"
            f"全年粮食总产量{f['grain']:.2f}万吨，{_change(f['grain_growth'])}。"
            f"全年生猪出栏{f['pigs']:.2f}万头，{_change(f['pigs_growth'])}。"
            f"年末中药材种植面积{f['herb_area']:.1f}万亩。"
        ),
        "三、工业和建筑业",
        (
            f"全年全部工业增加值{f['industry_value']:.2f}亿元，比上年{_change(f['industry_growth'])}。"
            f"年末规模以上工业企业{f['firms_above_scale']}户，"
            f"全年规模以上工业增加值{_change(f['industry_above_scale_growth'])}。"
        ),
        f"全年建筑业增加值{f['construction_value']:.2f}亿元，比上年{_change(f['construction_growth'])}。",
        "四、固定资产投资",
        (
            f"全年全社会固定资产投资比上年{_change(f['investment_growth'])}。分产业看，第一产业投资"
            f"{_change(ivs[0])}；第二产业投资{_change(ivs[1])}，其中工业投资{_change(ivs[2])}；"
            f"第三产业投资{_change(ivs[3])}。"
        ),
        "五、国内贸易",
        (
            f"全年社会消费品零售总额{f['retail']:.2f}亿元，比上年{_change(f['retail_growth'])}。"
            f"按经营单位所在地分，城镇消费品零售额{urban_retail:.2f}亿元；"
            f"乡村消费品零售额{f['retail'] - urban_retail:.2f}亿元。"
        ),
        "六、开放型经济和旅游",
        f"全年进出口总额{f['trade']:.2f}亿元，比上年{_change(f['trade_growth'])}。",
        (
            f"全年接待游客{f['visitors']:.2f}万人次，比上年{_change(f['visitors_growth'])}；"
            f"实现旅游收入{f['tourism_revenue']:.2f}亿元，{_change(f['tourism_revenue_growth'])}。"
            f"年末全市A级旅游景区{f['a_level_sites']}个。"
        ),
        "七、交通运输和邮电",
        (
            f"年末全市公路总里程{f['road_km']}公里，其中高速公路{f['expressway_km']}公里。"
            f"年末移动电话用户{f['phones']:.2f}万户。"
        ),
        "八、财政和金融",
        (
            f"全年一般公共预算收入{f['fiscal_revenue']:.2f}亿元，比上年{_change(f['fiscal_revenue_growth'])}；"
            f"一般公共预算支出{f['fiscal_spending']:.2f}亿元，{_change(f['fiscal_spending_growth'])}。"
        ),
        (
            f"年末全市金融机构人民币各项存款余额{f['deposits']:.2f}亿元，比年初增加{f['deposits_added']:.2f}亿元；"
            f"各项贷款余额{f['loans']:.2f}亿元，比年初增加{f['loans_added']:.2f}亿元。"
        ),
        "九、教育、科学技术和文化、卫生",
        (
            f"年末全市共有普通高等学校1所，在校学生{f['higher_vocational']:.2f}万人；"
            f"中等职业学校{f['vocational_schools']}所，中等职业教育在校学生{f['vocational']:.2f}万人；"
            f"普通高中在校学生{f['high_school_students']:.2f}万人。"
        ),
        (
            f"年末全市共有卫生机构{f['health_institutions']}个，卫生机构床位{f['beds']:.2f}万张，"
            f"卫生技术人员{f['health_staff']:.2f}万人。"
        ),
        "十、人口、就业和社会保障",
        (
            f"年末常住人口{f['population']:.2f}万人，其中城镇人口{f['urban']:.2f}万人，乡村人口{f['rural']:.2f}万人；"
            f"常住人口城镇化率{f['urbanisation']:.2f}%，比上年末提高{f['urbanisation_change']:.2f}个百分点。"
            f"全年出生人口{f['births']:.2f}万人，出生率{f['birth_rate']:.2f}‰；死亡人口{f['deaths']:.2f}万人，"
            f"死亡率{f['death_rate']:.2f}‰；人口自然增长率{f['natural_rate']:.2f}‰。"
            f"年末户籍人口{f['hukou']:.2f}万人。"
        ),
        (
            f"全年城镇新增就业{f['new_jobs']:.2f}万人，城镇登记失业率{f['unemployment']:.1f}%。"
            f"全年转移输出农村劳动力{f['outflow']:.2f}万人，实现劳务收入{f['labour_income']:.2f}亿元。"
        ),
        (
            f"全年全体居民人均可支配收入{f['income_all']}元，比上年{_change(f['income_all_growth'])}。"
            f"按常住地分，城镇居民人均可支配收入{f['income_urban']}元，{_change(f['income_urban_growth'])}；"
            f"农村居民人均可支配收入{f['income_rural']}元，{_change(f['income_rural_growth'])}。"
        ),
        (
            f"年末全市城镇职工基本养老保险参保人数{f['pension_workers']:.2f}万人，"
            f"城乡居民基本养老保险参保人数{f['pension_residents']:.2f}万人；"
            f"城乡居民基本医疗保险参保人数{f['medical_insured']:.2f}万人。"
        ),
        (
            "注：1.本公报中数据均为初步统计数。2.地区生产总值、三次产业增加值绝对数按现价计算，增长速度按不变价格计算。"
            "3.部分数据因四舍五入的原因，存在总计与分项合计不等的情况。"
        ),
    ]


def write_bulletins(site: dict[str, bytes], seed: int) -> dict:
    """Add bulletin pages, noise pages and both listing pages to `site` (URL path -> bytes)."""
    rng = Random(f"{seed}:bulletin-pages")
    figures = bulletin_figures(seed)
    entries: list[tuple[date, str, str]] = []  # (date, title, path under /stats/)
    gb18030: list[str] = []
    paths: dict[str, str] = {}
    for year in YEARS:
        published = date(year + 1, rng.choice((3, 3, 4)), rng.randint(10, 28))
        name = f"t{published:%Y%m%d}_{rng.randrange(1000, 9999)}.html"
        path = f"stats/tjgb/{year}/{name}"
        title = f"巴中市{year}年国民经济和社会发展统计公报"
        paragraphs = [
            "巴中市统计局　国家统计局巴中调查队",
            f"（{published.year}年{published.month}月{published.day}日）",
        ]
        paragraphs += bulletin_paragraphs(figures[year])
        if year == GB18030_YEAR:
            # An older page left in the CMS's legacy encoding; it claims gb2312, bytes are GB18030.
            site["/" + path] = article(title, published, paragraphs, charset="gb2312").encode("gb18030")
            gb18030.append("/" + path)
        else:
            site["/" + path] = article(title, published, paragraphs).encode("utf-8")
        entries.append((published, title, path))
        paths[str(year)] = "/" + path
    # The city's corrected re-publication of REVISED_YEAR (census revision), listed beside the rest.
    revised = revised_figures(figures[REVISED_YEAR])
    published = date(REVISED_YEAR + 2, 1, rng.randint(10, 25))
    revision_path = f"stats/tjgb/{REVISED_YEAR}/t{published:%Y%m%d}_{rng.randrange(1000, 9999)}.html"
    title = f"巴中市{REVISED_YEAR}年国民经济和社会发展统计公报（修订）"
    paragraphs = [
        "巴中市统计局　国家统计局巴中调查队",
        f"（{published.year}年{published.month}月{published.day}日）",
    ]
    paragraphs += [revision_note(REVISED_YEAR), *bulletin_paragraphs(revised)]
    site["/" + revision_path] = article(title, published, paragraphs).encode("utf-8")
    entries.append((published, title, revision_path))
    revision = {
        "region": "巴中市",
        "year": REVISED_YEAR,
        "path": "/" + revision_path,
        "vintage": published.isoformat(),
        "expected": expected_city(revised),
    }
    for title, published, paragraphs in noise_items(rng):
        folder = "tjgb/other" if "公报" in title else "tjxx"
        path = f"stats/{folder}/t{published:%Y%m%d}_{rng.randrange(1000, 9999)}.html"
        site["/" + path] = article(title, published, paragraphs).encode("utf-8")
        entries.append((published, title, path))
    entries.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    per_page = 9
    pages = [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
    for number, chunk in enumerate(pages, start=1):
        items = []
        for position, (published, title, path) in enumerate(chunk):
            relative = path.removeprefix("stats/tjgb/")
            # Both href styles the real CMS mixes: "2019/t….html" and "../tjgb/2024/t….html".
            if path.startswith("stats/tjgb/"):
                href = relative if position % 2 else f"../tjgb/{relative}"
            else:
                href = "../" + path.removeprefix("stats/")
            items.append((href, title, published))
        name = "index.html" if number == 1 else f"index_{number}.html"
        site[f"/stats/tjgb/{name}"] = listing(items, number, len(pages)).encode("utf-8")
    counties = write_county_bulletins(site, seed, figures)
    expected = {"巴中市": {str(year): expected_city(figures[year]) for year in YEARS}, **counties["expected"]}
    return {
        "bulletin_years": list(YEARS),
        "bulletin_paths": paths,
        "bulletin_indicators": {str(year): indicator_texts(figures[year]) for year in YEARS},
        "gb18030_paths": gb18030,
        "listing_pages": len(pages),
        "truth_extra": {
            "regions": ["巴中市", *COUNTIES],
            "expected": expected,
            "county_paths": counties["paths"],
            "county_listing_pages": counties["listing_pages"],
            "traditional_paths": counties["traditional_paths"],
            "revision": revision,
        },
    }


_PINYIN = {
    "巴州区": "bazhou",
    "恩阳区": "enyang",
    "通江县": "tongjiang",
    "南江县": "nanjiang",
    "平昌县": "pingchang",
}


def _county_title(county: str, year: int) -> str:
    # Bureaus disagree on where the year goes; 平昌县 puts it first.
    if county == "平昌县":
        return f"{year}年{county}国民经济和社会发展统计公报"
    return f"{county}{year}年国民经济和社会发展统计公报"


def write_county_bulletins(site: dict[str, bytes], seed: int, city: dict[int, dict]) -> dict:
    """Add the county channel (/stats/xqgb/): 5 counties × 2018–2025 bulletins, noise, a mirror."""
    from opencc import OpenCC

    s2t = OpenCC("s2t")
    rng = Random(f"{seed}:county-pages")
    figures = county_figures(city, seed)
    entries: list[tuple[date, str, str]] = []
    paths: dict[str, dict[str, str]] = {}
    expected: dict[str, dict[str, dict[str, str]]] = {}
    traditional: list[str] = []
    for county in COUNTIES:
        for year in YEARS:
            f = figures[county][year]
            published = date(year + 1, rng.choice((2, 3, 3, 4)), rng.randint(5, 28))
            name = f"t{published:%Y%m%d}_{rng.randrange(1000, 9999)}.html"
            title = _county_title(county, year)
            paragraphs = [f"{county}统计局", f"（{published.year}年{published.month}月{published.day}日）"]
            paragraphs += county_paragraphs(county, f, figures[county].get(year - 1))
            if (county, year) == TRADITIONAL_PAGE:
                path = f"mirror/{_PINYIN[county]}/{year}/{name}"
                title = s2t.convert(title)
                site["/" + path] = mirror_page(title, [title, *(s2t.convert(p) for p in paragraphs)]).encode()
                traditional.append("/" + path)
            else:
                path = f"stats/xqgb/{_PINYIN[county]}/{year}/{name}"
                site["/" + path] = article(title, published, paragraphs).encode("utf-8")
            entries.append((published, title, path))
            paths.setdefault(county, {})[str(year)] = "/" + path
            expected.setdefault(county, {})[str(year)] = expected_county(county, f)
    noise = [
        ("巴州区2025年政府工作报告", date(2025, 1, 20)),
        ("《通江县2023年国民经济和社会发展统计公报》图解", date(2024, 4, 2)),
        ("达州市2024年国民经济和社会发展统计公报", date(2025, 3, 30)),
        ("关于开展恩阳区2024年度统计数据质量核查的通知", date(2024, 9, 12)),
        ("平昌县2024年1-6月主要经济指标", date(2024, 7, 25)),
    ]
    for title, published in noise:
        path = f"stats/xqgb/other/t{published:%Y%m%d}_{rng.randrange(1000, 9999)}.html"
        site["/" + path] = article(title, published, ["本文内容略。"]).encode("utf-8")
        entries.append((published, title, path))
    entries.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    per_page = 15
    pages = [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
    for number, chunk in enumerate(pages, start=1):
        items = []
        for published, title, path in chunk:
            href = path.removeprefix("stats/xqgb/") if path.startswith("stats/xqgb/") else "../../" + path
            items.append((href, title, published))
        name = "index.html" if number == 1 else f"index_{number}.html"
        site[f"/stats/xqgb/{name}"] = listing(items, number, len(pages), "县区统计公报").encode("utf-8")
    return {
        "paths": paths,
        "expected": expected,
        "listing_pages": len(pages),
        "traditional_paths": traditional,
    }
