"""The bulletin parser on hand-written fixtures (tests/fixtures/bulletins/, values checked by hand in
expected.json), through `talent bulletin parse`, and property tests of the text/number normaliser."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.bulletin_parser import parse_text
from extractors.bulletins import parse_bulletin_file, parse_bulletin_text
from extractors.charset import decode_bytes
from extractors.textnorm import normalise, parse_number, to_unit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "bulletins"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
CASES = sorted(name for name in EXPECTED if not name.startswith("_"))
ATTRIBUTES = {"value", "unit", "growth_pct", "share_of_gdp_pct", "text"}


def test_fixtures_cover_cities_counties_years_and_encodings():
    assert len(CASES) >= 6
    regions = {EXPECTED[name]["region"] for name in CASES}
    assert {r for r in regions if r.endswith("市")} and {r for r in regions if r.endswith(("县", "区"))}
    assert len({EXPECTED[name]["year"] for name in CASES}) >= 6
    raw = {name: (FIXTURES / name).read_bytes() for name in CASES}
    not_utf8 = []
    for name, content in raw.items():
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            not_utf8.append(name)
    assert len(not_utf8) >= 3  # GB2312, GBK and GB18030 files


@pytest.mark.parametrize("name", CASES)
def test_fixture_is_read_exactly(name):
    want = EXPECTED[name]
    got = parse_bulletin_file(FIXTURES / name)
    assert set(got) == {"file", "region", "year", "indicators", "unparsed_sections", "skipped"}
    assert got["file"] == str(FIXTURES / name)
    assert (got["region"], got["year"]) == (want["region"], want["year"])
    assert got["unparsed_sections"] == want["unparsed_sections"]
    # every stated indicator, and nothing else
    assert sorted(got["indicators"]) == sorted(want["indicators"])
    text, _ = decode_bytes((FIXTURES / name).read_bytes())
    for key, expected in want["indicators"].items():
        indicator = got["indicators"][key]
        assert set(indicator) <= ATTRIBUTES and {"value", "unit", "text"} <= set(indicator)
        for attribute in ("value", "unit", "growth_pct", "share_of_gdp_pct"):
            assert indicator.get(attribute) == expected.get(attribute), (key, attribute)
        # the sentence as the page wrote it (HTML entities aside)
        assert indicator["text"] and indicator["text"][:12] in text, key


def test_eval_script_reports_full_precision_and_recall():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bulletin_parser_eval.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    total = next(line for line in proc.stdout.splitlines() if line.startswith("TOTAL"))
    assert "precision=1.0000 recall=1.0000" in total and f"files={len(CASES)}" in total
    assert "REAL precision=1.0000" in proc.stdout.strip().splitlines()[-1]


def test_cli_prints_one_json_object_per_file():
    talent = Path(sys.executable).with_name("talent")
    files = [FIXTURES / "pingchang_2023_gb18030.txt", FIXTURES / "tongjiang_2021_traditional.html"]
    proc = subprocess.run(
        [str(talent), "bulletin", "parse", *map(str, files)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert (first["region"], first["year"]) == ("平昌县", 2023)
    assert first["indicators"]["value_added_secondary"] == {
        "value": 41.02,
        "unit": "亿元",
        "growth_pct": -1.3,
        "text": "第二产业增加值41.02亿元，下降1.3%；",
    }
    assert (second["region"], second["year"]) == ("通江县", 2021)
    assert second["indicators"]["gdp"]["value"] == 182.45
    assert list(json.loads(lines[0])) == sorted(json.loads(lines[0]))  # sort_keys


# --------------------------------------------------------------------------- traps


@pytest.mark.parametrize(
    ("sentence", "absent"),
    [
        ("人均地区生产总值33186元，比上年增长7.1%。", "gdp"),
        ("年末户籍人口107.35万人，其中城镇人口31.20万人。", "urban_population"),
        ("户籍人口城镇化率40.1%。", "urbanization_rate_pct"),
        ("城镇调查失业率5.1%。", "urban_unemployment_rate_pct"),
        ("全年民间固定资产投资增长3.1%。", "fixed_asset_investment_growth_pct"),
        ("普通高中在校学生7.80万人。", "vocational_students"),
        ("全年规模以上工业增加值增长9.2%。", "value_added_secondary"),
        ("地区生产总值、三次产业增加值绝对数按现价计算，增长速度按不变价格计算。", "gdp_growth_pct"),
    ],
)
def test_what_a_bulletin_does_not_state_is_absent(sentence, absent):
    assert absent not in parse_bulletin_text(sentence)["indicators"]


def test_respectively_does_not_pair_rates_with_figures():
    ind = parse_bulletin_text("全年接待游客1286.50万人次，实现旅游收入121.37亿元，分别增长23.4%和25.1%。")[
        "indicators"
    ]
    assert ind["tourism_visitors"]["value"] == 1286.50 and ind["tourism_revenue"]["value"] == 121.37
    assert "growth_pct" not in ind["tourism_visitors"] and "growth_pct" not in ind["tourism_revenue"]


def test_growth_in_the_next_sentence_and_flat_prices():
    ind = parse_bulletin_text(
        "全县地区生产总值123.45亿元。按可比价格计算，比上年增长4.2%。全年居民消费价格与上年持平。"
    )["indicators"]
    assert ind["gdp"]["growth_pct"] == 4.2 and ind["gdp_growth_pct"]["value"] == 4.2
    assert ind["cpi_change_pct"]["value"] == 0


def test_region_and_year_from_the_body():
    parsed = parse_text("2024年平昌县地区生产总值201.35亿元，比上年增长5.9%。")
    assert (parsed.region, parsed.year) == ("平昌县", 2024)
    parsed = parse_text("2024年，全县实现地区生产总值201.35亿元。")
    assert (parsed.region, parsed.year) == (None, 2024)


def test_undeclared_encodings_are_detected():
    text = "巴中市2024年国民经济和社会发展统计公报\n年末常住人口261.30万人。"
    for encoding in ("gb18030", "gbk", "gb2312", "utf-8"):
        decoded, used = decode_bytes(text.encode(encoding))
        assert decoded == text, encoding
    traditional = "通江縣2021年國民經濟和社會發展統計公報\n年末常住人口63.55萬人。"
    decoded, used = decode_bytes(traditional.encode("big5"))
    assert decoded == traditional and used == "big5"


# --------------------------------------------------------------------------- property tests

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789.%:,;()"}
decimals = st.decimals(
    min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False, allow_infinity=False
)


def _spaced(text: str, spaces: list[bool]) -> str:
    return "".join(
        ch + (" " if gap else "") for ch, gap in zip(text, spaces + [False] * len(text), strict=False)
    )


@given(decimals, st.lists(st.booleans(), max_size=12), st.booleans())
def test_numbers_survive_width_and_stray_spaces(number, gaps, full_width):
    written = f"{number:f}"
    noisy = _spaced(written, gaps)
    if full_width:
        noisy = noisy.translate(FULL_WIDTH).replace(" ", "\u3000")
    assert normalise(noisy) == written
    assert parse_number(normalise(noisy)) == number


@given(st.integers(min_value=1000, max_value=10**9))
def test_thousands_separators_are_dropped(n):
    assert normalise(f"城镇新增就业{n:,}人") == f"城镇新增就业{n}人"
    assert normalise(f"{n:,}元".translate(FULL_WIDTH)) == f"{n}元"


@given(
    st.text(
        alphabet="地区生产总值增长下降万亿元人，。；：（）％ 　0123456789.,:;()%國經濟縣產業綜合a",
        max_size=40,
    )
)
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=200)
@given(decimals)
def test_unit_conversion_is_exact(number):
    # 万人 → 人 and 万元 → 亿元 by decimal arithmetic: 2.71万人 is 27100 people, not 27100.000000000004
    assert to_unit(number, "万人", "人") == float(number * 10000)
    assert to_unit(number, "万元", "亿元") == float(number / 10000)
    assert to_unit(number, "亿元", "亿元") == float(number)
    with pytest.raises(ValueError):
        to_unit(number, "亿元", "人")


@settings(max_examples=200)
@given(
    decimals,
    st.sampled_from(["增长", "下降", "减少"]),
    st.decimals(min_value=Decimal("0.1"), max_value=49, places=1),
)
def test_growth_sign_and_units_through_the_parser(number, word, rate):
    ind = parse_bulletin_text(
        f"全年城镇新增就业{number:f}万人。全年社会消费品零售总额{number:f}亿元，比上年{word}{rate}%。"
    )["indicators"]
    assert ind["new_urban_jobs"]["value"] == float(number * 10000) and ind["new_urban_jobs"]["unit"] == "人"
    assert ind["retail_sales"]["value"] == float(number)
    assert ind["retail_sales"]["growth_pct"] == float(rate if word == "增长" else -rate)


# --------------------------------------------------------------------------- real bulletins, scope, mirrors

REAL = FIXTURES / "real"
REAL_EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
REAL_CASES = sorted(name for name in REAL_EXPECTED if not name.startswith("_"))


def _eval_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bulletin_parser_eval", ROOT / "scripts" / "bulletin_parser_eval.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_real_excerpts_cover_regions_mirrors_and_sub_scopes():
    assert len(REAL_CASES) >= 15
    assert len({REAL_EXPECTED[n]["region"] for n in REAL_CASES} - {None}) >= 8
    assert all(REAL_EXPECTED[n]["url"].startswith("http") for n in REAL_CASES)
    texts = {n: (REAL / n).read_text(encoding="utf-8") for n in REAL_CASES}
    assert sum("(tǒng)" in t for t in texts.values()) >= 3  # mirror pages with pinyin readings
    assert sum(bool(REAL_EXPECTED[n]["must_not"]) for n in REAL_CASES) >= 10


def test_real_excerpts_no_wrong_value_and_recall_above_the_floor():
    module = _eval_module()
    result = module.score_real(REAL)
    assert result["precision"] == 1.0, {n: f["fp"] for n, f in result["files"].items() if f["fp"]}
    assert result["must_not_hits"] == []
    assert result["recall"] >= module.REAL_RECALL_FLOOR
    assert result["region_year_ok"] == f"{len(REAL_CASES)}/{len(REAL_CASES)}"


def test_a_sub_scope_breakdown_never_fills_the_regions_key():
    # Issue 12(a): the region's clause lacks 增加值; the private economy's breakdown has it.
    text = (
        "2020年达川区实现地区生产总值(GDP)300.4亿元，同比增长2.5%。其中，第一产业实现增加值60.5亿元、"
        "增长5.7%，第二产业90.3亿元、下降0.2%，第三产业149.6亿元、增长3.2%。\n"
        "全年全区民营经济增加值175.23亿元，增长1.7%。其中，第二产业增加值64.32亿元、增长0.4%。\n"
        "区本级地区生产总值200.1亿元；三次产业结构为10.0:30.0:60.0。"
    )
    got = parse_bulletin_text(text)
    assert got["indicators"]["value_added_secondary"]["value"] == 90.3
    assert got["indicators"]["value_added_secondary"]["growth_pct"] == -0.2
    assert "industry_structure" not in got["indicators"]
    skipped = {(s["key"], s["value_text"]): s["reason"] for s in got["skipped"]}
    assert "private_economy" in skipped[("value_added_secondary", "64.32")]
    assert "local_level" in skipped[("gdp", "200.1")]
    assert "local_level" in skipped[("industry_structure", "10.0:30.0:60.0")]


def test_an_unclear_scope_is_left_out_and_recorded():
    got = parse_bulletin_text("二、农业\n其中，第一产业增加值9.7亿元，增长5.8%。")
    assert got["indicators"] == {}
    assert got["skipped"][0]["key"] == "value_added_primary" and "unclear" in got["skipped"][0]["reason"]


def test_own_scope_keys_and_sibling_clauses():
    got = parse_bulletin_text(
        "城镇居民人均可支配收入41489元，增长6.1%；农村居民人均可支配收入18080元，增长8.0%。"
    )
    assert got["indicators"]["per_capita_disposable_income_urban"]["value"] == 41489
    assert got["indicators"]["per_capita_disposable_income_rural"]["growth_pct"] == 8.0


def test_mirror_pinyin_traditional_and_navigation():
    page = (
        "您當(dāng)前的位置:首頁 > 統(tǒng)計公報 > 四川\n"
        "相關(guān)：南充市2019年國民經(jīng)濟和社會發(fā)展統(tǒng)計公報\n"
        "達州市2020年國民經(jīng)濟和社會發(fā)展統(tǒng)計公報\n"
        "一、綜合\n"
        "2020年達州實現(xiàn)地區(qū)生產(chǎn)總值(GDP)2117.8億元，同比增長4.1%。\n"
    )
    got = parse_bulletin_text(page)
    assert (got["region"], got["year"]) == ("达州市", 2020)
    assert got["indicators"]["gdp"]["value"] == 2117.8 and got["indicators"]["gdp"]["growth_pct"] == 4.1
    assert normalise("常住(zhu)人(ren)(ren)口 (GDP)（CPI）") == "常住人口(GDP)(CPI)"


def test_growth_of_counts_has_its_own_keys():
    got = parse_bulletin_text(
        "全年城镇新增就业3.46万人，比上年增长0.5%；城镇登记失业率为4.25%。\n"
        "全年转移输出农村劳动力113.9万人，下降4.3%；实现劳务总收入156.12亿元。\n"
        "全年城镇新增就业2.8万人，城镇调查失业率5.5%，比上年下降0.3%。"
    )
    ind = got["indicators"]
    assert ind["new_urban_jobs"]["value"] == 34600 and ind["new_urban_jobs_growth_pct"]["value"] == 0.5
    assert ind["rural_labour_outflow_growth_pct"]["value"] == -4.3
    assert ind["new_urban_jobs_growth_pct"]["unit"] == "%"
    # a rate stated after another percentage belongs to that one, not to the count
    assert (
        parse_bulletin_text("全年城镇新增就业2.8万人，城镇调查失业率5.5%，比上年下降0.3%。")["indicators"][
            "new_urban_jobs"
        ].get("growth_pct")
        is None
    )
