"""County bulletins (巴州区, 恩阳区, 通江县, 南江县, 平昌县, 2018–2025), the city's corrected 2023
re-publication, and `expected_indicators`: what a careful reader takes from each page.

County figures are split from the city's so they add up where they should: county GDP, resident
population, labour outflow and labour income sum to the city's figures, and secondary-vocational
students sum to the city's count. Each county's bureau has its own house style, so the pages vary
the phrasing the way real 县区公报 do: 按可比价格/按不变价格, 比上年增长/增长/同比增长, 调整为/比为,
"其中:" with ASCII or full-width colons, headings with spaced characters ("一、综　　合"), full-width
digits with stray spaces, thousands separators, declines (下降), and one year of 通江县 reposted by a
mirror site in Traditional characters.
"""

from __future__ import annotations

from random import Random

COUNTIES = ("巴州区", "恩阳区", "通江县", "南江县", "平昌县")
# Share of the city's GDP and population, and the county's primary-sector share (%) in 2018.
_PROFILE = {
    "巴州区": (0.27, 0.255, 12.5, 15.0),
    "恩阳区": (0.11, 0.130, 24.0, -3.0),
    "通江县": (0.20, 0.210, 27.5, -7.5),
    "南江县": (0.19, 0.180, 26.0, -6.0),
    "平昌县": (0.23, 0.225, 25.0, -5.5),
}
TRADITIONAL_PAGE = ("通江县", 2020)
REVISED_YEAR = 2023
# Census revision of the 2023 accounts (第五次全国经济普查): services were under-counted most.
_REVISION = {"v1": 1.0, "v2": 1.018, "v3": 1.052}


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits)


def _split(total: float, shares: list[float], digits: int = 2) -> list[float]:
    """`total` split by `shares`, rounded, the last part taking the rounding so the parts add up."""
    parts = [_r(total * s, digits) for s in shares[:-1]]
    parts.append(_r(total - sum(parts), digits))
    return parts


def _shares(rng: Random, base: list[float], wobble: float = 0.02) -> list[float]:
    raw = [b * (1 + rng.uniform(-wobble, wobble)) for b in base]
    total = sum(raw)
    return [r / total for r in raw]


def _g(value: float) -> float:
    """A growth rate as printed (one decimal)."""
    return _r(value, 1)


def county_figures(city: dict[int, dict], seed: int) -> dict[str, dict[int, dict]]:
    """Figures of every county and year, derived from the city's `bulletin_figures`."""
    out: dict[str, dict[int, dict]] = {c: {} for c in COUNTIES}
    for year in sorted(city):
        fc = city[year]
        rng = Random(f"{seed}:county-bulletins:{year}")
        gdp_shares = _shares(rng, [_PROFILE[c][0] for c in COUNTIES])
        pop_shares = _shares(rng, [_PROFILE[c][1] for c in COUNTIES], 0.01)
        gdp = _split(fc["gdp"], gdp_shares)
        population = _split(fc["population"], pop_shares)
        outflow = _split(fc["outflow"], pop_shares)
        labour_income = _split(fc["labour_income"], pop_shares)
        retail = _split(fc["retail"], gdp_shares)
        students = _split(round(fc["vocational"] * 10000), pop_shares, 0)
        for i, county in enumerate(COUNTIES):
            crng = Random(f"{seed}:county-bulletins:{county}:{year}")
            _, _, primary, urban_offset = _PROFILE[county]
            p1 = _g(primary - 0.35 * (year - 2018) + crng.uniform(-0.4, 0.4))
            p2 = _g(fc["p2"] + crng.uniform(-4.0, 4.0) + (6.0 if county == "巴州区" else 0.0))
            p3 = _g(100 - p1 - p2)
            v1 = _r(gdp[i] * p1 / 100)
            v2 = _r(gdp[i] * p2 / 100)
            v3 = _r(gdp[i] - v1 - v2)
            growth = _g(fc["gdp_growth"] + crng.uniform(-0.8, 0.8))
            g1 = _g(fc["g1"] + crng.uniform(-0.6, 0.6))
            # One county's industry shrank in the pandemic year: the pages must say 下降.
            g2 = _g(-2.4 if (county, year) == ("南江县", 2020) else fc["g2"] + crng.uniform(-1.5, 1.5))
            g3 = _g((growth - p1 * g1 / 100 - p2 * g2 / 100) / (p3 / 100))
            c1 = _g(p1 * g1 / growth)
            c2 = _g(p2 * g2 / growth)
            c3 = _g(100 - c1 - c2)
            urbanisation = _r(fc["urbanisation"] + urban_offset + crng.uniform(-0.5, 0.5))
            urban = _r(population[i] * urbanisation / 100)
            private = _r(gdp[i] * crng.uniform(0.52, 0.60))
            out[county][year] = {
                "year": year,
                "county": county,
                "gdp": gdp[i],
                "gdp_growth": growth,
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
                "population": population[i],
                "urban": urban,
                "rural": _r(population[i] - urban),
                "urbanisation": urbanisation,
                "hukou": _r(fc["hukou"] * pop_shares[i] * crng.uniform(1.0, 1.04)),
                "outflow": outflow[i],
                "labour_income": labour_income[i],
                "new_jobs": round(fc["new_jobs"] * 10000 * pop_shares[i] * crng.uniform(0.9, 1.1)),
                "unemployment": _g(crng.uniform(3.0, 3.9)),
                "cpi": _g(fc["cpi"] + crng.uniform(-0.3, 0.3)),
                "private": private,
                "private_growth": _g(growth + crng.uniform(-0.5, 1.0)),
                "private_share": _g(private / gdp[i] * 100),
                "income_urban": int(fc["income_urban"] * crng.uniform(0.95, 1.03)),
                "income_urban_growth": _g(fc["income_urban_growth"] + crng.uniform(-0.4, 0.4)),
                "income_rural": int(fc["income_rural"] * crng.uniform(0.95, 1.05)),
                "income_rural_growth": _g(fc["income_rural_growth"] + crng.uniform(-0.4, 0.4)),
                "retail": retail[i],
                "retail_growth": _g(fc["retail_growth"] + crng.uniform(-1.0, 1.0)),
                "investment_growth": _g(fc["investment_growth"] + crng.uniform(-4.0, 2.0)),
                "voc_students": int(students[i]),
                "voc_enrolment": int(students[i] * crng.uniform(0.33, 0.37)),
                "voc_graduates": int(students[i] * crng.uniform(0.27, 0.31)),
                "visitors": _r(fc["visitors"] * gdp_shares[i] * crng.uniform(0.35, 0.5)),
                "visitors_growth": _g(fc["visitors_growth"] + crng.uniform(-2.0, 2.0)),
                "tourism_revenue": _r(fc["tourism_revenue"] * gdp_shares[i] * crng.uniform(0.35, 0.5)),
                "tourism_revenue_growth": _g(fc["tourism_revenue_growth"] + crng.uniform(-2.0, 2.0)),
            }
    return out


def revised_figures(f: dict) -> dict:
    """The city's figures for REVISED_YEAR after the census revision (GDP, sectors, structure)."""
    r = dict(f)
    for key, factor in _REVISION.items():
        r[key] = _r(f[key] * factor)
    r["gdp"] = _r(r["v1"] + r["v2"] + r["v3"])
    r["p1"] = _g(r["v1"] / r["gdp"] * 100)
    r["p2"] = _g(r["v2"] / r["gdp"] * 100)
    r["p3"] = _g(100 - r["p1"] - r["p2"])
    return r


# --------------------------------------------------------------------------- wording


def _ch(value: float, up: str = "增长", down: str = "下降") -> str:
    if value == 0:
        return "持平"
    return f"{up if value > 0 else down}{abs(value):.1f}%"


def _fw(text: str) -> str:
    """Full-width digits and decimal point, as some bureaus type them."""
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})


def _structure_sentence(county: str, f: dict, prev: dict | None) -> str:
    now = f"{f['p1']:.1f}:{f['p2']:.1f}:{f['p3']:.1f}"
    if county == "巴州区" and prev is not None:
        before = f"{prev['p1']:.1f}:{prev['p2']:.1f}:{prev['p3']:.1f}"
        return f"三次产业结构由上年的{before}调整为{now}。"
    if county == "恩阳区":
        return f"三次产业结构比为{now.replace(':', '∶')}。"
    return f"三次产业结构为{now}。"


def county_paragraphs(county: str, f: dict, prev: dict | None) -> list[str]:
    """The body of one county bulletin, in that county's house style."""
    y = f["year"]
    whole = "全区" if county.endswith("区") else "全县"
    if county == "巴州区":
        gdp = (
            f"初步核算，{whole}实现地区生产总值（GDP）{f['gdp']:.2f}亿元，按可比价格计算，比上年{_ch(f['gdp_growth'])}。"
            f"其中:第一产业增加值{f['v1']:.2f}亿元，{_ch(f['g1'])}；第二产业增加值{f['v2']:.2f}亿元，{_ch(f['g2'])}；"
            f"第三产业增加值{f['v3']:.2f}亿元，{_ch(f['g3'])}。"
        )
    elif county == "恩阳区":
        gdp = (
            f"{y}年{county}地区生产总值{f['gdp']:.2f}亿元，按不变价格计算，同比{_ch(f['gdp_growth'])}。"
            f"其中：第一产业实现增加值{f['v1']:.2f}亿元，{_ch(f['g1'])}；第二产业实现增加值{f['v2']:.2f}亿元，"
            f"{_ch(f['g2'])}；第三产业实现增加值{f['v3']:.2f}亿元，{_ch(f['g3'])}。"
        )
    elif county == "南江县":
        figure = _fw(f"{f['gdp']:.2f}")
        gdp = (
            f"经市统计局统一核算，{whole}实现地区生产总值 {figure} 亿元，"
            f"按可比价格计算，增长{f['gdp_growth']:.1f}％。"
            f"分产业看，第一产业增加值{f['v1']:.2f}亿元，{_ch(f['g1'])}；第二产业增加值{f['v2']:.2f}亿元，"
            f"{_ch(f['g2'])}；第三产业增加值{f['v3']:.2f}亿元，{_ch(f['g3'])}。"
        )
    else:  # 通江县, 平昌县
        lead = f"{y}年{county}" if county == "平昌县" else f"{whole}实现"
        gdp = (
            f"{lead}地区生产总值{f['gdp']:.2f}亿元，按可比价格计算，比上年{_ch(f['gdp_growth'])}。"
            f"其中，第一产业增加值{f['v1']:.2f}亿元，{_ch(f['g1'])}；第二产业增加值{f['v2']:.2f}亿元，{_ch(f['g2'])}；"
            f"第三产业增加值{f['v3']:.2f}亿元，{_ch(f['g3'])}。"
        )
    general = gdp + _structure_sentence(county, f, prev)
    if county != "平昌县":
        general += f"三次产业对经济增长的贡献率分别为{f['c1']:.1f}%、{f['c2']:.1f}%和{f['c3']:.1f}%。"
    private = (
        f"全年民营经济实现增加值{f['private']:.2f}亿元，比上年{_ch(f['private_growth'])}，"
        f"占GDP的比重为{f['private_share']:.1f}%。"
    )
    cpi = f"全年居民消费价格比上年{_ch(f['cpi'], '上涨', '下降')}。" if county != "恩阳区" else ""
    heading = (
        "一、综　　合",
        "二、固定资产投资",
        "三、国内贸易和旅游",
        "四、教　　育",
        "五、人口、就业和人民生活",
    )
    if county != "恩阳区":
        heading = (
            "一、综合",
            "二、固定资产投资",
            "三、国内贸易和旅游",
            "四、教育",
            "五、人口、就业和人民生活",
        )
    jobs = f"{f['new_jobs']:,}" if county == "南江县" else str(f["new_jobs"])
    return [
        f"{y}年，{whole}上下坚持稳中求进工作总基调，经济运行总体平稳，社会事业持续进步。",
        heading[0],
        general,
        private + cpi,
        heading[1],
        f"全年全社会固定资产投资比上年{_ch(f['investment_growth'])}。其中，民间投资比上年增长3.1%。",
        heading[2],
        f"全年社会消费品零售总额{f['retail']:.2f}亿元，比上年{_ch(f['retail_growth'])}。",
        (
            f"全年接待游客{f['visitors']:.2f}万人次，{_ch(f['visitors_growth'])}；"
            f"实现旅游综合收入{f['tourism_revenue']:.2f}亿元，{_ch(f['tourism_revenue_growth'])}。"
        ),
        heading[3],
        (
            f"中等职业学校招生{f['voc_enrolment']}人，在校学生{f['voc_students']}人，毕业生{f['voc_graduates']}人；"
            f"普通高中在校学生{int(f['voc_students'] * 1.9)}人。"
        ),
        heading[4],
        (
            f"年末常住人口{f['population']:.2f}万人，其中城镇人口{f['urban']:.2f}万人，乡村人口{f['rural']:.2f}万人；"
            f"常住人口城镇化率{f['urbanisation']:.2f}%。年末户籍总人口{f['hukou']:.2f}万人。"
        ),
        (
            f"全年城镇新增就业{jobs}人，城镇登记失业率{f['unemployment']:.1f}%。"
            f"全年转移输出农村劳动力{f['outflow']:.2f}万人，实现劳务收入{f['labour_income']:.2f}亿元。"
        ),
        (
            f"城镇居民人均可支配收入{f['income_urban']}元，比上年{_ch(f['income_urban_growth'])}；"
            f"农村居民人均可支配收入{f['income_rural']}元，{_ch(f['income_rural_growth'])}。"
        ),
        "注：本公报数据为初步统计数，地区生产总值及各产业增加值绝对数按现价计算，增长速度按可比价格计算。",
    ]


def revision_note(year: int) -> str:
    return (
        f"说明：根据第五次全国经济普查结果，市统计局对{year}年地区生产总值等有关数据进行了修订，"
        "本公报为修订后数据，原公报相应数据以本公报为准。"
    )


# --------------------------------------------------------------------------- what a reader finds


def _pct(value: float) -> str:
    # "持平" is read as 0, whatever sign the rounding left.
    return "0" if value == 0 else f"{value:.1f}"


def expected_city(f: dict) -> dict[str, str]:
    """Every catalogue indicator a city bulletin states, as `{key: value_text}`; growth rates that
    travel with a value are `{key@growth_pct: text}` (catalogue units: 人 for jobs and students)."""
    out = {
        "gdp": f"{f['gdp']:.2f}",
        "gdp@growth_pct": _pct(f["gdp_growth"]),
        "gdp_growth_pct": _pct(f["gdp_growth"]),
        "industry_structure": f"{f['p1']:.1f}:{f['p2']:.1f}:{f['p3']:.1f}",
        "growth_contribution_primary": _pct(f["c1"]),
        "growth_contribution_secondary": _pct(f["c2"]),
        "growth_contribution_tertiary": _pct(f["c3"]),
        "cpi_change_pct": _pct(round(f["cpi"], 1)),
        "fixed_asset_investment_growth_pct": _pct(round(f["investment_growth"], 1)),
        "retail_sales": f"{f['retail']:.2f}",
        "retail_sales@growth_pct": _pct(round(f["retail_growth"], 1)),
        "tourism_visitors": f"{f['visitors']:.2f}",
        "tourism_visitors@growth_pct": _pct(round(f["visitors_growth"], 1)),
        "tourism_revenue": f"{f['tourism_revenue']:.2f}",
        "tourism_revenue@growth_pct": _pct(round(f["tourism_revenue_growth"], 1)),
        "vocational_students": str(round(f["vocational"] * 10000)),
        "resident_population": f"{f['population']:.2f}",
        "urban_population": f"{f['urban']:.2f}",
        "rural_population": f"{f['rural']:.2f}",
        "urbanization_rate_pct": f"{f['urbanisation']:.2f}",
        "registered_population": f"{f['hukou']:.2f}",
        "new_urban_jobs": str(round(f["new_jobs"] * 10000)),
        "urban_unemployment_rate_pct": _pct(f["unemployment"]),
        "rural_labour_outflow": f"{f['outflow']:.2f}",
        "labour_income": f"{f['labour_income']:.2f}",
        "per_capita_disposable_income": str(f["income_all"]),
        "per_capita_disposable_income@growth_pct": _pct(round(f["income_all_growth"], 1)),
        "per_capita_disposable_income_urban": str(f["income_urban"]),
        "per_capita_disposable_income_urban@growth_pct": _pct(round(f["income_urban_growth"], 1)),
        "per_capita_disposable_income_rural": str(f["income_rural"]),
        "per_capita_disposable_income_rural@growth_pct": _pct(round(f["income_rural_growth"], 1)),
    }
    for n, key in ((1, "primary"), (2, "secondary"), (3, "tertiary")):
        out[f"value_added_{key}"] = f"{f[f'v{n}']:.2f}"
        out[f"value_added_{key}@growth_pct"] = _pct(round(f[f"g{n}"], 1))
    return out


def expected_county(county: str, f: dict) -> dict[str, str]:
    out = {
        "gdp": f"{f['gdp']:.2f}",
        "gdp@growth_pct": _pct(f["gdp_growth"]),
        "gdp_growth_pct": _pct(f["gdp_growth"]),
        "industry_structure": f"{f['p1']:.1f}:{f['p2']:.1f}:{f['p3']:.1f}",
        "private_economy_value_added": f"{f['private']:.2f}",
        "private_economy_value_added@growth_pct": _pct(f["private_growth"]),
        "private_economy_value_added@share_of_gdp_pct": _pct(f["private_share"]),
        "fixed_asset_investment_growth_pct": _pct(f["investment_growth"]),
        "retail_sales": f"{f['retail']:.2f}",
        "retail_sales@growth_pct": _pct(f["retail_growth"]),
        "tourism_visitors": f"{f['visitors']:.2f}",
        "tourism_visitors@growth_pct": _pct(f["visitors_growth"]),
        "tourism_revenue": f"{f['tourism_revenue']:.2f}",
        "tourism_revenue@growth_pct": _pct(f["tourism_revenue_growth"]),
        "vocational_enrolment": str(f["voc_enrolment"]),
        "vocational_students": str(f["voc_students"]),
        "vocational_graduates": str(f["voc_graduates"]),
        "resident_population": f"{f['population']:.2f}",
        "urban_population": f"{f['urban']:.2f}",
        "rural_population": f"{f['rural']:.2f}",
        "urbanization_rate_pct": f"{f['urbanisation']:.2f}",
        "registered_population": f"{f['hukou']:.2f}",
        "new_urban_jobs": str(f["new_jobs"]),
        "urban_unemployment_rate_pct": _pct(f["unemployment"]),
        "rural_labour_outflow": f"{f['outflow']:.2f}",
        "labour_income": f"{f['labour_income']:.2f}",
        "per_capita_disposable_income_urban": str(f["income_urban"]),
        "per_capita_disposable_income_urban@growth_pct": _pct(f["income_urban_growth"]),
        "per_capita_disposable_income_rural": str(f["income_rural"]),
        "per_capita_disposable_income_rural@growth_pct": _pct(f["income_rural_growth"]),
    }
    for n, key in ((1, "primary"), (2, "secondary"), (3, "tertiary")):
        out[f"value_added_{key}"] = f"{f[f'v{n}']:.2f}"
        out[f"value_added_{key}@growth_pct"] = _pct(f[f"g{n}"])
    if county != "平昌县":
        out["growth_contribution_primary"] = _pct(f["c1"])
        out["growth_contribution_secondary"] = _pct(f["c2"])
        out["growth_contribution_tertiary"] = _pct(f["c3"])
    if county != "恩阳区":
        out["cpi_change_pct"] = _pct(f["cpi"])
    return out
