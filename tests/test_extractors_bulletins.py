"""Statistics bulletins against the sample site, and the standalone text parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.bulletins import SKELETON_INDICATORS, extract_bulletins, parse_bulletin_text, parse_title
from extractors.errors import SourceError
from extractors.landing import read_records


@pytest.fixture(scope="module")
def landed(sample_site, tmp_path_factory):
    from extractors.config import load_sources_config

    config = load_sources_config(
        Path(__file__).resolve().parent.parent / "config" / "sources.yml", base_url=sample_site.base_url
    )
    raw_dir = tmp_path_factory.mktemp("raw")
    result = extract_bulletins(config, "2026-11-01", raw_dir)
    return config, raw_dir, result


def _by(records):
    return {(r["year"], r["indicator"]): r for r in records}


def test_finds_eight_bulletins_over_two_listing_pages(landed, sample_site):
    _config, _raw_dir, result = landed
    assert result.status == "landed" and result.source == "bulletins"
    records = read_records(result.path)
    assert (
        sorted({r["year"] for r in records}) == sample_site.truth["bulletin_years"] == list(range(2018, 2026))
    )
    assert len(records) == 8 * len(SKELETON_INDICATORS)
    manifest = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))
    listing_fetches = [f for f in manifest["fetches"] if "/index" in f["url"]]
    assert [f["url"].rsplit("/", 1)[1] for f in listing_fetches] == ["index.html", "index_2.html"]
    # Original page bytes of the eight bulletins are kept, noise pages are not fetched at all.
    assert len(manifest["files"]) == 8
    assert len(manifest["fetches"]) == 2 + 8
    assert all("/stats/tjgb/20" in f["url"] for f in manifest["fetches"] if f not in listing_fetches)


def test_noise_items_are_skipped(landed):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    assert {r["region"] for r in records} == {"巴中市"}
    assert all(
        r["title"].endswith("国民经济和社会发展统计公报") and r["title"].startswith("巴中市") for r in records
    )


def test_2024_published_figures(landed):
    _config, _raw_dir, result = landed
    rows = _by(read_records(result.path))
    assert rows[(2024, "gdp")]["value"] == 870.51 and rows[(2024, "gdp")]["unit"] == "亿元"
    assert rows[(2024, "gdp_growth_pct")]["value"] == 6.3
    structure = rows[(2024, "industry_structure")]
    assert (
        structure["value"] is None
        and structure["value_text"] == "22.3:20.0:57.7"
        and structure["unit"] == "a:b:c"
    )
    assert rows[(2024, "resident_population")]["value"] == 261.30
    assert rows[(2024, "resident_population")]["value_text"] == "261.30"
    assert rows[(2024, "urbanization_rate_pct")]["value"] == 48.91
    assert rows[(2024, "rural_labour_outflow")]["value"] == 101.58
    assert rows[(2024, "labour_income")]["value"] == 291.83
    assert (
        "870.51亿元" in rows[(2024, "gdp")]["text"]
    )  # the sentence as published, full-width punctuation kept
    assert "（GDP）" in rows[(2024, "gdp")]["text"]


def test_every_year_matches_truth(landed, sample_site):
    _config, _raw_dir, result = landed
    rows = _by(read_records(result.path))
    expected = sample_site.truth["bulletins"]["indicators"]
    assert sorted(expected) == [str(y) for y in range(2018, 2026)]
    for year, indicators in expected.items():
        for name, value_text in indicators.items():
            assert rows[(int(year), name)]["value_text"] == value_text, (year, name)


def test_gb18030_page_is_decoded(landed, sample_site):
    _config, _raw_dir, result = landed
    manifest = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))
    gb_paths = sample_site.truth["gb18030_paths"]
    bulletin_gb = [p for p in gb_paths if p.startswith("/stats/")]
    assert bulletin_gb
    for path in bulletin_gb:
        [fetch] = [f for f in manifest["fetches"] if f["url"].endswith(path)]
        assert fetch["encoding"] == "gb18030"
        stored = Path(result.path) / "files" / path.lstrip("/")
        assert stored.read_bytes().decode("gb18030")  # original bytes, not re-encoded
        with pytest.raises(UnicodeDecodeError):
            stored.read_bytes().decode("utf-8")
    rows_2019 = [r for r in read_records(result.path) if r["year"] == 2019]
    assert len(rows_2019) == len(SKELETON_INDICATORS)
    assert all(r["region"] == "巴中市" and "公报" in r["title"] for r in rows_2019)


def test_second_run_is_unchanged(landed):
    config, raw_dir, result = landed
    again = extract_bulletins(config, "2026-11-01", raw_dir)
    assert again.status == "unchanged" and again.path == result.path


def test_every_row_has_the_contract_keys(landed):
    _config, _raw_dir, result = landed
    keys = {"region", "year", "indicator", "value", "value_text", "unit", "text", "url", "title"}
    assert all(set(r) == keys and isinstance(r["value_text"], str) for r in read_records(result.path))


# --------------------------------------------------------------------------- parser alone

BULLETIN = """巴中市2023年国民经济和社会发展统计公报
一、综合
初步核算，全年实现地区生产总值（GDP）812.40亿元，按不变价格计算，比上年增长5.8%。其中，第一产业增加值180.12亿元，增长3.9%。三次产业结构由23.0：19.5：57.5调整为22.6：20.5：56.9。人均地区生产总值31,234元，比上年增长6.1%。
十、人口、就业和社会保障
年末常住人口263.10万人，其中城镇人口126.40万人；常住人口城镇化率48.04％，比上年末提高1.02个百分点。年末户籍人口360.12万人，户籍人口城镇化率40.1%。
全年转移输出农村劳动力102.30万人，实现劳务收入278.10亿元。"""


def test_parse_bulletin_text():
    parsed = parse_bulletin_text(BULLETIN)
    assert (parsed["region"], parsed["year"]) == ("巴中市", 2023)
    ind = parsed["indicators"]
    assert set(ind) == set(SKELETON_INDICATORS)
    assert ind["gdp"]["value"] == 812.40 and ind["gdp"]["value_text"] == "812.40"
    assert ind["gdp_growth_pct"]["value"] == 5.8
    assert ind["industry_structure"]["value_text"] == "22.6:20.5:56.9"  # the new structure, not the old
    assert ind["resident_population"]["value"] == 263.10
    assert ind["urbanization_rate_pct"]["value"] == 48.04  # not the 户籍 rate
    assert ind["rural_labour_outflow"]["value"] == 102.30 and ind["labour_income"]["value"] == 278.10
    assert ind["gdp"]["text"].startswith("初步核算，全年实现地区生产总值（GDP）812.40亿元")


def test_parse_decline_and_missing():
    parsed = parse_bulletin_text("全年实现地区生产总值500.00亿元，比上年下降1.5%。")
    assert parsed["indicators"]["gdp_growth_pct"]["value"] == -1.5
    assert parsed["indicators"]["gdp_growth_pct"]["value_text"] == "-1.5"
    assert parsed["year"] is None and "resident_population" not in parsed["indicators"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("巴中市2024年国民经济和社会发展统计公报", ("巴中市", 2024)),
        ("2024年巴中市国民经济和社会发展统计公报", ("巴中市", 2024)),
        ("四川省2024年国民经济和社会发展统计公报", ("四川省", 2024)),
        ("巴中市2024年政府工作报告", None),
        ("《巴中市2024年国民经济和社会发展统计公报》解读", None),
        ("2023年巴中市统计年鉴编制说明", None),
    ],
)
def test_parse_title(title, expected):
    assert parse_title(title) == expected


def test_listing_without_entries_raises(tiny_server, tmp_path):
    server = tiny_server(
        lambda req, hit: (
            200,
            "<html><body><div class='list-v2'></div></body></html>",
            {"Content-Type": "text/html; charset=utf-8"},
        )
    )
    config = {
        "user_agent": "t",
        "retries": 0,
        "bulletins": {"listing_url": server.base_url + "/stats/tjgb/index.html", "region": "巴中市"},
    }
    with pytest.raises(SourceError, match="/stats/tjgb/index.html"):
        extract_bulletins(config, "2026-11-01", tmp_path)


def test_listing_without_bulletins_raises(tiny_server, tmp_path):
    page = (
        '<html><body><ul class="news-list"><li><a href="a.html">巴中市2024年政府工作报告</a><span>2024-02-01</span>'
        "</li></ul></body></html>"
    )
    server = tiny_server(lambda req, hit: (200, page, {"Content-Type": "text/html; charset=utf-8"}))
    config = {
        "user_agent": "t",
        "retries": 0,
        "bulletins": {"listing_url": server.base_url + "/index.html", "region": "巴中市"},
    }
    with pytest.raises(SourceError, match="no statistics bulletin"):
        extract_bulletins(config, "2026-11-01", tmp_path)
